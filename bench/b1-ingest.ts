/**
 * 1. Durable alarm ingest, committed before ack. D devices each keep W presses in flight and
 * send the next one when the hub's application ack (sent after the commit) arrives.
 * Reference: the same publishers on Mosquitto at plain QoS 1 with one subscriber; the
 * reference rate is what that subscriber receives per second, latency is publish → PUBACK.
 */
import { distribution } from '../simulator/stats.ts';
import { closeAll, connectPool, hubDevice, refDevice, sleep, MOSQUITTO, type BenchHub } from './common.ts';
import { LiteClient } from './mqtt-lite.ts';

export interface IngestSize { devices: number; window: number; seconds: number }

export async function ingest(size: IngestSize, target: 'hub' | 'ref', hub: BenchHub): Promise<Record<string, number>> {
  const { devices: D, window: W, seconds } = size;
  const lat: number[] = [];
  let done = 0;
  let measuring = false;
  const clients = await connectPool(D, (i) => (target === 'hub' ? hubDevice(hub, i) : refDevice(i)));
  let sub: LiteClient | null = null;
  let forwarded = 0;
  const tag = `${process.pid}-${Date.now()}`;
  if (target === 'ref') {
    sub = await LiteClient.connect({ ...MOSQUITTO, clientId: `bench-sub-${tag}` });
    sub.subscribe(`benchref1/${tag}/#`, 1);
    sub.onMessage = () => { if (measuring) forwarded++; };
    await sleep(200);
  }
  let running = true;
  clients.forEach((c, i) => {
    const id = target === 'hub' ? hub.creds[i].id : `d${i}`;
    let seq = Date.now() % 1e9;
    const sentAt = new Map<number, number>();
    const send = () => {
      if (!running) return;
      const s = ++seq;
      const payload = `{"seq":${s},"type":"press","ts":${Date.now()}}`;
      const t0 = performance.now();
      if (target === 'hub') {
        sentAt.set(s, t0);
        c.publish(`anxin/v1/dev/${id}/up/event`, payload, 1);
      } else {
        c.publish(`benchref1/${tag}/${id}`, payload, 1, () => { if (measuring) { done++; lat.push(performance.now() - t0); } send(); });
      }
    };
    if (target === 'hub') {
      c.subscribe(`anxin/v1/dev/${id}/down/#`, 1);
      c.onMessage = (topic, payload) => {
        if (!topic.endsWith('/down/ack')) return;
        const s = JSON.parse(payload.toString()).seq as number;
        const t0 = sentAt.get(s);
        if (t0 === undefined) return;
        sentAt.delete(s);
        if (measuring) { done++; lat.push(performance.now() - t0); }
        send();
      };
    }
    setTimeout(() => { for (let k = 0; k < W; k++) send(); }, 300 + Math.random() * 200);
  });
  await sleep(1500); // warm-up
  measuring = true;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const dt = (performance.now() - t0) / 1000;
  running = false;
  await sleep(500);
  closeAll(clients);
  sub?.end();
  const d = distribution(lat);
  const out: Record<string, number> = { rate: (target === 'hub' ? done : forwarded) / dt, ackP50Ms: d.p50, ackP99Ms: d.p99 };
  if (target === 'ref') out.pubackRate = done / dt;
  return out;
}
