/**
 * 2. Press → console latency with N connected devices heart-beating every 60 s (spread evenly)
 * and C consoles, at R alarms/s from distinct devices. Latency is measured in this process
 * from the PUBLISH of a press to each console's receipt of the change for that device.
 * Reference: the same devices on Mosquitto, with bench/ref-bridge.ts (an MQTT subscriber
 * that forwards each message to the same number of WebSocket consoles). The bridge's frames are made
 * as long as the hub's last mean frame (1,500 bytes before the hub has run), as benchmark 5's reference
 * messages are: a console needs the call's household, residents and timeline whoever feeds it, and a
 * 100-byte frame cost the kernel and the consoles' reader (this process, on the same two cores) less
 * than the hub's 1.5 KB one.
 */
import { spawn } from 'node:child_process';
import { distribution } from '../simulator/stats.ts';
import { REPO_ROOT } from '../simulator/hub-process.ts';
import { closeAll, connectPool, hubDevice, openConsoles, pace, refDevice, sleep, type BenchHub } from './common.ts';

export interface LatencySize { devices: number; consoles: number; rate: number; seconds: number }

/** The mean length of the hub's change frames in its last run (UTF-8 bytes, every 64th frame read), for the reference's. */
let hubFrameBytes = 1500;

const DEVICE_RE = /"deviceId":"([^"]+)"/;

/** `observe`, if given, hears every measured delivery: when its press was sent (performance.now()) and how long it took. */
export async function latency(size: LatencySize, target: 'hub' | 'ref', hub: BenchHub, observe?: (pressedAt: number, ms: number) => void): Promise<Record<string, number>> {
  const { devices: N, consoles: C, rate: R, seconds } = size;
  const clients = await connectPool(N, (i) => (target === 'hub' ? hubDevice(hub, i) : refDevice(i)));
  const ids = clients.map((_, i) => (target === 'hub' ? hub.creds[i].id : `r${i}`));
  const lastPress = new Map<string, number>();
  const lat: number[] = [];
  let measuring = false;
  let frames = 0;
  let sampled = 0;
  let sampledBytes = 0;
  const onFrame = (text: string, at: number) => {
    if (!measuring) return;
    if ((frames++ & 63) === 0) { sampled++; sampledBytes += Buffer.byteLength(text); }
    const m = DEVICE_RE.exec(text);
    const t0 = m ? lastPress.get(m[1]) : undefined;
    if (t0 === undefined) return;
    lat.push(at - t0);
    observe?.(t0, at - t0);
  };
  let bridge: ReturnType<typeof spawn> | null = null;
  let httpUrl = hub.proc.httpUrl;
  if (target === 'ref') {
    bridge = spawn(process.execPath, ['--import', 'tsx', 'bench/ref-bridge.ts', String(hubFrameBytes)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) => bridge!.stdout!.on('data', (d: Buffer) => { const m = /ready (\d+)/.exec(d.toString()); if (m) resolve(Number(m[1])); }));
    httpUrl = `http://127.0.0.1:${port}`;
  }
  const consoles = await openConsoles(httpUrl, C, onFrame, '/ws', target === 'ref' ? Array(C).fill('x') : undefined);
  // Heartbeats: every device once per 60 s, spread evenly over 100 ms slots.
  let slot = 0;
  const hb = setInterval(() => {
    const per = Math.ceil(N / 600);
    for (let k = 0; k < per; k++) {
      const i = (slot * per + k) % N;
      const topic = target === 'hub' ? `anxin/v1/dev/${ids[i]}/up/heartbeat` : `benchref2/${ids[i]}/up/heartbeat`;
      clients[i].publish(topic, '{"battery":88,"rssi":-60}', 0);
    }
    slot = (slot + 1) % 600;
  }, 100);
  let next = 0;
  let seq = Date.now() % 1e9;
  const press = pace(R, () => {
    const i = next++ % N;
    const id = ids[i];
    lastPress.set(id, performance.now());
    clients[i].publish(target === 'hub' ? `anxin/v1/dev/${id}/up/event` : `benchref2/${id}/up/event`, `{"seq":${++seq},"type":"press","ts":${Date.now()}}`, 1);
  });
  await sleep(1500);
  measuring = true;
  const t0 = performance.now();
  const sent0 = press.sent();
  await sleep(seconds * 1000);
  const dt = (performance.now() - t0) / 1000;
  const sentPerS = (press.sent() - sent0) / dt;
  press.stop();
  await sleep(1000);
  measuring = false;
  clearInterval(hb);
  for (const ws of consoles) ws.terminate();
  closeAll(clients);
  bridge?.kill('SIGTERM');
  const d = distribution(lat);
  const frameBytes = sampled > 0 ? Math.round(sampledBytes / sampled) : 0;
  if (target === 'hub' && frameBytes > 0) hubFrameBytes = frameBytes;
  return { rate: R, sentPerS, deliveredPerS: lat.length / dt, p50Ms: d.p50, p99Ms: d.p99, maxMs: d.max, frameBytes };
}
