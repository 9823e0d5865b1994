/** Issue: lifecycle and escalation. Real sockets, the injected ManualClock, no sleeps for deadlines. */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../dispatcher/clock.ts';
import { until } from './helpers/until.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { VIEW_TIMELINE_MAX } from '../dispatcher/store/live-cache.ts';

// 10:00 on a Wednesday in Shanghai.
const T0 = Date.parse('2026-11-25T02:00:00Z');
let t: TestHub | undefined;
afterEach(async () => { await t?.stop(); t = undefined; });

const events = (t: TestHub, id: string) => t.hub.store.alerts.timeline(id).map((e) => e.type);

describe('escalation up the grid (三级网格长)', () => {
  it('reaches community after the timeout; an accept stops it; grid1 still sees it', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    const grid1 = await t.console('grid1');
    const community = await t.console('community');
    const dev = await t.device('demo-0001');
    const { alertId } = await dev.send('press');
    const first = await grid1.change(alertId!);
    expect(first.level).toBe(0);
    expect(first.notified).toContain(t.hub.store.staff.byUsername('grid1')!.id);

    clock.advance(59_000);
    expect(t.hub.store.alerts.get(alertId!)!.level).toBe(0);
    clock.advance(2_000);
    const up = await community.change(alertId!, (a) => a.level === 1);
    expect(up.levelName).toBe('商城花园社区');
    expect(up.timeline.map((e: any) => e.type)).toContain('escalated');
    await grid1.change(alertId!, (a) => a.level === 1); // still visible below

    const token = await t.login('community');
    expect((await t.api('POST', `/api/alerts/${alertId}/ack`, token)).status).toBe(200);
    await dev.waitForNotify('help_coming', alertId!);
    const before = events(t, alertId!).length;
    clock.advance(10 * 60_000);
    const a = t.hub.store.alerts.get(alertId!)!;
    expect(a.state).toBe('accepted');
    expect(a.level).toBe(1);
    expect(events(t, alertId!).slice(before)).not.toContain('escalated');
    await grid1.change(alertId!, (x) => x.state === 'accepted');
  });

  it('a level with nobody connected is skipped at once, up to the top, and the top keeps being re-notified', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    const dev = await t.device('demo-0011');
    const { alertId } = await dev.send('press');
    let a = t.hub.store.alerts.get(alertId!)!;
    expect(a.level).toBe(3); // 第二网格 → 社区 → 街道 → 管城区, nobody connected anywhere
    expect(events(t, alertId!).filter((e) => e === 'level_skipped')).toHaveLength(4);
    clock.advance(61_000);
    clock.advance(61_000);
    a = t.hub.store.alerts.get(alertId!)!;
    expect(a.level).toBe(3);
    expect(events(t, alertId!).filter((e) => e === 'renotified').length).toBe(2);
    expect(a.deadlineAt).toBeGreaterThan(clock.now());
  });

  it('an accepted call with nobody on site is re-notified to the acceptor and the level above', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    await t.console('grid1');
    await t.console('community');
    const dev = await t.device('demo-0002');
    const { alertId } = await dev.send('press');
    await t.api('POST', `/api/alerts/${alertId}/ack`, await t.login('grid1'));
    clock.advance(30 * 60_000 + 1000);
    const tl = t.hub.store.alerts.timeline(alertId!);
    const overdue = tl.filter((e) => e.type === 'notified' && e.data.reason === 'arrive_overdue');
    expect(overdue).toHaveLength(1);
    const ids = overdue[0].data.notified as number[];
    expect(ids).toContain(t.hub.store.staff.byUsername('grid1')!.id);
    expect(ids).toContain(t.hub.store.staff.byUsername('community')!.id);
  });
});

