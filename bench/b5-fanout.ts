/**
 * 5. Console fan-out: C console sockets, presses at R/s; deliveries per second counted at the
 * clients. Reference: Mosquitto delivering a message of the same size to C QoS 0 subscribers.
 */
import { closeAll, connectPool, hubDevice, openConsoles, pace, MOSQUITTO, sleep, type BenchHub } from './common.ts';
import { LiteClient } from './mqtt-lite.ts';

export interface FanoutSize { consoles: number; rate: number; seconds: number }

export async function fanout(size: FanoutSize, target: 'hub' | 'ref', hub: BenchHub): Promise<Record<string, number>> {
  const { consoles: C, rate: R, seconds } = size;
  let got = 0;
  let measuring = false;
  let frameBytes = 1500;
  const tag = `${process.pid}-${Date.now()}`;
  const devices = await connectPool(Math.min(500, hub.creds.length), (i) => hubDevice(hub, i));
  let subs: LiteClient[] = [];
  let sockets: { terminate(): void }[] = [];
  if (target === 'hub') {
    sockets = await openConsoles(hub.proc.httpUrl, C, (text) => { if (measuring) got++; else frameBytes = text.length; });
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
  const t0 = performance.now();
  const sent0 = tick.sent();
  await sleep(seconds * 1000);
  measuring = false;
  const dt = (performance.now() - t0) / 1000;
  const changesPerS = (tick.sent() - sent0) / dt;
  tick.stop();
  await sleep(500);
  for (const s of sockets) s.terminate();
  closeAll(subs);
  closeAll(devices);
  pub?.end();
  return { consoles: C, offeredPerS: C * changesPerS, deliveriesPerS: got / dt, frameBytes };
}
