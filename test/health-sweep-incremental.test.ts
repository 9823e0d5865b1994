/**
 * Between full health sweeps (one a minute), a sweep reads only what fell due since the sweep before:
 * devices that kept a problem nobody fixed are not read again every 5 s. What falls due is still raised
 * at the next sweep, and so is a low battery reported in a heartbeat (and cleared a recovered one); a heartbeat interval shortened by
 * hand at the next full sweep; a test press clears its reminder at once. The hub's own sweep timer on the injected
 * clock, 5 s at a time; no sleeps for it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../dispatcher/clock.ts';
import { FULL_SWEEP_EVERY_MS } from '../dispatcher/alerts/health-sweep.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { until } from './helpers/until.ts';
import { addDemoFleet } from './helpers/demo-fleet.ts';
import { countSweepReads, type SweepRead } from './helpers/sweep-reads.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-25T02:00:00Z');
const UNTESTED = 600;
let t: TestHub;
let clock: ManualClock;
/** The sweeps the timer ran, each with the pages it read. */
let sweeps: { at: number; reads: SweepRead[] }[] = [];

const hs = () => t.hub.healthSweep as unknown as { draining: boolean; sweep(now?: number): void; settings: { heartbeatGraceS: number } };
const openAlert = (deviceId: string, reason: string) => t.hub.store.alerts.openForDevice(deviceId, 'technical', reason);
const isFull = (s: { reads: SweepRead[] }) => s.reads.some((r) => r.name === 'lowBattery');
const rows = (s: { reads: SweepRead[] }) => s.reads.reduce((a, r) => a + r.read, 0);
/** Records the sweeps of the hub now running, and the pages each reads. */
function watchSweeps(): void {
  const sweep = hs().sweep.bind(hs());
  hs().sweep = (at = clock.now()) => { sweeps.push({ at, reads: [] }); sweep(at); };
  countSweepReads(t.hub.store.health, (r) => sweeps.at(-1)?.reads.push(r));
}
/** Moves the clock on until a full sweep has just run: the next sweep will not be one. */
async function untilAfterFullSweep(): Promise<void> {
  sweeps = [];
  while (!sweeps.length || !isFull(sweeps.at(-1)!)) await tick(5000);
}
/** Moves the clock on 5 s at a time: one sweep each, drained before the next. */
async function tick(ms: number): Promise<void> {
  for (let k = 0; k < ms / 5000; k++) {
    clock.advance(5000);
    await until(() => !hs().draining);
  }
}

beforeAll(async () => {
  clock = new ManualClock(T0);
  t = await startTestHub({ clock });
  await tick(10 * 60_000); // past the start-up grace (the first sweep after it ends is full)
  const now = clock.now();
  addDemoFleet(t.hub.store, 'old-', UNTESTED, now - 40 * DAY);
  t.hub.store.devices.applySeen(Array.from({ length: UNTESTED }, (_, i) => ({ id: `old-${i}`, at: now, online: true, battery: 90 })));
  t.hub.store.db.prepare("UPDATE devices SET heartbeat_s = 86400 WHERE id LIKE 'old-%'").run(); // heard for the whole test: only untested
  watchSweeps();
  await tick(FULL_SWEEP_EVERY_MS); // a full sweep raises the reminders of the untested
});
afterAll(async () => { await t.stop(); });

it(`a full sweep once a minute; between them a sweep reads what fell due since the one before, not the ${UNTESTED} devices still untested`, async () => {
  expect(sweeps.filter(isFull)).toHaveLength(1);
  expect(Array.from({ length: UNTESTED }, (_, i) => openAlert(`old-${i}`, 'test_overdue')).every(Boolean)).toBe(true);
  sweeps = [];
  // Two devices that fall due 7 s from now: one silent too long, one installed 31 days ago and never tested.
  const now = clock.now();
  const store = t.hub.store;
  store.devices.create({ id: 'quiet-0', kind: 'mqtt-button', householdId: null, heartbeatS: 60 }, 'x', now - DAY);
  store.devices.applySeen([{ id: 'quiet-0', at: now + 7_000 - 120_000 - hs().settings.heartbeatGraceS * 1000, online: true }]);
  store.devices.create({ id: 'soon-0', kind: 'mqtt-button', householdId: null, heartbeatS: 86400 }, 'x', now - 31 * DAY + 7_000);
  store.devices.applySeen([{ id: 'soon-0', at: now, online: true }]);

  await tick(FULL_SWEEP_EVERY_MS * 2);
  expect(sweeps).toHaveLength(24);
  const full = sweeps.filter(isFull);
  expect(full).toHaveLength(2);
  expect(full[1].at - full[0].at).toBe(FULL_SWEEP_EVERY_MS);
  for (const s of full) expect(rows(s)).toBeGreaterThanOrEqual(2 * UNTESTED); // the untested and their open reminders
  for (const s of sweeps.filter((x) => !isFull(x))) {
    expect(rows(s)).toBeLessThanOrEqual(2); // only what fell due: the two new devices, and quiet-0's open alert
    expect(s.reads.map((r) => r.name).sort()).toEqual(['overdue', 'overdueOver', 'testOverdue']);
  }
  // Both raised by the first sweep after they fell due, whichever kind it was.
  const raisedAt = (id: string, reason: string) => openAlert(id, reason)?.raisedAt;
  const firstAfter = sweeps.find((s) => s.at > now + 7_000)!.at;
  expect(raisedAt('quiet-0', 'offline')).toBe(firstAfter);
  expect(raisedAt('soon-0', 'test_overdue')).toBe(firstAfter);
  // Heard again: its offline alert is cleared by the next sweep, though it is not a full one.
  await untilAfterFullSweep();
  store.devices.applySeen([{ id: 'quiet-0', at: clock.now(), online: true }]);
  sweeps = [];
  await tick(5000);
  expect(isFull(sweeps[0])).toBe(false);
  expect(openAlert('quiet-0', 'offline')).toBeUndefined();
});

