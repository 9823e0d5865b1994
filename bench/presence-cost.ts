/**
 * `npx tsx bench/presence-cost.ts`: how long one presence transaction holds the event loop, by the
 * number of devices it writes (a store of 50,000 devices; 40 transactions each, p50 and max). 10,000
 * devices heart-beating once a minute are 167 a second; 50,000 are 833 (alerts/presence.ts writes
 * PRESENCE_CHUNK per transaction).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';
const dir = mkdtempSync(join(tmpdir(), 'anxin-pc-'));
const s = Store.open(join(dir, 'a.db'));
seedDemo(s, Date.now());
const N = 50_000;
const hh = s.householdLists.list(null)[0].id;
s.tx(() => { for (let i = 0; i < N; i++) s.devices.create({ id: `p-${i}`, kind: 'mqtt-button', householdId: hh }, 'x', Date.now()); });
for (const per of [100, 167, 833]) {
  const times: number[] = [];
  for (let r = 0; r < 40; r++) {
    const batch = Array.from({ length: per }, (_, k) => ({ id: `p-${(r * per + k * 37) % N}`, at: Date.now(), online: true, battery: 80, rssi: -60 }));
    const t0 = performance.now();
    s.txDeferred(() => s.devices.applySeen(batch));
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  times.sort((a, b) => a - b);
  console.log(`presence flush of ${per} devices: p50 ${times[20].toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms`);
}
s.close();
rmSync(dir, { recursive: true, force: true });
