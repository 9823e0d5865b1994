/**
 * A note on an open call (POST /api/alerts/:id/note): what the one on the way learned reaches every
 * console that sees the call, on its record with who wrote it; the call's course is unchanged; bad
 * notes, closed calls and calls outside your area are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t?.stop(); });

describe('notes on a call', () => {
  it('reach every console on the call\'s record, leave its state alone, and are refused when bad, closed or not yours', async () => {
    const [grid1, community] = [await t.login('grid1'), await t.login('community')];
    const watching = await t.console('community');
    const device = await t.device('demo-0003');
    const { alertId } = await device.send('press');
    const id = alertId!;
    expect((await t.api('POST', `/api/alerts/${id}/ack`, grid1)).status).toBe(200);
    const before = t.hub.store.alerts.get(id)!;

    const noted = await t.api('POST', `/api/alerts/${id}/note`, grid1, { text: '  儿子已联系上，十分钟后到  ' });
    expect(noted.status).toBe(200);
    expect(noted.body.alert).toMatchObject({ state: 'accepted', version: before.version + 1 });
    const seen = await watching.waitFor((f) => f.type === 'change' && f.alert?.id === id && f.alert.version === before.version + 1);
    const entry = seen.alert.timeline.at(-1);
    expect(entry).toMatchObject({ type: 'note', staffName: expect.any(String), data: { text: '儿子已联系上，十分钟后到' } });
    expect(t.hub.store.alerts.get(id)).toMatchObject({ state: 'accepted', deadlineAt: before.deadlineAt, acceptedBy: before.acceptedBy });
    expect(device.notifications.filter((n) => n.alertId === id).map((n) => n.status)).toEqual(['received', 'help_coming']);

    // A leader adds one too; the audit log has both.
    expect((await t.api('POST', `/api/alerts/${id}/note`, community, { text: '已通知社区医生' })).status).toBe(200);

    const bad: [unknown, number, string][] = [
      [{ text: '   ' }, 400, 'E_VALIDATION'],
      [{}, 400, 'E_VALIDATION'],
      [{ text: 'x'.repeat(501) }, 400, 'E_VALIDATION'],
      [{ text: 'hi', extra: 1 }, 400, 'E_VALIDATION'],
    ];
    for (const [body, status, code] of bad) {
      const r = await t.api('POST', `/api/alerts/${id}/note`, grid1, body);
      expect([JSON.stringify(body).slice(0, 30), r.status, r.body.error.code]).toEqual([JSON.stringify(body).slice(0, 30), status, code]);
    }
    const other = await t.api('POST', `/api/alerts/${id}/note`, await t.login('grid2'), { text: '不是我的网格' });
    expect([other.status, other.body.error.code]).toEqual([403, 'E_FORBIDDEN']);
    expect((await t.api('POST', '/api/alerts/no-such-call/note', grid1, { text: 'x' })).status).toBe(404);

    expect((await t.api('POST', `/api/alerts/${id}/resolve`, grid1, { outcome: 'assisted' })).status).toBe(200);
    const late = await t.api('POST', `/api/alerts/${id}/note`, grid1, { text: '补充' });
    expect([late.status, late.body.error.code]).toEqual([409, 'E_ILLEGAL_TRANSITION']);
    const record = t.hub.store.db.prepare("SELECT count(*) AS n FROM alert_events WHERE alert_id = ? AND type = 'note'").get(id) as { n: number };
    expect(record.n).toBe(2);
    const audit = t.hub.store.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'alert_action' AND detail LIKE '%\"action\":\"note\"%'").get() as { n: number };
    expect(audit.n).toBeGreaterThanOrEqual(2);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
    watching.close();
  });
});
