/**
 * A password someone else set (an account made for you, a reset) is yours to replace
 * (security/first-password.ts): until you do, the hub takes calls from you but no other change,
 * and says why; your own new password lifts it; a reset by someone else sets it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { allowedBeforeOwnPassword } from '../dispatcher/security/first-password.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t?.stop(); });

describe('a password someone else set', () => {
  it('lets its holder handle a call and set their own, refuses every other change until then, and a reset by someone else sets it again', async () => {
    const admin = await t.login('admin');
    const ids = Object.fromEntries(t.hub.store.grid.list().map((n) => [n.name, n.id]));
    const made = await t.api('POST', '/api/staff', admin, { username: 'lead9', displayName: '周敏', role: 'leader', scopeNodeId: ids['商城花园社区'], password: 'given-by-admin' });
    expect(made.body.staff.mustChangePassword).toBe(true);
    const login = await t.api('POST', '/api/session', undefined, { username: 'lead9', password: 'given-by-admin' });
    expect(login.body.user.mustChangePassword).toBe(true);
    const lead = login.body.token as string;
    expect((await t.api('GET', '/api/me', lead)).body.user.mustChangePassword).toBe(true);

    // Reads work; a change is refused with what to do; a call is handled.
    expect((await t.api('GET', '/api/duty', lead)).status).toBe(200);
    const me = t.hub.store.staff.byUsername('lead9')!;
    const shift = { staffId: me.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' };
    const refused = await t.api('POST', `/api/grid/${ids['第一网格']}/roster/shifts`, lead, shift);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'E_PASSWORD_CHANGE']);
    expect(refused.body.error.message).toMatch(/set your own first/);
    expect((await t.api('PATCH', `/api/grid/${ids['第一网格']}`, lead, { name: 'x' })).body.error.code).toBe('E_PASSWORD_CHANGE');
    expect(t.hub.store.grid.get(ids['第一网格']).name).toBe('第一网格');
    expect((await t.api('POST', '/api/no-such-thing', lead, {})).status).toBe(404);
    const d = await t.device('demo-0001');
    const { alertId } = await d.send('press');
    const ack = await t.api('POST', `/api/alerts/${alertId}/ack`, lead);
    expect(ack.status).toBe(200);
    expect((await t.api('POST', `/api/alerts/${alertId}/resolve`, lead, { outcome: 'false_alarm' })).status).toBe(200);

    // A wrong current password changes nothing; the right one lifts the hold, and this session stays.
    expect((await t.api('PUT', '/api/me/password', lead, { currentPassword: 'nope-nope', newPassword: 'my-own-9999' })).status).toBe(403);
    expect((await t.api('GET', '/api/me', lead)).body.user.mustChangePassword).toBe(true);
    expect((await t.api('PUT', '/api/me/password', lead, { currentPassword: 'given-by-admin', newPassword: 'my-own-9999' })).status).toBe(200);
    expect((await t.api('GET', '/api/me', lead)).body.user.mustChangePassword).toBe(false);
    expect((await t.api('POST', `/api/grid/${ids['第一网格']}/roster/shifts`, lead, shift)).status).toBe(201);

    // The admin resets it (forgotten): theirs to replace again. An admin resetting their own: not.
    expect((await t.api('POST', `/api/staff/${me.id}/password`, admin, { newPassword: 'reset-by-admin' })).status).toBe(200);
    const again = await t.api('POST', '/api/session', undefined, { username: 'lead9', password: 'reset-by-admin' });
    expect(again.body.user.mustChangePassword).toBe(true);
    expect((await t.api('GET', '/api/staff', admin)).body.staff.find((s: { username: string }) => s.username === 'lead9').mustChangePassword).toBe(true);
    const self = t.hub.store.staff.byUsername('admin')!;
    expect((await t.api('POST', `/api/staff/${self.id}/password`, admin, { newPassword: 'admin-own-pass' })).status).toBe(200);
    expect(t.hub.store.staff.get(self.id)!.mustChangePassword).toBe(false);
    expect((await t.api('DELETE', '/api/session', again.body.token)).status).toBe(200); // logging out is never held
  });

  it('accounts made before the hold, the demo ones and create-admin\'s, are not held', async () => {
    for (const u of ['admin', 'community', 'grid1']) expect(t.hub.store.staff.byUsername(u)!.mustChangePassword, u).toBe(false);
  });

  it('keeps open the calls, the own password and logging out; nothing else that writes', () => {
    for (const r of ['POST /api/alerts/:id/ack', 'POST /api/alerts/:id/arrive', 'POST /api/alerts/:id/resolve', 'PUT /api/me/password', 'DELETE /api/session']) expect(allowedBeforeOwnPassword(r), r).toBe(true);
    for (const r of ['POST /api/staff', 'POST /api/staff/:id/password', 'PATCH /api/grid/:id', 'DELETE /api/grid/:id', 'POST /api/households', 'POST /api/devices', 'POST /api/provision/devices', 'POST /api/alerts/:id/x/y']) expect(allowedBeforeOwnPassword(r), r).toBe(false);
  });
});
