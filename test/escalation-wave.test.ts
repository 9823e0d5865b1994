/**
 * A mass event's escalation wave: many calls nobody accepted fall due at the same moment. They are
 * stepped a chunk per turn of the event loop (deadline-scheduler.ts), each chunk reading only the next
 * few due; every call climbs once, consoles hear each once, and a press made during the wave is
 * committed and acked. The injected clock; no sleeps for deadlines.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../dispatcher/clock.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import type { ConsoleClient } from './helpers/console-client.ts';
import { seedOpenCalls } from './helpers/open-calls.ts';

const T0 = Date.parse('2026-11-25T02:00:00Z');
const CALLS = 130; // more than two chunks of 50
let t: TestHub;
let clock: ManualClock;
let community: ConsoleClient;
let ids: string[] = [];

beforeAll(async () => {
  clock = new ManualClock(T0);
  t = await startTestHub({ clock });
  await t.console('grid1');
  community = await t.console('community');
  ids = seedOpenCalls(t.hub.store, { count: CALLS, gridName: '第一网格', raisedAt: (i) => T0 - i, deadlineAt: T0 + 60_000 });
  t.hub.deadlines.arm();
});
afterAll(async () => { await t.stop(); });

it(`${CALLS} calls falling due together all climb once, and the community console hears each`, async () => {
  const dev = await t.device('demo-0005');
  clock.advance(60_000); // the first chunk runs here; the rest on the following turns of the event loop
  const pressed = await dev.send('press'); // acked while the wave is still being stepped
  expect(pressed.alertId).toBeTruthy();
  for (const id of ids) await community.change(id, (a) => a.level === 1, 10_000);
  const rows = t.hub.store.db.prepare(`SELECT level, count(*) AS n FROM alerts WHERE id IN (${ids.map(() => '?').join(',')}) GROUP BY level`).all(...ids);
  expect(rows).toEqual([{ level: 1, n: CALLS }]);
  // Each climbed once: one escalation entry per call, and none left due.
  const steps = t.hub.store.db.prepare(`SELECT count(*) AS n FROM alert_events WHERE type = 'escalated' AND alert_id IN (${ids.map(() => '?').join(',')})`).get(...ids) as { n: number };
  expect(steps.n).toBe(CALLS);
  expect(t.hub.store.alerts.dueIds(clock.now(), 1000)).toEqual([]);
});
