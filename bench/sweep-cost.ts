/**
 * `npx tsx bench/sweep-cost.ts`: how long the health sweep's reads hold the event loop when nothing
 * has changed (every device healthy, the usual case every 5 s), and how long a presence transaction of
 * PRESENCE_CHUNK devices takes beside it (an index on what the sweep reads is written by presence).
 * A store of 10,000, then 50,000 devices; 40 sweeps and 40 presence transactions each, p50 and max.
 * Then the sweeps of two minutes (24, 5 s apart on the hub's clock), in a hub of N devices (10,000, then
 * 50,000) of which none, then a fifth, are already known to be offline, and then with all N known to be
 * untested for over 31 days. A sweep reads in pages over several turns of the event loop, and one a
 * minute is full while the others read only what fell due since the sweep before
 * (dispatcher/alerts/health-sweep.ts): each sweep's longest turn (what holds the loop), the sum of its
 * turns for the full sweeps and the others, and the work of a minute of sweeps in all.
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
      const sweep = hub.healthSweep as unknown as { draining: boolean; step(job: unknown): void; timer: NodeJS.Timeout };
      clearTimeout(sweep.timer); // only the sweeps below, on their own clock
      // A full sweep is one that reads low batteries (dispatcher/alerts/health-sweep.ts).
      let lowBatteryReads = 0;
      const lowBattery = hub.store.health.lowBattery.bind(hub.store.health);
      hub.store.health.lowBattery = (...a) => { lowBatteryReads++; return lowBattery(...a); };
      const drained = async () => { while (sweep.draining) await new Promise((r) => setTimeout(r, 5)); };
      if (UNTESTED) {
        // Installed 40 days ago and never test-pressed: every one has an open "test overdue" alert.
        hub.store.db.prepare("UPDATE devices SET created_at = ? WHERE id LIKE 'sw-%'").run(T - 40 * 86_400_000);
        // A full sweep: the one silenceFleet made at T would leave a change by hand to the next full sweep.
        (hub.healthSweep as unknown as { lastNow: number | null }).lastNow = null;
        hub.healthSweep.sweep(T);
        await drained();
      }
      // Every turn of a sweep timed: the first inside sweep(), the rest in step() on later turns.
      let turns: number[] = [];
      const step = sweep.step.bind(sweep);
      sweep.step = (job) => { const t0 = performance.now(); step(job); turns.push(performance.now() - t0); };
      const longest: number[] = [];
      const work = { full: [] as number[], other: [] as number[] };
      let n = 0;
      const SWEEPS = 24;
      for (let r = 0; r < SWEEPS; r++) {
        turns = [];
        lowBatteryReads = 0;
        hub.healthSweep.sweep(T + 5000 * (r + 1));
        await drained();
        longest.push(Math.max(...turns));
        (lowBatteryReads > 0 ? work.full : work.other).push(turns.reduce((a, b) => a + b, 0));
        n += turns.length;
        await new Promise((r) => setTimeout(r, 5));
      }
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const p50 = (xs: number[]) => (xs.length ? stats([...xs]).split(',')[0] : 'none');
      console.log(`hub of ${N} devices, ${OFFLINE} known offline, ${UNTESTED} known untested: longest turn ${stats(longest)}; `
        + `${work.full.length} full sweeps ${p50(work.full)}, ${work.other.length} others ${p50(work.other)}; `
        + `${((sum(work.full) + sum(work.other)) / (SWEEPS * 5 / 60)).toFixed(1)} ms of sweeping a minute, in ${(n / SWEEPS).toFixed(0)} turns a sweep`);
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
process.exit(0);
