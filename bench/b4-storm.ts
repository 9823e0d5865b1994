/**
 * 4. Reconnect storm: N connected devices all lose their link at once and come back at a
 * random moment within 5 s, retrying with backoff and jitter on failure. Measured: time until
 * all are back, devices that gave up, and, for alarms sent during the storm by devices that
 * are connected, send → ack (hub: application ack after the commit; reference: PUBACK).
 * Also reported: this load generator's CPU (% of one core) and worst event-loop delay over the
 * storm, so a run where the generator, not the broker, was the limit shows it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { distribution } from '../simulator/stats.ts';
import { connectPool, hubDevice, pace, refDevice, sleep, type BenchHub, closeAll } from './common.ts';
import { LiteClient, localAddr } from './mqtt-lite.ts';

export interface StormSize { devices: number; withinS: number; alarmsPerS: number }

export async function storm(size: StormSize, target: 'hub' | 'ref', hub: BenchHub): Promise<Record<string, number>> {
  const { devices: N, withinS, alarmsPerS } = size;
  const opts = (i: number) => ({ localAddress: localAddr(i), ...(target === 'hub' ? hubDevice(hub, i) : refDevice(i)) });
  const clients: (LiteClient | null)[] = await connectPool(N, opts);
  const ids = clients.map((_, i) => (target === 'hub' ? hub.creds[i].id : `s${i}`));
  const lat: number[] = [];
  let unacked = 0;
  const pending = new Map<string, number>();
  const wire = (c: LiteClient, i: number) => {
    if (target !== 'hub') return;
    c.subscribe(`anxin/v1/dev/${ids[i]}/down/#`, 1);
    c.onMessage = (topic, payload) => {
      if (!topic.endsWith('/down/ack')) return;
      const key = `${ids[i]}:${JSON.parse(payload.toString()).seq}`;
      const t0 = pending.get(key);
      if (t0 !== undefined) { pending.delete(key); lat.push(performance.now() - t0); }
    };
  };
  clients.forEach((c, i) => wire(c!, i));
  await sleep(1000);
  let back = 0, gaveUp = 0, attempts = 0;
  // The load generator's own health during the storm: if its loop stalls, the figures measure it, not the broker.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let lastBack = start;
  const reconnect = async (i: number) => {
    await sleep(Math.random() * withinS * 1000);
    for (let a = 0; a < 12; a++) {
      attempts++;
      try {
        const c = await LiteClient.connect({ ...opts(i), timeoutMs: 10_000 });
        clients[i] = c;
        wire(c, i);
        back++;
        lastBack = performance.now();
        return;
      } catch {
        await sleep(Math.min(8000, 250 * 2 ** a) * (0.5 + Math.random() / 2));
      }
    }
    gaveUp++;
  };
  for (const c of clients) c?.destroy();
  clients.fill(null);
  const all = Promise.all(ids.map((_, i) => reconnect(i)));
  // Alarms during the storm from devices that are back.
  let seq = Date.now() % 1e9;
  const alarms = pace(alarmsPerS, () => {
    const i = Math.floor(Math.random() * N);
    const c = clients[i];
    if (!c || c.closed) return;
    const s = ++seq;
    const t0 = performance.now();
    if (target === 'hub') { pending.set(`${ids[i]}:${s}`, t0); c.publish(`anxin/v1/dev/${ids[i]}/up/event`, `{"seq":${s},"type":"press","ts":${Date.now()}}`, 1); }
    else c.publish(`benchref4/${ids[i]}/up/event`, `{"seq":${s},"type":"press"}`, 1, () => lat.push(performance.now() - t0));
  });
  await Promise.race([all, sleep(60_000)]);
  alarms.stop();
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  const genCpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100;
  await sleep(2000);
  unacked = pending.size;
  const allBackS = back === N ? (lastBack - start) / 1000 : NaN;
  closeAll(clients.filter((c): c is LiteClient => !!c));
  const d = distribution(lat);
  return { devices: N, back, gaveUp, allBackS, attemptsPerDevice: attempts / N, alarms: lat.length, unacked, ackP99Ms: d.p99,
    genCpuPct, genLoopMaxMs: loop.max / 1e6 };
}