describe('deadlines survive restarts', () => {
  it('a restart in the middle of an escalation: the deadline fires on time afterwards', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    await t.console('grid1');
    const dev = await t.device('demo-0003');
    const { alertId } = await dev.send('press');
    clock.advance(30_000);
    await t.restart();
    await t.console('grid1');
    await t.console('community');
    clock.advance(29_000);
    expect(t.hub.store.alerts.get(alertId!)!.level).toBe(0);
    clock.advance(2_000);
    expect(t.hub.store.alerts.get(alertId!)!.level).toBe(1);
  });

  it('a deadline that fell due while the hub was down fires at start-up', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    await t.console('grid1');
    const dev = await t.device('demo-0004');
    const { alertId } = await dev.send('press');
    await t.hub.stop();
    clock.advance(5 * 60_000); // the hub is down for five minutes
    await t.restart();
    const due = t.hub.store.alerts.get(alertId!)!;
    expect(due.deadlineAt).toBeLessThan(clock.now());
    clock.advance(0); // the re-armed timer has a zero delay
    expect(t.hub.store.alerts.get(alertId!)!.level).toBeGreaterThan(0);
    expect(events(t, alertId!)).toContain('escalated');
  });
});

describe('staff actions', () => {
  it('two staff accepting at the same moment: exactly one wins, the other is told who has it', async () => {
    t = await startTestHub();
    const dev = await t.device('demo-0005');
    const { alertId } = await dev.send('press');
    const [g1, c] = await Promise.all([t.login('grid1'), t.login('community')]);
    const results = await Promise.all([t.api('POST', `/api/alerts/${alertId}/ack`, g1), t.api('POST', `/api/alerts/${alertId}/ack`, c)]);
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    const winner = results.find((r) => r.status === 200)!;
    expect(loser.body.error.code).toBe('E_ILLEGAL_TRANSITION');
    expect(loser.body.error.holder.name).toBe(winner.body.alert.acceptedBy.name);
    expect(loser.body.error.message).toContain(winner.body.alert.acceptedBy.name);
  });

  it('on site and resolve with an outcome tell the device; resolving twice is a 409', async () => {
    t = await startTestHub();
    const dev = await t.device('demo-0006');
    const { alertId } = await dev.send('press');
    const g1 = await t.login('grid1');
    await t.api('POST', `/api/alerts/${alertId}/ack`, g1);
    expect((await t.api('POST', `/api/alerts/${alertId}/arrive`, g1)).status).toBe(200);
    await dev.waitForNotify('on_site', alertId!);
    const bad = await t.api('POST', `/api/alerts/${alertId}/resolve`, g1, { outcome: 'teleported' });
    expect(bad.status).toBe(400);
    const ok = await t.api('POST', `/api/alerts/${alertId}/resolve`, g1, { outcome: 'hospital', note: '送往郑州市第七人民医院' });
    expect(ok.status).toBe(200);
    expect(ok.body.alert.outcome).toBe('hospital');
    await dev.waitForNotify('resolved', alertId!);
    const again = await t.api('POST', `/api/alerts/${alertId}/resolve`, g1, { outcome: 'assisted' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('E_ILLEGAL_TRANSITION');
    const timeline = await t.api('GET', `/api/alerts/${alertId}/timeline`, g1);
    expect(timeline.body.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['raised', 'notified', 'accepted', 'on_site', 'resolved']));
    expect(timeline.body.timeToArriveS).toBeGreaterThanOrEqual(0);
  });

  it('a resident cancel marks it but keeps it queued until staff confirm; a late cancel changes nothing', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    await t.console('grid1');
    const dev = await t.device('demo-0007');
    const { alertId } = await dev.send('press');
    await dev.send('cancel');
    expect(t.hub.store.alerts.get(alertId!)!.state).toBe('cancelled');
    await dev.waitForNotify('cancelled', alertId!);
    const g1 = await t.login('grid1');
    const open = await t.api('GET', '/api/alerts', g1);
    expect(open.body.alerts.find((a: any) => a.id === alertId).state).toBe('cancelled');
    expect((await t.api('POST', `/api/alerts/${alertId}/confirm-cancel`, g1)).status).toBe(200);
    expect(t.hub.store.alerts.get(alertId!)!.outcome).toBe('resident_cancelled');
    expect((await t.api('GET', '/api/alerts', g1)).body.alerts.map((a: any) => a.id)).not.toContain(alertId);

    const second = await dev.send('press');
    clock.advance(3 * 60_000);
    await t.console('grid1');
    await dev.send('cancel');
    const late = t.hub.store.alerts.get(second.alertId!)!;
    expect(late.state).not.toBe('cancelled');
    expect(events(t, second.alertId!)).toContain('cancel_too_late');
  });

  it('a repeat press is recorded on the same alert, raises its urgency and the consoles show it', async () => {
    t = await startTestHub();
    const grid1 = await t.console('grid1');
    const dev = await t.device('demo-0008');
    const a = await dev.send('press');
    const b = await dev.send('press');
    expect(b.alertId).toBe(a.alertId);
    const shown = await grid1.change(a.alertId!, (x) => x.presses === 2);
    expect(shown.timeline.map((e: any) => e.type)).toContain('repeat_press');
    expect(t.hub.store.db.prepare("SELECT count(*) AS n FROM alerts WHERE device_id = 'demo-0008'").get()).toEqual({ n: 1 });
    await dev.send('press');
    await grid1.change(a.alertId!, (x) => x.presses === 3);
    const exported = await t.api('GET', `/api/alerts/${a.alertId}/timeline`, await t.login('grid1'));
    expect(exported.body.timeline.filter((e: any) => e.type === 'repeat_press').map((e: any) => e.data.presses)).toEqual([2, 3]); // the export keeps every press
    // Pressing again after a cancel reopens the call, and that is logged.
    await dev.send('cancel');
    await grid1.change(a.alertId!, (x) => x.state === 'cancelled');
    await dev.send('press');
    const reopened = await grid1.change(a.alertId!, (x) => x.presses === 4);
    expect(reopened.state).toBe('raised');
    expect(reopened.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['cancelled_by_resident', 'reopened', 'repeat_press']));
    expect(events(t, a.alertId!).filter((e) => e === 'repeat_press')).toEqual([]); // presses live in device_events
  });
});