it('a heartbeat interval shortened by hand, and a low battery written by another hand: raised by the next full sweep, within a minute', async () => {
  const store = t.hub.store;
  const now = clock.now();
  store.devices.create({ id: 'slow-0', kind: 'mqtt-button', householdId: null, heartbeatS: 3600 }, 'x', now - DAY);
  store.devices.applySeen([{ id: 'slow-0', at: now - 1_800_000, online: true, battery: 90 }, { id: 'old-3', at: now, online: true, battery: 9 }]);
  await tick(5000);
  sweeps = [];
  store.db.prepare("UPDATE devices SET heartbeat_s = 60 WHERE id = 'slow-0'").run(); // silent for 30 min at once
  await tick(FULL_SWEEP_EVERY_MS);
  const full = sweeps.findIndex(isFull);
  expect(full).toBeGreaterThanOrEqual(0);
  for (const [id, reason] of [['slow-0', 'offline'], ['old-3', 'low_battery']]) {
    expect(openAlert(id, reason)?.raisedAt).toBe(sweeps[full].at);
  }
});

it('a low battery in a heartbeat: raised by the next sweep, not the next full one; not twice, and not again within a day of staff resolving it', async () => {
  const dev = await t.device('demo-0005');
  const pending = () => (t.hub.presence as unknown as { pending: Map<string, { battery?: number }> }).pending;
  const heartbeat = async (battery: number) => {
    (dev as unknown as { opts: { battery: number } }).opts.battery = battery;
    dev.heartbeat();
    await until(() => pending().get('demo-0005')?.battery === battery);
  };
  await untilAfterFullSweep();
  await heartbeat(55); // above the threshold: nothing
  await tick(5000);
  expect(openAlert('demo-0005', 'low_battery')).toBeUndefined();

  await untilAfterFullSweep();
  await heartbeat(12);
  const heardAt = clock.now();
  sweeps = [];
  await tick(10_000); // written by the presence flush a second later; raised by the first sweep after that
  const raised = openAlert('demo-0005', 'low_battery');
  const by = sweeps.find((x) => x.at > heardAt + 1000)!;
  expect(isFull(by)).toBe(false);
  expect(raised).toMatchObject({ raisedAt: by.at, detail: 'battery 12%' });
  expect(raised!.raisedAt - heardAt).toBeLessThanOrEqual(6000);

  await heartbeat(11); // still low, heard again: the same alert
  await tick(5000);
  expect(openAlert('demo-0005', 'low_battery')?.id).toBe(raised!.id);
  expect(t.hub.store.alerts.openRefs().filter((r) => r.kind === 'technical' && t.hub.store.alerts.get(r.id)!.deviceId === 'demo-0005')).toHaveLength(1);

  const token = await t.login('admin');
  expect((await t.api('POST', `/api/alerts/${raised!.id}/ack`, token)).status).toBe(200);
  expect((await t.api('POST', `/api/alerts/${raised!.id}/resolve`, token, { outcome: 'other', note: 'new batteries ordered' })).status).toBe(200);
  await untilAfterFullSweep();
  await heartbeat(10); // resolved by staff an hour ago at most: left alone, as the full sweep leaves it
  await tick(5000);
  expect(openAlert('demo-0005', 'low_battery')).toBeUndefined();
  await tick(FULL_SWEEP_EVERY_MS);
  expect(openAlert('demo-0005', 'low_battery')).toBeUndefined();
  await dev.close(false);
});

