/**
 * Handing a call back (POST /api/alerts/:id/release): whoever accepted cannot go after all, and the
 * call rings again at once instead of waiting out the arrive deadline, past whoever handed it back
 * (alone at their level, it climbs straight away). The accept stays on the record; the report times
 * the accept that held. The resident's button hears "received" again: nobody is on the way yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { ManualClock } from '../dispatcher/clock.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t?.stop(); });

describe('handing a call back', () => {
  it('rings the next one at once, keeps the first accept on the record, and is refused unless the call is accepted', async () => {
    const [grid1, community] = [await t.login('grid1'), await t.login('community')];
    const [c1, cc] = [await t.console('grid1', { token: grid1 }), await t.console('community', { token: community })];
    const device = await t.device('demo-0003');
    const id = (await device.send('press')).alertId!;
    expect((await cc.change(id)).level).toBe(0); // grid1 is on duty and online: it rings there first
    expect((await t.api('POST', `/api/alerts/${id}/release`, grid1)).body.error.code).toBe('E_ILLEGAL_TRANSITION'); // not accepted yet
    expect((await t.api('POST', `/api/alerts/${id}/ack`, grid1)).status).toBe(200);
    await device.waitForNotify('help_coming', id);

    const released = await t.api('POST', `/api/alerts/${id}/release`, grid1);
    expect(released.status).toBe(200);
    // Nobody else online at the grid: straight up to the community, no 60 s wait.
    expect(released.body.alert).toMatchObject({ state: 'raised', acceptedBy: null, level: 1 });
    expect((await cc.change(id, (a) => a.state === 'raised' && a.level === 1)).timeline.some((e: { type: string; data: { heldBy?: number } }) =>
      e.type === 'released' && e.data.heldBy === t.hub.store.staff.byUsername('grid1')!.id)).toBe(true);
    const row = t.hub.store.alerts.get(id)!;
    expect([row.acceptedAt, row.acceptedBy, row.deadlineKind]).toEqual([null, null, 'escalate']);
    // The button no longer says help is coming: back to received, waiting for someone.
    await expect.poll(() => device.notifications.filter((n) => n.alertId === id).map((n) => n.status)).toEqual(['received', 'help_coming', 'received']);

    expect((await t.api('POST', `/api/alerts/${id}/ack`, community)).status).toBe(200);
    const held = t.hub.store.alerts.get(id)!;
    expect(held.acceptedBy).toBe(t.hub.store.staff.byUsername('community')!.id);
    await expect.poll(() => device.notifications.filter((n) => n.alertId === id && n.status === 'help_coming').length).toBe(2); // the resident hears it again
    expect((await t.api('POST', `/api/alerts/${id}/arrive`, community)).status).toBe(200);
    const onSite = await t.api('POST', `/api/alerts/${id}/release`, community);
    expect([onSite.status, onSite.body.error.message]).toEqual([409, expect.stringContaining('resolve the call instead')]);
    expect((await t.api('POST', `/api/alerts/${id}/release`, await t.login('grid2'))).status).toBe(403);
    const events = (t.hub.store.db.prepare('SELECT type FROM alert_events WHERE alert_id = ? ORDER BY id').pluck().all(id) as string[]);
    expect(events.filter((e) => e === 'accepted')).toHaveLength(2);
    expect(events).toContain('released');
    c1.close();
    cc.close();
  });

  it('passes over whoever handed it back at every later step, not only the first: a leader who cannot go is not waited for when it climbs to them', async () => {
    const clock = new ManualClock(Date.parse('2026-12-02T03:00:00Z'));
    const h = await startTestHub({ clock });
    try {
      const community = await h.login('community');
      const consoles = [await h.console('grid1'), await h.console('community', { token: community }), await h.console('admin')];
      const id = (await (await h.device('demo-0003')).send('press')).alertId!;
      expect((await h.api('POST', `/api/alerts/${id}/ack`, community)).status).toBe(200); // the leader takes it from the grid's queue
      const back = await h.api('POST', `/api/alerts/${id}/release`, community);
      expect(back.body.alert).toMatchObject({ state: 'raised', level: 0 }); // grid1 is online: it rings there again

      clock.advance(60_000); // grid1 does not take it: it climbs, past the community leader who cannot go
      const climbed = await consoles[2].change(id, (a) => a.level > 1);
      expect(climbed.level).toBe(3);
      const skips = h.hub.store.alerts.timeline(id).filter((e) => e.type === 'level_skipped').map((e) => [e.data.level, e.data.why]);
      expect(skips).toEqual([[1, 'handed_back'], [2, 'nobody_on_duty']]);
      const told = h.hub.store.alerts.timeline(id).filter((e) => e.type === 'notified').at(-1)!.data;
      expect(told.onDutyOffline).not.toContain(h.hub.store.staff.byUsername('community')!.id);
      for (const c of consoles) c.close();
    } finally {
      await h.stop();
    }
  });

  it('with nobody else reachable anywhere, it rings again for whoever handed it back rather than for nobody', async () => {
    const clock = new ManualClock(Date.parse('2026-12-02T03:00:00Z'));
    const h = await startTestHub({ clock });
    try {
      const grid1 = await h.login('grid1');
      const c1 = await h.console('grid1', { token: grid1 }); // the only console open at 3 a.m.
      const id = (await (await h.device('demo-0003')).send('press')).alertId!;
      expect((await h.api('POST', `/api/alerts/${id}/ack`, grid1)).status).toBe(200);
      const back = await h.api('POST', `/api/alerts/${id}/release`, grid1);
      expect(back.body.alert).toMatchObject({ state: 'raised', level: 0 }); // not parked at the top with nobody told
      const told = h.hub.store.alerts.timeline(id).filter((e) => e.type === 'notified').at(-1)!.data;
      expect(told).toMatchObject({ level: 0, notified: [h.hub.store.staff.byUsername('grid1')!.id], askedAgain: true });
      const { ringsFor } = await import('../dispatcher/console/js/queue.js' as string);
      const me = c1.frames.find((f) => f.type === 'hello')!.user;
      expect(ringsFor(await c1.change(id, (a) => a.version === back.body.alert.version), me)).toBe(true); // their console rings again

      clock.advance(60_000); // grid1 does not take it: it climbs to the top, where nobody is online
      const top = await c1.change(id, (a) => a.level === 3);
      expect(h.hub.store.alerts.timeline(id).filter((e) => e.type === 'notified').at(-1)!.data.notified).toEqual([]);
      expect(ringsFor(top, me)).toBe(true); // nobody else was told: it still rings on grid1's console
      c1.close();
    } finally {
      await h.stop();
    }
  });
});
