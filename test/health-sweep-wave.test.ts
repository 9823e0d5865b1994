/**
 * A power cut: many devices go silent together. The health sweep raises their offline alerts 50 per
 * transaction, the first chunk at once and the rest on the following turns of the event loop, so
 * presses are still acked meanwhile; nothing is raised twice, even when sweeps come while it drains.
 * The injected clock; no sleeps for the sweep's timer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../dispatcher/clock.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { addDemoFleet } from './helpers/demo-fleet.ts';

const T0 = Date.parse('2026-11-25T02:00:00Z');
const SILENT = 130; // more than two chunks of 50
let t: TestHub;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(T0);
  t = await startTestHub({ clock });
  addDemoFleet(t.hub.store, 'cut-', SILENT, T0);
  t.hub.store.db.prepare("UPDATE devices SET last_seen = ? WHERE id LIKE 'cut-%'").run(T0);
});
afterAll(async () => { await t.stop(); });

const offline = (like = 'cut-%') => (t.hub.store.db.prepare("SELECT count(*) AS n FROM alerts WHERE kind = 'technical' AND reason = 'offline' AND device_id LIKE ?").get(like) as { n: number }).n;
const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

it(`${SILENT} devices silent at once: raised 50 per turn, each once, and a press is acked meanwhile`, async () => {
  const grid1 = await t.console('grid1');
  const dev = await t.device('demo-0002');
  clock.advance(10 * 60_000); // the sweep's timer fires (many times over ten minutes: the later ones find it still draining)
  // The first chunk only, in the sweep itself (the connected demo device has been silent as long, by this clock).
  expect(offline('%')).toBe(50);
  const pressed = await dev.send('press');
  expect(pressed.alertId).toBeTruthy();
  await until(() => offline() === SILENT);
  t.hub.healthSweep.sweep(clock.now()); // another sweep after it drained: nothing new to raise
  await new Promise((r) => setImmediate(r));
  expect(offline()).toBe(SILENT);
  // The grid-1 console heard the alert of each silent device in its grid, and of none outside it.
  const mine = (t.hub.store.db.prepare(`SELECT count(*) AS n FROM devices d JOIN households h ON h.id = d.household_id JOIN grid_nodes g ON g.id = h.grid_id
    WHERE d.id LIKE 'cut-%' AND g.name = '第一网格'`).get() as { n: number }).n;
  const heard = () => new Set(grid1.frames.filter((f) => f.type === 'change' && f.alert?.reason === 'offline' && f.alert.deviceId.startsWith('cut-')).map((f) => f.alert.deviceId));
  await until(() => heard().size >= mine);
  await new Promise((r) => setTimeout(r, 50));
  expect(heard().size).toBe(mine);
  expect(mine).toBeGreaterThan(0);
  expect(mine).toBeLessThan(SILENT);
});
