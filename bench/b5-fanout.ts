/**
 * 5. Console fan-out: C console sockets, presses at R/s; deliveries per second counted at the
 * clients. Reference: Mosquitto delivering a message of the same size to C QoS 0 subscribers.
 * The consoles are bench/ws-lite.ts clients, which count frames from their headers without
 * decoding them: with `ws` the load generator's string decoding was the limit, not the hub.
 */
import { httpJson } from '../simulator/staff-client.ts';
import { closeAll, connectPool, cpuSeconds, hubDevice, mosquittoPid, pace, MOSQUITTO, sleep, type BenchHub } from './common.ts';
import { LiteClient } from './mqtt-lite.ts';
import { WsLite } from './ws-lite.ts';

export interface FanoutSize { consoles: number; rate: number; seconds: number }

/**
 * The consoles read every 20 ms rather than at each frame: one read then carries ~8 frames
 * (400/s), and the generator's kernel time, which dominated its CPU once frames were no longer
 * decoded, drops with the number of reads. Frames wait in the kernel, none is lost; at most
 * 64 KB per console per batch, i.e. 3.2 MB/s, far above a console's share here.
 */
const READ_BATCH_MS = 20;

/** The hub's mean change frame size from its last run, so the reference sends messages of the same size. */
let hubFrameBytes = 1500;

/**
 * Counting consoles for one logged-in admin, each resolved after its snapshot (the catch-up
 * that precedes live changes). Only the first bytes of a frame are ever looked at, and only
 * until the snapshot; after it, frames are counted from their headers.
 */
export async function openCountingConsoles(httpUrl: string, n: number): Promise<WsLite[]> {
  // One login for all: each login costs a scrypt (tens of ms); a session may hold many sockets.
  const { token } = await httpJson(httpUrl, 'POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' });
  const url = `${httpUrl.replace(/^http/, 'ws')}/ws?token=${token}`;
  const out: WsLite[] = [];
  for (let i = 0; i < n; i++) {
    let ready!: () => void;
    const snapshot = new Promise<void>((r) => { ready = r; });
    const c = await WsLite.connect(url, {
      batchMs: READ_BATCH_MS,
      prepare: (c) => {
        c.frames.peek = 20;
        c.frames.onText = (head) => {
          const h = head.toString('latin1');
          if (h.startsWith('{"type":"snapshot"') || h.startsWith('{"type":"ready"')) { c.frames.peek = 0; ready(); }
        };
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`console ${i + 1} of ${n}: no snapshot within 30 s`)), 30_000); });
    try { await Promise.race([snapshot, late]); } finally { clearTimeout(timer); }
    out.push(c);
  }
  return out;
}

const count = (cs: WsLite[]) => ({ texts: cs.reduce((a, c) => a + c.frames.texts, 0), bytes: cs.reduce((a, c) => a + c.frames.textBytes, 0) });

export async function fanout(size: FanoutSize, target: 'hub' | 'ref', hub: BenchHub): Promise<Record<string, number>> {
  const { consoles: C, rate: R, seconds } = size;
  let got = 0;
  let measuring = false;
  let frameBytes = hubFrameBytes;
  const tag = `${process.pid}-${Date.now()}`;
  const devices = await connectPool(Math.min(500, hub.creds.length), (i) => hubDevice(hub, i));
  let subs: LiteClient[] = [];
  let consoles: WsLite[] = [];
  if (target === 'hub') {
    consoles = await openCountingConsoles(hub.proc.httpUrl, C);
  } else {
    subs = await connectPool(C, (i) => ({ ...MOSQUITTO, clientId: `bench-fan-${tag}-${i}` }));
    for (const s of subs) { s.subscribe(`benchref5/${tag}`, 0); s.onMessage = () => { if (measuring) got++; }; }
    await sleep(500);
  }
  const pub = target === 'ref' ? await LiteClient.connect({ ...MOSQUITTO, clientId: `bench-fanpub-${tag}` }) : null;
  let seq = Date.now() % 1e9;
  let n = 0;
  const tick = pace(R, () => {
    const i = n++ % devices.length;
    if (pub) pub.publish(`benchref5/${tag}`, 'x'.repeat(frameBytes), 0);
    else devices[i].publish(`anxin/v1/dev/${hub.creds[i].id}/up/event`, `{"seq":${++seq},"type":"press","ts":${Date.now()}}`, 1);
  });
  await sleep(1500);
  measuring = true;
  const before = count(consoles);
  // Who is busy while measuring: this generator and the broker (% of one core each); on 2 shared cores, either can be the limit.
  const brokerPid = target === 'hub' ? hub.proc.pid : mosquittoPid();
  const broker0 = cpuSeconds(brokerPid);
  const gen0 = process.cpuUsage();
  const t0 = performance.now();
  const sent0 = tick.sent();
  await sleep(seconds * 1000);
  measuring = false;
  const gen = process.cpuUsage(gen0);
  const brokerCpuS = cpuSeconds(brokerPid) - broker0;
  if (target === 'hub') {
    const after = count(consoles);
    got = after.texts - before.texts;
    // The mean size of the frames delivered while measuring (payload bytes, UTF-8).
    if (got > 0) frameBytes = hubFrameBytes = Math.round((after.bytes - before.bytes) / got);
  }
  const dt = (performance.now() - t0) / 1000;
  const changesPerS = (tick.sent() - sent0) / dt;
  tick.stop();
  await sleep(500);
  for (const c of consoles) c.terminate();
  closeAll(subs);
  closeAll(devices);
  pub?.end();
  return { consoles: C, offeredPerS: C * changesPerS, deliveriesPerS: got / dt, frameBytes,
    genCpuPct: ((gen.user + gen.system) / 1e6 / dt) * 100, brokerCpuPct: (brokerCpuS / dt) * 100 };
}