it('new batteries: a recovered battery in a heartbeat clears the alert at the next sweep, not the next full one; a reading inside the hysteresis does not', async () => {
  const dev = await t.device('demo-0006');
  const admin = await t.console('admin');
  const health = t.hub.store.health;
  const recoveredChecks: string[] = [];
  const batteryRecovered = health.batteryRecovered.bind(health);
  health.batteryRecovered = (id, below) => { recoveredChecks.push(id); return batteryRecovered(id, below); };
  const pending = () => (t.hub.presence as unknown as { pending: Map<string, { battery?: number }> }).pending;
  const heartbeat = async (battery: number) => {
    (dev as unknown as { opts: { battery: number } }).opts.battery = battery;
    dev.heartbeat();
    await until(() => pending().get('demo-0006')?.battery === battery);
  };
  try {
    await heartbeat(12);
    await tick(10_000);
    const low = openAlert('demo-0006', 'low_battery');
    expect(low).toBeTruthy();

    await untilAfterFullSweep();
    await heartbeat(25); // over the threshold (20 %) but inside the hysteresis (30 %): still low
    sweeps = [];
    await tick(10_000);
    expect(sweeps.some(isFull)).toBe(false);
    expect(openAlert('demo-0006', 'low_battery')?.id).toBe(low!.id);

    await untilAfterFullSweep();
    await heartbeat(96);
    const heardAt = clock.now();
    sweeps = [];
    recoveredChecks.length = 0;
    await tick(10_000);
    const by = sweeps.find((x) => x.at > heardAt + 1000)!;
    expect(isFull(by)).toBe(false);
    expect(openAlert('demo-0006', 'low_battery')).toBeUndefined();
    const cleared = t.hub.store.alerts.get(low!.id)!;
    expect(cleared).toMatchObject({ state: 'resolved', outcome: 'cleared' });
    expect(cleared.resolvedAt! - heardAt).toBeLessThanOrEqual(6000);
    await until(() => admin.frames.some((f) => f.type === 'change' && f.alert?.id === low!.id && f.alert.state === 'resolved'));
    expect(recoveredChecks).toEqual(['demo-0006']);

    // Healthy, with no alert open: its heartbeats are not looked up again.
    await heartbeat(95);
    await tick(10_000);
    expect(recoveredChecks).toEqual(['demo-0006']);
  } finally {
    health.batteryRecovered = batteryRecovered;
    await dev.close(false);
  }
});

it('a test press clears its reminder at once, in its own commit, without waiting for a sweep', async () => {
  const store = t.hub.store;
  store.db.prepare("UPDATE devices SET created_at = ?, last_test_at = NULL WHERE id = 'demo-0003'").run(clock.now() - 40 * DAY);
  await tick(FULL_SWEEP_EVERY_MS); // its key moved back by hand: the full sweep finds it
  const reminder = openAlert('demo-0003', 'test_overdue');
  expect(reminder).toBeTruthy();
  const admin = await t.console('admin');
  const dev = await t.device('demo-0003');
  sweeps = [];
  await dev.send('test');
  expect(sweeps).toHaveLength(0);
  expect(openAlert('demo-0003', 'test_overdue')).toBeUndefined();
  expect(store.alerts.get(reminder!.id)).toMatchObject({ state: 'resolved', outcome: 'cleared' });
  await until(() => admin.frames.some((f) => f.type === 'change' && f.alert?.id === reminder!.id && f.alert.state === 'resolved'));
});

it('a sweep that fails: the next one is full', async () => {
  await untilAfterFullSweep(); // the next sweep would not be full
  const health = t.hub.store.health as unknown as { overdue(...a: unknown[]): unknown };
  const overdue = health.overdue;
  health.overdue = () => { throw new Error('disk I/O error'); };
  sweeps = [];
  await tick(5000);
  health.overdue = overdue;
  await tick(5000);
  expect(sweeps.map(isFull)).toEqual([false, true]);
});

it('after a restart, a device the start-up grace held back is raised by the first sweep after its grace ends, though its key did not move', async () => {
  // Heard 10 minutes before the restart, a heartbeat every 615 s: overdue by its own key 11 minutes after the
  // restart, but held back by the grace (a full interval from start-up) for 21 (2 x 615 s + 30 s: half-way
  // between two of the minute's full sweeps, which follow the one after the 60-second devices' grace).
  const store = t.hub.store;
  const grace = hs().settings.heartbeatGraceS * 1000;
  const heard = clock.now() - 600_000;
  store.devices.create({ id: 'gone-0', kind: 'mqtt-button', householdId: null, heartbeatS: 615 }, 'x', heard - DAY);
  store.devices.applySeen([{ id: 'gone-0', at: heard, online: true }]);
  await tick(5000);
  // As if the hub's last sweep before the restart had run when the device was last heard: the grace is for
  // the devices heard since then (health-repo.ts, PAST_START_GRACE).
  store.health.setState('alive_at', heard);
  await t.restart({ clock });
  const started = clock.now();
  sweeps = [];
  watchSweeps();
  await tick(25 * 60_000);
  const graceEnd = started + (1230_000 + grace);
  const raising = sweeps.findIndex((s) => s.at > graceEnd);
  expect(t.hub.store.alerts.openForDevice('gone-0', 'technical', 'offline')?.raisedAt).toBe(sweeps[raising].at);
  expect(isFull(sweeps[raising])).toBe(true);
  // The grace of the untested devices (a heartbeat a day) ends in two days: the sweeps until then are not all full.
  expect(sweeps.filter(isFull).length).toBeLessThan(sweeps.length / 6);
  // Not the minute's full sweep that happened to come then: the one before it was less than a minute before.
  const fullBefore = sweeps.slice(0, raising).filter(isFull).at(-1)!;
  expect(sweeps[raising].at - fullBefore.at).toBeLessThan(FULL_SWEEP_EVERY_MS);
});
