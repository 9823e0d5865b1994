/**
 * 4. Reconnect storm: N connected devices all lose their link at once and come back at a
 * random moment within 5 s, retrying with backoff and jitter on failure. Measured: time until
 * all are back, devices that gave up, and send → ack of alarms sent during the storm by devices
 * that are connected (hub: application ack after the commit; reference: PUBACK).
 * A press offered to a device that is not back yet is held, and sent once it is, as a real button
 * does; its press → ack latency (`heldAck*`) is what the resident waits. A press not acked when
 * the link drops is sent again on reconnect.
 * Also reported: this load generator's CPU (% of one core) and worst event-loop delay over the
 * storm, so a run where the generator, not the broker, was the limit shows it.
 * `drop` is how the links go: by default each device drops its own; bench/restart-storm.ts
 * restarts the hub instead.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { distribution } from '../simulator/stats.ts';
import { connectPool, hubDevice, pace, refDevice, sleep, type BenchHub, closeAll } from './common.ts';
import { LiteClient, localAddr } from './mqtt-lite.ts';

export interface StormSize { devices: number; withinS: number; alarmsPerS: number }
interface Press { seq: number; t0: number; held: boolean }

export async function storm(size: StormSize, target: 'hub' | 'ref', hub: BenchHub, drop?: () => Promise<unknown>): Promise<Record<string, number>> {
  const { devices: N, withinS, alarmsPerS } = size;
  const opts = (i: number) => ({ localAddress: localAddr(i), ...(target === 'hub' ? hubDevice(hub, i) : refDevice(i)) });
  const clients: (LiteClient | null)[] = await connectPool(N, opts);
  const ids = clients.map((_, i) => (target === 'hub' ? hub.creds[i].id : `s${i}`));
  const lat: number[] = [], heldLat: number[] = [];
  /** Presses sent and not yet acked, and presses held until the device is back, per device. */
  const unackedOf = new Map<number, Press[]>();
  const acked = (p: Press) => (p.held ? heldLat : lat).push(performance.now() - p.t0);
  const send = (c: LiteClient, i: number, p: Press) => {
    if (target === 'hub') c.publish(`anxin/v1/dev/${ids[i]}/up/event`, `{"seq":${p.seq},"type":"press","ts":${Date.now()}}`, 1);
    else c.publish(`benchref4/${ids[i]}/up/event`, `{"seq":${p.seq},"type":"press"}`, 1, () => settle(i, p.seq));
  };
  const settle = (i: number, seq: number) => {
    const list = unackedOf.get(i);
    const k = list ? list.findIndex((p) => p.seq === seq) : -1;
    if (k < 0) return;
    acked(list![k]);
    list!.splice(k, 1);
    if (list!.length === 0) unackedOf.delete(i);
  };
  const wire = (c: LiteClient, i: number) => {
    if (target !== 'hub') return;
    c.subscribe(`anxin/v1/dev/${ids[i]}/down/#`, 1);
    c.onMessage = (topic, payload) => {
      if (topic.endsWith('/down/ack')) settle(i, JSON.parse(payload.toString()).seq);
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
        for (const p of unackedOf.get(i) ?? []) send(c, i, p);
        back++;
        lastBack = performance.now();
        return;
      } catch {
        await sleep(Math.min(8000, 250 * 2 ** a) * (0.5 + Math.random() / 2));
      }
    }
    gaveUp++;
  };
  const dropped = drop ? drop() : Promise.resolve(clients.forEach((c) => c?.destroy()));
  clients.fill(null);
  const all = Promise.all(ids.map((_, i) => reconnect(i)));
  let seq = Date.now() % 1e9;
  const alarms = pace(alarmsPerS, () => {
    const i = Math.floor(Math.random() * N);
    const c = clients[i];
    const p: Press = { seq: ++seq, t0: performance.now(), held: !c || c.closed };
    unackedOf.set(i, [...(unackedOf.get(i) ?? []), p]);
    if (!p.held) send(c!, i, p);
  });
  await dropped;
  const downS = (performance.now() - start) / 1000;
  await Promise.race([all, sleep(60_000)]);
  alarms.stop();
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  const genCpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100;
  await sleep(2000);
  let unacked = 0;
  for (const list of unackedOf.values()) unacked += list.length;
  const allBackS = back === N ? (lastBack - start) / 1000 : NaN;
  closeAll(clients.filter((c): c is LiteClient => !!c));
  const d = distribution(lat), h = distribution(heldLat);
  return { devices: N, back, gaveUp, allBackS, attemptsPerDevice: attempts / N, alarms: lat.length, unacked, ackP99Ms: d.p99,
    heldPresses: heldLat.length, heldAckP50Ms: h.p50, heldAckP99Ms: h.p99, heldAckMaxMs: h.max, ...(drop ? { hubDownS: downS } : {}),
    genCpuPct, genLoopMaxMs: loop.max / 1e6 };
}
