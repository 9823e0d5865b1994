/**
 * `npx tsx bench/sweep-cost.ts`: how long the health sweep's reads hold the event loop when nothing
 * has changed (every device healthy, the usual case every 5 s), and how long a presence transaction of
 * PRESENCE_CHUNK devices takes beside it (an index on what the sweep reads is written by presence).
 * A store of 10,000, then 50,000 devices; 40 sweeps and 40 presence transactions each, p50 and max.
 * Then the whole sweep, 20 times, in a hub of N devices (10,000, then 50,000) of which none, then a
 * fifth, are already known to be offline, and then with all N known to be untested for over 31 days.
 * A sweep reads in pages over several turns of the event loop (dispatcher/alerts/health-sweep.ts): for
 * each, its longest turn (what holds the loop) and the sum of its turns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';

function stats(times: number[]): string {
  times.sort((a, b) => a - b);
  return `p50 ${times[Math.floor(times.length / 2)].toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms`;
}

for (const N of [10_000, 50_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-sweep-'));
  const s = Store.open(join(dir, 'a.db'));
  const now = Date.now();
  seedDemo(s, now);
  const hh = s.householdLists.list(null)[0].id;
  s.tx(() => {
    for (let i = 0; i < N; i++) s.devices.create({ id: `p-${i}`, kind: 'mqtt-button', householdId: hh }, 'x', now);
    s.devices.applySeen(Array.from({ length: N }, (_, i) => ({ id: `p-${i}`, at: now, online: true, battery: 80, rssi: -60 })));
  });
  const h = s.health;
  const sweeps: number[] = [];
  let found = 0;
  for (let r = 0; r < 40; r++) {
    const t0 = performance.now();
    found += h.openTechnical().length;
    found += h.overdue({ now: now + 1000, graceS: 30, aliveCutoff: 0, startedAt: now }).read;
    found += h.lowBattery(20, now).read;
    found += h.testOverdue(now - 31 * 86_400_000).read;
    sweeps.push(performance.now() - t0);
  }
  const presence: number[] = [];
  for (let r = 0; r < 40; r++) {
    const batch = Array.from({ length: 100 }, (_, k) => ({ id: `p-${(r * 100 + k * 37) % N}`, at: now + r, online: true, battery: 80, rssi: -60 }));
    const t0 = performance.now();
    s.txDeferred(() => s.devices.applySeen(batch));
    presence.push(performance.now() - t0);
  }
  console.log(`${N} devices: sweep reads ${stats(sweeps)} (${found} rows found); presence transaction of 100 ${stats(presence)}`);
  s.close();
  rmSync(dir, { recursive: true, force: true });
}

// The whole sweep, in a hub, when a fifth of N devices are already known to be offline (it finds them
// again every 5 s and has nothing to raise: a power cut in part of the street office), or all N untested.
{
  const { massEventHub, seedFleet, silenceFleet } = await import('./mass-seed.ts');
  for (const N of [10_000, 50_000]) {
    for (const [OFFLINE, UNTESTED] of [[0, 0], [N / 5, 0], [0, N]]) {
      const { hub, dir } = await massEventHub(0, Date.now());
      // Sweeps at a time ten minutes on, T: the healthy devices were heard then, the others an hour before the hub started.
      const now = Date.now();
      const T = now + 600_000;
      seedFleet(hub.store, 'sw', N, T);
      await silenceFleet(hub, 'sw', OFFLINE, now - 3_600_000, T);
      const sweep = hub.healthSweep as unknown as { draining: boolean; step(job: unknown): void };
      const drained = async () => { while (sweep.draining) await new Promise((r) => setTimeout(r, 5)); };
      if (UNTESTED) {
        // Installed 40 days ago and never test-pressed: every one has an open "test overdue" alert.
        hub.store.db.prepare("UPDATE devices SET created_at = ? WHERE id LIKE 'sw-%'").run(T - 40 * 86_400_000);
        hub.healthSweep.sweep(T);
        await drained();
      }
      // Every turn of a sweep timed: the first inside sweep(), the rest in step() on later turns.
      let turns: number[] = [];
      const step = sweep.step.bind(sweep);
      sweep.step = (job) => { const t0 = performance.now(); step(job); turns.push(performance.now() - t0); };
      const longest: number[] = [];
      const total: number[] = [];
      let n = 0;
      for (let r = 0; r < 20; r++) {
        turns = [];
        hub.healthSweep.sweep(T + 1000 * r);
        await drained();
        longest.push(Math.max(...turns));
        total.push(turns.reduce((a, b) => a + b, 0));
        n += turns.length;
        await new Promise((r) => setTimeout(r, 5));
      }
      console.log(`hub of ${N} devices, ${OFFLINE} known offline, ${UNTESTED} known untested: longest turn ${stats(longest)}; whole sweep ${stats(total)} in ${(n / 20).toFixed(0)} turns`);
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
process.exit(0);
