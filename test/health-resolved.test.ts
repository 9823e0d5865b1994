/**
 * A device problem staff resolved while it lasted (a resident in hospital, the button unplugged) is
 * not raised again by the next health sweep five seconds later; it is raised again once the problem
 * ended and came back (the device heard, then silent again; a test press, then overdue again), and
 * a low battery a day later if still low. Real hub, real sockets, the injected clock.
 */
import { afterEach, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { ManualClock } from '../dispatcher/clock.ts';
import { Store } from '../dispatcher/store/store.ts';
import { until } from './helpers/until.ts';
import { everyRow } from './helpers/every-row.ts';
import { startTestHub, tempDbPath, type TestHub } from './helpers/hub-harness.ts';

const T0 = Date.parse('2026-11-25T02:00:00Z');
let t: TestHub | undefined;
afterEach(async () => { await t?.stop(); t = undefined; });


it('an offline alert staff resolved stays resolved while the device is silent; heard and silent again, it is raised again', async () => {
  const clock = new ManualClock(T0);
  t = await startTestHub({ clock });
  const hub = t.hub;
  const grid1 = await t.console('grid1');
  const token = await t.login('grid1');
  const silentFor = (2 * 60 + 30) * 1000 + 6000;
  const heardThenGone = async () => {
    const dev = await t!.device('demo-0010');
    dev.heartbeat();
    const since = clock.now();
    await until(() => (hub.presence.flush(), (hub.store.devices.get('demo-0010')!.lastSeen ?? 0) >= since));
    await dev.close(false);
    // The hub notices the link gone (its presence flush) before the clock moves on, as it would within seconds.
    await until(() => (hub.presence.flush(), !hub.store.devices.get('demo-0010')!.online));
  };
  const offline = (except?: string) => grid1.waitFor((f) => f.type === 'change' && f.alert?.reason === 'offline' && f.alert?.deviceId === 'demo-0010' && f.alert.id !== except && f.alert.state === 'raised');

  await heardThenGone();
  clock.advance(silentFor);
  const first = (await offline()).alert;
  expect((await t.api('POST', `/api/alerts/${first.id}/ack`, token)).status).toBe(200);
  const done = await t.api('POST', `/api/alerts/${first.id}/resolve`, token, { outcome: 'other', note: 'in hospital, button unplugged' });
  expect(done.status).toBe(200);

  // A whole silence more, a sweep every 5 s.
  for (let waited = 0; waited < silentFor; waited += 6000) clock.advance(6000);
  await new Promise((r) => setTimeout(r, 100));
  expect(hub.store.alerts.openForDevice('demo-0010', 'technical', 'offline')).toBeUndefined();
  expect(everyRow((f, n) => hub.store.health.overdue({ now: clock.now(), graceS: 30, aliveCutoff: 0, startedAt: 0 }, f, n)).map((d) => d.id)).not.toContain('demo-0010');

  await heardThenGone();
  clock.advance(silentFor);
  const second = (await offline(first.id)).alert;
  expect(second.id).not.toBe(first.id);
});

it('the sweep queries: a resolved test reminder waits for the next test press, a resolved low battery for a day; cleared alerts do not count', () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  try {
    const now = 1_000_000_000_000;
    const day = 86_400_000;
    store.grid.add(null, '金水区', 'district');
    store.tx(() => {
      for (const id of ['untested', 'tested-after', 'low', 'low-cleared']) store.devices.create({ id, kind: 'mqtt-button', householdId: null, heartbeatS: 60 }, null, now - 40 * day);
      store.devices.applySeen([{ id: 'low', at: now, online: true, battery: 10 }, { id: 'low-cleared', at: now, online: true, battery: 10 }]);
    });
    const resolved = (deviceId: string, reason: string, raisedAt: number, outcome: 'other' | 'cleared') => store.tx(() => {
      const id = `${reason}-${deviceId}-${raisedAt}`;
      store.alerts.insert({ id, kind: 'technical', reason, deviceId, householdId: null, gridId: 1, gridPath: '/1/', state: 'raised', level: 0,
        presses: 0, isTest: false, detail: '', raisedAt, deadlineAt: null, deadlineKind: null });
      store.db.prepare("UPDATE alerts SET state = 'resolved', outcome = ?, resolved_at = ? WHERE id = ?").run(outcome, raisedAt + 1000, id);
    });
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
    const due = now - 31 * day;
    resolved('untested', 'test_overdue', now - 5 * day, 'other');
    resolved('tested-after', 'test_overdue', now - 5 * day, 'other');
    store.devices.markTest('tested-after', now - 2 * day); // tested since, and overdue again by the rule below
    expect(ids(everyRow((f, n) => store.health.testOverdue(now - day, f, n), 1))).toEqual(['low', 'low-cleared', 'tested-after']);
    expect(ids(everyRow((f, n) => store.health.testOverdue(due, f, n), 1))).toEqual(['low', 'low-cleared']);
    resolved('low', 'low_battery', now - 2 * 3600_000, 'other');
    resolved('low-cleared', 'low_battery', now - 2 * 3600_000, 'cleared');
    expect(ids(everyRow((f, n) => store.health.lowBattery(20, now, f, n), 1))).toEqual(['low-cleared']);
    expect(ids(everyRow((f, n) => store.health.lowBattery(20, now + day, f, n), 1))).toEqual(['low', 'low-cleared']);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
