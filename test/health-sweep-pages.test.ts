/**
 * Devices that keep a problem for long (residents who never test-press their button) are walked by
 * every full health sweep, once a minute. The sweep reads them in pages of at most 500 rows per turn of the
 * event loop, however many there are, so a press is acked between two pages; each walk resumes
 * where the last page ended, and finds each device once. Every sweep here is a full one (once a minute
 * in the hub; health-sweep-incremental.test.ts has the sweeps between). The injected clock; no sleeps
 * for the timer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../dispatcher/clock.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { until } from './helpers/until.ts';
import { addDemoFleet } from './helpers/demo-fleet.ts';
import { countSweepReads, type SweepRead } from './helpers/sweep-reads.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-25T02:00:00Z');
const UNTESTED = 1_200;
let t: TestHub;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(T0);
  t = await startTestHub({ clock });
  addDemoFleet(t.hub.store, 'old-', UNTESTED, T0 - 40 * DAY);
  // Heard just now: only their monthly test is overdue.
  t.hub.store.devices.applySeen(Array.from({ length: UNTESTED }, (_, i) => ({ id: `old-${i}`, at: T0, online: true, battery: 90 })));
});
afterAll(async () => { await t.stop(); });

const sweep = () => t.hub.healthSweep as unknown as { draining: boolean; lastNow: number | null; sweep(now: number): void };
/** A full sweep, whatever the one before was: every walk from the start (health-sweep-incremental.test.ts has the others). */
const fullSweep = (now: number) => { sweep().lastNow = null; sweep().sweep(now); };
const overdueAlerts = () => (t.hub.store.db.prepare("SELECT count(*) AS n FROM alerts WHERE reason = 'test_overdue' AND device_id LIKE 'old-%'").get() as { n: number }).n;

it(`${UNTESTED} devices known to be untested: each sweep reads them in pages, a press is acked between two, nothing is raised twice`, async () => {
  fullSweep(T0);
  await until(() => !sweep().draining);
  expect(overdueAlerts()).toBe(UNTESTED);

  // Count the rows each read returns, and the reads made before the sweep first gives way to the loop.
  const reads: (SweepRead & { sync: boolean })[] = [];
  let sync = true;
  countSweepReads(t.hub.store.health, (r) => reads.push({ ...r, sync }));
  const dev = await t.device('demo-0003');
  fullSweep(T0 + 5_000);
  sync = false;
  expect(sweep().draining).toBe(true); // 2,400 rows to read: not in one turn
  const inFirstTurn = reads.filter((r) => r.sync).reduce((a, r) => a + r.read, 0);
  expect(inFirstTurn).toBeLessThanOrEqual(500);
  const pressed = await dev.send('press'); // acked while the sweep is still reading
  expect(pressed.alertId).toBeTruthy();
  await until(() => !sweep().draining);

  const rowsOf = (name: string) => reads.filter((r) => r.name === name).reduce((a, r) => a + r.read, 0);
  expect(rowsOf('testOverdue')).toBe(UNTESTED); // each device once, none raised again
  expect(rowsOf('testOverdueOver')).toBe(UNTESTED); // each open alert once, none cleared
  expect(reads.filter((r) => r.name === 'testOverdue').length).toBeGreaterThan(2);
  expect(Math.max(...reads.map((r) => r.limit))).toBeLessThanOrEqual(500);
  expect(overdueAlerts()).toBe(UNTESTED);

  // A test press ends one device's problem: the next sweep clears its alert and nothing else.
  t.hub.store.devices.markTest('old-7', T0 + 6_000);
  fullSweep(T0 + 10_000);
  await until(() => !sweep().draining);
  const open = t.hub.store.db.prepare("SELECT count(*) AS n FROM alerts WHERE reason = 'test_overdue' AND device_id LIKE 'old-%' AND state IN ('raised','accepted')").get() as { n: number };
  expect(open.n).toBe(UNTESTED - 1);
  expect(t.hub.store.alerts.openForDevice('old-7', 'technical', 'test_overdue')).toBeUndefined();
}, 60_000);
