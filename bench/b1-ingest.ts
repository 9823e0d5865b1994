/**
 * 1. Durable alarm ingest, committed before ack. Two phases on the same D connected devices:
 * - max: each device keeps W presses in flight and sends the next one when the hub's down/ack
 *   (sent after the commit is on disk) arrives: the highest sustained rate (closed loop).
 * - paced: presses offered at a fixed rate (default 10,000/s) spread over the devices, whatever
 *   the acks do (open loop): the send → ack latency at that load, and whether the hub keeps up.
 *   A closed loop cannot give this: its latency is in-flight presses ÷ rate by construction.
 * Reference: the same publishers on Mosquitto at plain QoS 1 with one subscriber; its rate is what
 * that subscriber receives per second, its latency is publish → PUBACK (nothing is stored).
 */
import { distribution } from '../simulator/stats.ts';
import { closeAll, connectPool, cpuSeconds, hubDevice, mosquittoPid, pace, refDevice, sleep, MOSQUITTO, type BenchHub } from './common.ts';
import { LiteClient } from './mqtt-lite.ts';

export interface IngestSize { devices: number; window: number; seconds: number; pacedPerS: number; pacedSeconds: number }

interface Pool {
  /** Sends one press from device i; `acked` runs when its ack (hub) or PUBACK (reference) arrives. */
  press(i: number, acked: (ms: number) => void): void;
  /** Messages the reference subscriber received (0 for the hub: the ack is the delivery). */
  forwarded(): number;
  close(): void;
}

async function openPool(D: number, target: 'hub' | 'ref', hub: BenchHub): Promise<Pool> {
  const clients = await connectPool(D, (i) => (target === 'hub' ? hubDevice(hub, i) : refDevice(i)));
  const tag = `${process.pid}-${Date.now()}`;
  let sub: LiteClient | null = null;
  let forwarded = 0;
  if (target === 'ref') {
    sub = await LiteClient.connect({ ...MOSQUITTO, clientId: `bench-sub-${tag}` });
    sub.subscribe(`benchref1/${tag}/#`, 1);
    sub.onMessage = () => { forwarded++; };
    await sleep(200);
  }
  const ids = clients.map((_, i) => (target === 'hub' ? hub.creds[i].id : `d${i}`));
  const seqs = ids.map(() => Date.now() % 1e9);
  const waiting = ids.map(() => new Map<number, { t0: number; acked: (ms: number) => void }>());
  if (target === 'hub') {
    clients.forEach((c, i) => {
      c.subscribe(`anxin/v1/dev/${ids[i]}/down/#`, 1);
      c.onMessage = (topic, payload) => {
        if (!topic.endsWith('/down/ack')) return;
        const s = JSON.parse(payload.toString()).seq as number;
        const w = waiting[i].get(s);
        if (!w) return;
        waiting[i].delete(s);
        w.acked(performance.now() - w.t0);
      };
    });
    await sleep(300);
  }
  return {
    press(i, acked) {
      const s = ++seqs[i];
      const payload = `{"seq":${s},"type":"press","ts":${Date.now()}}`;
      const t0 = performance.now();
      if (target === 'hub') {
        waiting[i].set(s, { t0, acked });
        clients[i].publish(`anxin/v1/dev/${ids[i]}/up/event`, payload, 1);
      } else {
        clients[i].publish(`benchref1/${tag}/${ids[i]}`, payload, 1, () => acked(performance.now() - t0));
      }
    },
    forwarded: () => forwarded,
    close() { closeAll(clients); sub?.end(); },
  };
}

/** Who is busy while measuring (% of one core): this generator and the broker. */
function cpuMeter(target: 'hub' | 'ref', hub: BenchHub) {
  const pid = target === 'hub' ? hub.proc.pid : mosquittoPid();
  const b0 = cpuSeconds(pid);
  const g0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const dt = (performance.now() - t0) / 1000;
    const g = process.cpuUsage(g0);
    return { genCpuPct: ((g.user + g.system) / 1e6 / dt) * 100, brokerCpuPct: ((cpuSeconds(pid) - b0) / dt) * 100 };
  };
}

async function closedLoop(pool: Pool, D: number, W: number, seconds: number, target: 'hub' | 'ref', hub: BenchHub) {
  const lat: number[] = [];
  let done = 0;
  let measuring = false;
  let running = true;
  const loop = (i: number) => {
    if (!running) return;
    pool.press(i, (ms) => { if (measuring) { done++; lat.push(ms); } loop(i); });
  };
  for (let i = 0; i < D; i++) setTimeout(() => { for (let k = 0; k < W; k++) loop(i); }, Math.random() * 200);
  await sleep(1500); // warm-up
  measuring = true;
  const f0 = pool.forwarded();
  const cpu = cpuMeter(target, hub);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const dt = (performance.now() - t0) / 1000;
  const c = cpu();
  running = false;
  const d = distribution(lat);
  await sleep(1000); // let the last presses drain before the paced phase
  return { rate: (target === 'hub' ? done : pool.forwarded() - f0) / dt, ackP50Ms: d.p50, ackP99Ms: d.p99, ...(target === 'ref' ? { pubackRate: done / dt } : {}), ...c };
}

async function openLoop(pool: Pool, D: number, perS: number, seconds: number, target: 'hub' | 'ref', hub: BenchHub) {
  const lat: number[] = [];
  let sent = 0;
  let next = 0;
  const f0 = pool.forwarded();
  const cpu = cpuMeter(target, hub);
  const t0 = performance.now();
  const ticker = pace(perS, () => {
    sent++;
    pool.press(next, (ms) => lat.push(ms));
    next = (next + 1) % D;
  });
  await sleep(seconds * 1000);
  ticker.stop();
  const dt = (performance.now() - t0) / 1000;
  const c = cpu();
  await sleep(2000); // late acks still count towards the latency; presses never acked are reported
  const d = distribution(lat);
  return {
    pacedOfferedPerS: sent / dt, pacedAckedPerS: lat.length / dt, pacedP50Ms: d.p50, pacedP99Ms: d.p99, pacedMaxMs: d.max,
    pacedUnacked: sent - lat.length, ...(target === 'ref' ? { pacedForwardedPerS: (pool.forwarded() - f0) / dt } : {}),
    pacedGenCpuPct: c.genCpuPct, pacedBrokerCpuPct: c.brokerCpuPct,
  };
}

export async function ingest(size: IngestSize, target: 'hub' | 'ref', hub: BenchHub): Promise<Record<string, number>> {
  const pool = await openPool(size.devices, target, hub);
  try {
    const max = await closedLoop(pool, size.devices, size.window, size.seconds, target, hub);
    const paced = await openLoop(pool, size.devices, size.pacedPerS, size.pacedSeconds, target, hub);
    return { ...max, ...paced };
  } finally {
    pool.close();
  }
}