describe('tests and technical alerts', () => {
  it('a test press is acked and recorded but never becomes a call or counts in statistics', async () => {
    t = await startTestHub();
    const dev = await t.device('demo-0009');
    const r = await dev.send('test');
    expect(r.alertId).toBeNull();
    expect(t.hub.store.devices.get('demo-0009')!.lastTestAt).not.toBeNull();
    const rep = await t.api('GET', '/api/reports/response-times', await t.login('admin'));
    expect(rep.body.totals.raised).toBe(0);
  });

  it('a press marks its device heard at the next presence flush, not in the press commit; a disconnect seen first keeps it offline', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    const dev = await t.device('demo-0011');
    t.hub.presence.flush(); // the connection itself
    clock.advance(30_000);
    await dev.send('press');
    expect(t.hub.store.devices.get('demo-0011')!.lastSeen).toBeLessThan(clock.now()); // acked, last seen not yet written
    t.hub.presence.flush();
    expect(t.hub.store.devices.get('demo-0011')).toMatchObject({ lastSeen: clock.now(), online: true });

    // The event was received before the disconnect, so the disconnect wins whatever order they are written in.
    const at = clock.now() + 1000;
    t.hub.presence.observe({ kind: 'presence', deviceId: 'demo-0011', online: false, at, cause: 'disconnected' });
    t.hub.presence.heard('demo-0011', at - 5);
    t.hub.presence.flush();
    expect(t.hub.store.devices.get('demo-0011')).toMatchObject({ lastSeen: at, online: false });
  });

  it('a silent device raises an offline technical alert, and it clears when the device is back', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    const grid1 = await t.console('grid1');
    const dev = await t.device('demo-0010');
    dev.heartbeat();
    await until(() => t!.hub.store.devices.get('demo-0010')?.lastSeen != null || (t!.hub.presence.flush(), false));
    await dev.close(false);
    clock.advance((2 * 60 + 30) * 1000 + 6000);
    const off = await grid1.waitFor((f) => f.type === 'change' && f.alert?.kind === 'technical' && f.alert?.reason === 'offline' && f.alert?.deviceId === 'demo-0010');
    expect(off.alert.state).toBe('raised');
    const back = await t.device('demo-0010');
    back.heartbeat();
    await until(() => (t!.hub.presence.flush(), (t!.hub.store.devices.get('demo-0010')!.lastSeen ?? 0) >= clock.now()));
    clock.advance(6000);
    await grid1.change(off.alert.id, (a) => a.state === 'resolved' && a.outcome === 'cleared');
  });
});

