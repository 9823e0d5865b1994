/**
 * `npx tsx bench/household-cost.ts [N] [OFFLINE]`: what a household the hub does not hold in memory
 * costs, in a street office of N households (default 10,000), each with its own call button, one
 * resident and two contacts. The hub reads a household the first time it needs one after start-up:
 * a call from it, or its button's offline alert.
 * - `missUs`: one household read (its row, residents and contacts) on a store of that size, µs.
 * - A power cut: OFFLINE buttons (default 2,000) silent at once, with nothing in memory; the hub's
 *   longest event-loop pause while the health sweep raises their offline alerts, and how long until
 *   all are raised. The hub runs in this process.
 * Not a test: a figure.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { massEventHub, seedFleet, silenceFleet } from './mass-seed.ts';

const N = Number(process.argv[2] ?? 10_000);
const OFFLINE = Number(process.argv[3] ?? 2_000);
const { hub, dir } = await massEventHub(0, Date.now());
const s = hub.store;
const now = Date.now();
seedFleet(s, 'hh', N, now, true);
const ids = (s.db.prepare("SELECT household_id AS h FROM devices WHERE id LIKE 'hh-%'").all() as { h: number }[]).map((r) => r.h);

const us: number[] = [];
for (const id of ids.slice(0, 2_000)) {
  const t = performance.now();
  s.households.get(id);
  us.push((performance.now() - t) * 1000);
}
us.sort((a, b) => a - b);
s.households.forgetCache();

const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const t0 = performance.now();
await silenceFleet(hub, 'hh', OFFLINE, now - 3_600_000, now);
const allRaisedMs = performance.now() - t0;
h.disable();
console.log(JSON.stringify({ households: N, missUsP50: +us[us.length >> 1].toFixed(1), missUsP99: +us[Math.floor(us.length * 0.99)].toFixed(1),
  devicesOffline: OFFLINE, allRaisedMs: Math.round(allRaisedMs), maxPauseMs: +(h.max / 1e6).toFixed(1) }));
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
