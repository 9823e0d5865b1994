/** Staff accounts over the real API: who may manage whom, what a change does to open consoles, and bad input refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
let admin: string, community: string, grid1: string;
let gridIds: Record<string, number>;

beforeAll(async () => {
  t = await startTestHub();
  gridIds = Object.fromEntries(t.hub.store.grid.list().map((n) => [n.name, n.id]));
  [admin, community, grid1] = await Promise.all(['admin', 'community', 'grid1'].map((u) => t.login(u)));
});
afterAll(async () => { await t?.stop(); });

const worker = (over: Record<string, unknown> = {}) => ({ username: 'grid1b', displayName: '陈静 (第一网格)', role: 'staff', scopeNodeId: gridIds['第一网格'], phone: '13800000011', password: 'first-pass-1', ...over });

describe('staff accounts', () => {
  it('a leader adds a grid worker, who logs in, is put on the roster, and shows on the duty board', async () => {
    const made = await t.api('POST', '/api/staff', community, worker());
    expect(made.status).toBe(201);
    expect(made.body.staff).toMatchObject({ username: 'grid1b', role: 'staff', scopeName: '第一网格', disabled: false, online: false });
    expect(JSON.stringify(made.body)).not.toContain('first-pass-1');
    const token = await t.login('grid1b', 'first-pass-1');
    const me = await t.api('GET', '/api/me', token);
    expect(me.body.user.scopeNodeId).toBe(gridIds['第一网格']);
    const list = await t.api('GET', '/api/staff', community);
    expect(list.body.canCreate).toEqual(['staff']);
    expect(list.body.staff.map((s: any) => s.username).sort()).toEqual(['community', 'grid1', 'grid1b', 'grid2']);
    expect((await t.api('POST', `/api/grid/${gridIds['第一网格']}/roster/shifts`, community, { staffId: made.body.staff.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' })).status).toBe(201);
    const duty = (await t.api('GET', '/api/duty', community)).body;
    expect(duty.nodes.find((n: any) => n.name === '第一网格').onDuty.map((p: any) => p.name)).toContain('陈静 (第一网格)');
  });

  it('moving a worker to another grid makes their console reconnect and see the new grid; disabling sends it to login', async () => {
    const id = t.hub.store.staff.byUsername('grid1b')!.id;
    const token = await t.login('grid1b', 'first-pass-1');
    const c = await t.console('grid1b', { token });
    const moved = await t.api('PATCH', `/api/staff/${id}`, community, { scopeNodeId: gridIds['第二网格'], phone: '13800000012' });
    expect(moved.status).toBe(200);
    expect(moved.body.staff).toMatchObject({ scopeName: '第二网格', phone: '13800000012', displayName: '陈静 (第一网格)' });
    await expect.poll(() => c.closed, { timeout: 3000 }).toBe(true);
    expect(c.closeCode).toBe(4002); // reconnect, not log in again
    expect((await t.api('GET', '/api/me', token)).body.user.scopeNodeId).toBe(gridIds['第二网格']); // the session stays

    const c2 = await t.console('grid1b', { token });
    const off = await t.api('PATCH', `/api/staff/${id}`, admin, { disabled: true });
    expect(off.body.staff.disabled).toBe(true);
    await expect.poll(() => c2.closed, { timeout: 3000 }).toBe(true);
    expect(c2.closeCode).toBe(4001);
    expect((await t.api('GET', '/api/me', token)).status).toBe(401);
    expect((await t.api('POST', '/api/session', undefined, { username: 'grid1b', password: 'first-pass-1' })).status).toBe(401);
    // Enabled again with a new password from the leader: the old password no longer works.
    expect((await t.api('PATCH', `/api/staff/${id}`, admin, { disabled: false })).status).toBe(200);
    expect((await t.api('POST', `/api/staff/${id}/password`, community, { newPassword: 'second-pass-2' })).status).toBe(200);
    expect((await t.api('POST', '/api/session', undefined, { username: 'grid1b', password: 'first-pass-1' })).status).toBe(401);
    expect((await t.api('POST', '/api/session', undefined, { username: 'grid1b', password: 'second-pass-2' })).status).toBe(200);
  });

  it('two admins creating the same username at once: one account, and a 409 for the other', async () => {
    const admin = await t.login('admin');
    const body = { username: 'twice', displayName: '重复', role: 'staff', scopeNodeId: gridIds['第二网格'], password: 'twice-password' };
    const both = await Promise.all([t.api('POST', '/api/staff', admin, body), t.api('POST', '/api/staff', admin, body)]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(t.hub.store.staff.list().filter((s) => s.username === 'twice')).toHaveLength(1);
  });

  it('a leader cannot make leaders or admins, reach outside their scope, or touch another leader; a worker manages nobody', async () => {
    const adminId = t.hub.store.staff.byUsername('admin')!.id;
    const communityId = t.hub.store.staff.byUsername('community')!.id;
    const cases: [string, string, string, string, unknown, number, string][] = [
      ['worker lists staff', grid1, 'GET', '/api/staff', undefined, 403, 'E_FORBIDDEN'],
      ['worker creates', grid1, 'POST', '/api/staff', worker({ username: 'x1' }), 403, 'E_FORBIDDEN'],
      ['leader makes a leader', community, 'POST', '/api/staff', worker({ username: 'x2', role: 'leader' }), 403, 'E_FORBIDDEN'],
      ['leader places outside scope', community, 'POST', '/api/staff', worker({ username: 'x3', scopeNodeId: gridIds['城东路街道'] }), 403, 'E_FORBIDDEN'],
      ['leader changes the admin', community, 'PATCH', `/api/staff/${adminId}`, { phone: '110' }, 403, 'E_FORBIDDEN'],
      ['leader resets own leader password here', community, 'POST', `/api/staff/${communityId}/password`, { newPassword: 'whatever-1' }, 403, 'E_FORBIDDEN'],
      ['username taken', admin, 'POST', '/api/staff', worker({ username: 'grid1' }), 409, 'E_CONFLICT'],
      ['bad username', admin, 'POST', '/api/staff', worker({ username: 'a b' }), 400, 'E_VALIDATION'],
      ['short password', admin, 'POST', '/api/staff', worker({ username: 'x4', password: 'short' }), 400, 'E_VALIDATION'],
      ['worker without scope', admin, 'POST', '/api/staff', worker({ username: 'x5', scopeNodeId: null }), 400, 'E_VALIDATION'],
      ['blank name', admin, 'POST', '/api/staff', worker({ username: 'x6', displayName: '  ' }), 400, 'E_VALIDATION'],
      ['no such scope', admin, 'POST', '/api/staff', worker({ username: 'x7', scopeNodeId: 99_999 }), 404, 'E_NOT_FOUND'],
      ['empty change', admin, 'PATCH', `/api/staff/${communityId}`, {}, 400, 'E_VALIDATION'],
      ['unknown field', admin, 'PATCH', `/api/staff/${communityId}`, { username: 'boss' }, 400, 'E_VALIDATION'],
      ['no such account', admin, 'PATCH', '/api/staff/99999', { phone: '110' }, 404, 'E_NOT_FOUND'],
      ['disable yourself', admin, 'PATCH', `/api/staff/${adminId}`, { disabled: true }, 400, 'E_VALIDATION'],
      ['no session', '', 'GET', '/api/staff', undefined, 401, 'E_AUTH'],
    ];
    for (const [what, token, method, path, body, status, code] of cases) {
      const r = await t.api(method, path, token || undefined, body);
      expect([what, r.status, r.body?.error?.code]).toEqual([what, status, code]);
    }
    expect(t.hub.store.staff.list().filter((s) => /^x\d$/.test(s.username))).toEqual([]);
    expect(t.hub.store.staff.get(adminId)!.phone).toBe('13800000004');
  });

  it('an admin may disable another admin but never themselves, so an active admin always remains', async () => {
    const second = await t.api('POST', '/api/staff', admin, { username: 'admin2', displayName: '第二管理员', role: 'admin', scopeNodeId: null, password: 'admin2-pass' });
    expect(second.status).toBe(201);
    const admin2 = await t.login('admin2', 'admin2-pass');
    // A password another admin chose: admin2 sets their own before changing anything (security/first-password.ts).
    expect((await t.api('PUT', '/api/me/password', admin2, { currentPassword: 'admin2-pass', newPassword: 'admin2-own-pass' })).status).toBe(200);
    const adminId = t.hub.store.staff.byUsername('admin')!.id;
    expect((await t.api('PATCH', `/api/staff/${adminId}`, admin2, { disabled: true })).status).toBe(200);
    const last = await t.api('PATCH', `/api/staff/${second.body.staff.id}`, admin2, { role: 'staff', scopeNodeId: gridIds['第一网格'] });
    expect([last.status, last.body.error.code]).toEqual([400, 'E_VALIDATION']); // their own role
    expect(t.hub.store.staff.list().filter((s) => s.role === 'admin' && !s.disabled).map((s) => s.username)).toEqual(['admin2']);
    expect((await t.api('PATCH', `/api/staff/${adminId}`, admin2, { disabled: false })).status).toBe(200);
  });
});