describe('a burst of due escalations', () => {
  it('steps 130 calls in chunks of 50, one chunk per turn of the event loop, and all of them climb', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    await t.console('grid1'); // someone online, so calls wait at grid level for their timeout
    const admin = await t.login('admin', 'demo-pass');
    const grid = (await t.api('GET', '/api/grid', admin)).body.nodes.find((n: any) => n.name === '第一网格');
    const made = await t.api('POST', '/api/devices/bulk', admin, { prefix: 'burst-', count: 130, gridId: grid.id });
    expect(made.status).toBe(201);
    const ids = (await Promise.all((made.body.devices as { id: string }[]).map((d, i) => t!.hub.ingest.commitEvent({
      kind: 'device-event', deviceId: d.id, seq: i + 1, type: 'press', deviceTs: null, receivedAt: clock.now(), via: 'test',
    })))).map((r) => r.alertId!);
    expect(ids.every((id) => t!.hub.store.alerts.get(id)!.level === 0)).toBe(true);
    const chunks: number[] = [];
    const stepMany = t.hub.alerts.stepMany.bind(t.hub.alerts);
    t.hub.alerts.stepMany = (alertIds, now) => { chunks.push(alertIds.length); return stepMany(alertIds, now); };
    clock.advance(61_000);
    expect(chunks).toEqual([50]); // the rest waits for the next turn: devices and consoles are served in between
    await until(() => chunks.length === 3);
    expect(chunks).toEqual([50, 50, 30]);
    // Nobody is online above grid level, so each climbs past the empty levels to the top.
    expect(ids.every((id) => t!.hub.store.alerts.get(id)!.level > 0 && events(t!, id).includes('escalated'))).toBe(true);
  });
});

describe('a call nobody accepts for hours', () => {
  it('its live view stays bounded (first and latest entries, the rest counted), who was notified stays whole, the export keeps everything; the "nobody online" alert gains one entry per arriving call, not one per re-notification', async () => {
    const clock = new ManualClock(T0);
    t = await startTestHub({ clock });
    const grid1 = await t.console('grid1');
    const first = await (await t.device('demo-0001')).send('press');
    await grid1.change(first.alertId!);
    grid1.close();
    await until(() => t!.hub.socket.connectedCount() === 0);
    await (await t.device('demo-0002')).send('press'); // nobody online: raises the technical alert
    const tech = t.hub.store.health.openHubWide('no_staff_online')!;
    expect(tech).toBeTruthy();
    // An admin who is off duty keeps a console open: the call still reaches nobody on duty, and the
    // alert's record on that console gains the call that joined it (the alert changes version).
    const district = t.hub.store.grid.list().find((n) => n.level === 'district')!;
    t.hub.store.rosters.addOverride(district.id, { staffId: t.hub.store.staff.byUsername('admin')!.id, startsAt: T0, endsAt: T0 + 86_400_000, onDuty: false });
    const watcher = await t.console('admin');
    const versionBefore = t.hub.store.alerts.get(tech)!.version;
    await (await t.device('demo-0003')).send('press'); // joins it
    expect(t.hub.store.alerts.get(tech)!.version).toBe(versionBefore + 1);
    const change = await watcher.change(tech);
    expect(change.timeline.map((e: { type: string }) => e.type)).toContain('nobody_online_again');
    watcher.close();
    const joined = () => t!.hub.store.alerts.timeline(tech).filter((e) => e.type === 'nobody_online_again').length;
    expect(joined()).toBe(1);
    for (let i = 0; i < 90; i++) clock.advance(61_000);
    expect(joined()).toBe(1);

    const full = t.hub.store.alerts.timeline(first.alertId!);
    expect(full.length).toBeGreaterThan(60);
    const admin = await t.login('admin');
    const { alert } = (await t.api('GET', `/api/alerts/${first.alertId}`, admin)).body;
    expect(alert.timeline).toHaveLength(VIEW_TIMELINE_MAX);
    expect(alert.timelineOmitted).toBe(full.length - VIEW_TIMELINE_MAX);
    expect(alert.timeline[0].type).toBe('raised');
    expect(alert.timeline.at(-1).at).toBe(full.at(-1)!.at);
    expect(alert.notified).toContain(t.hub.store.staff.byUsername('grid1')!.id);
    const exported = (await t.api('GET', `/api/alerts/${first.alertId}/timeline`, admin)).body;
    expect(exported.timeline).toHaveLength(full.length);
  });
});
