/**
 * Setting up a new community from nothing over the API, as an admin does on the first day: grid
 * nodes, a grid worker, a roster, a household and its button; then a press rings that worker.
 * And the grid tree's bad inputs, refused; a node set up by mistake removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
let admin: string;
let ids: Record<string, number>;

beforeAll(async () => {
  t = await startTestHub();
  ids = Object.fromEntries(t.hub.store.grid.list().map((n) => [n.name, n.id]));
  admin = await t.login('admin');
});
afterAll(async () => { await t?.stop(); });

describe('grid tree API', () => {
  it('an admin sets up a new community whose first call rings its own grid worker', async () => {
    const community = await t.api('POST', '/api/grid', admin, { parentId: ids['城东路街道'], name: ' 紫荆山社区 ', level: 'community' });
    expect(community.status).toBe(201);
    expect(community.body.node).toMatchObject({ name: '紫荆山社区', level: 'community', parentId: ids['城东路街道'] });
    const grid = (await t.api('POST', '/api/grid', admin, { parentId: community.body.node.id, name: '紫荆一网格', level: 'grid' })).body.node;
    expect(grid.path).toBe(`${community.body.node.path}${grid.id}/`);
    const worker = (await t.api('POST', '/api/staff', admin, { username: 'zj1', displayName: '刘洋', role: 'staff', scopeNodeId: grid.id, phone: '13800000021', password: 'zj1-password' })).body.staff;
    expect((await t.api('POST', `/api/grid/${grid.id}/roster/shifts`, admin, { staffId: worker.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' })).status).toBe(201);
    const hh = (await t.api('POST', '/api/households', admin, { gridId: grid.id, address: '紫荆山路1号1单元101室', residents: [{ name: '孙秀英', age: 88 }], contacts: [{ name: '孙强', relation: '儿子', phone: '13700000021' }] })).body.household;
    const dev = (await t.api('POST', '/api/devices', admin, { id: 'zj-0001', householdId: hh.id })).body;

    const token = await t.login('zj1', 'zj1-password');
    const c = await t.console('zj1', { token });
    const button = await t.device('zj-0001', dev.secret);
    const { alertId } = await button.send('press');
    const seen = await c.waitFor((f) => f.type === 'change' && f.alert?.id === alertId);
    expect(seen.alert).toMatchObject({ gridId: grid.id, level: 0, household: { address: '紫荆山路1号1单元101室' } });
    const board = (await t.api('GET', '/api/duty', token)).body;
    expect(board.nodes).toEqual([expect.objectContaining({ name: '紫荆一网格', cover: 'covered' })]);

    const renamed = await t.api('PATCH', `/api/grid/${grid.id}`, admin, { name: '紫荆第一网格' });
    expect(renamed.body.node.name).toBe('紫荆第一网格');
  });

  it('refuses a node in the wrong place, a twin name, an unknown time zone, and anyone but an admin', async () => {
    const leader = await t.login('community');
    const before = t.hub.store.grid.list().length;
    const cases: [string, string, string, string, unknown, number, string][] = [
      ['leader adds a node', leader, 'POST', '/api/grid', { parentId: ids['商城花园社区'], name: '第三网格', level: 'grid' }, 403, 'E_FORBIDDEN'],
      ['community under a grid', admin, 'POST', '/api/grid', { parentId: ids['第一网格'], name: 'x', level: 'community' }, 400, 'E_VALIDATION'],
      ['same level as parent', admin, 'POST', '/api/grid', { parentId: ids['商城花园社区'], name: 'x', level: 'community' }, 400, 'E_VALIDATION'],
      ['twin name', admin, 'POST', '/api/grid', { parentId: ids['商城花园社区'], name: '第一网格', level: 'grid' }, 409, 'E_CONFLICT'],
      ['no such parent', admin, 'POST', '/api/grid', { parentId: 99_999, name: 'x', level: 'grid' }, 404, 'E_NOT_FOUND'],
      ['unknown level', admin, 'POST', '/api/grid', { parentId: ids['商城花园社区'], name: 'x', level: 'village' }, 400, 'E_VALIDATION'],
      ['unknown time zone', admin, 'POST', '/api/grid', { parentId: ids['商城花园社区'], name: 'x', level: 'grid', timeZone: 'Mars/Olympus' }, 400, 'E_VALIDATION'],
      ['blank name', admin, 'POST', '/api/grid', { parentId: ids['商城花园社区'], name: '   ', level: 'grid' }, 400, 'E_VALIDATION'],
      ['rename to a sibling', admin, 'PATCH', `/api/grid/${ids['第二网格']}`, { name: '第一网格' }, 409, 'E_CONFLICT'],
      ['rename blank', admin, 'PATCH', `/api/grid/${ids['第二网格']}`, { name: ' ' }, 400, 'E_VALIDATION'],
    ];
    for (const [what, token, method, path, body, status, code] of cases) {
      const r = await t.api(method, path, token, body);
      expect([what, r.status, r.body?.error?.code]).toEqual([what, status, code]);
    }
    expect(t.hub.store.grid.list().length).toBe(before);
    expect(t.hub.store.grid.find(ids['第二网格'])!.name).toBe('第二网格');
  });
  it('an admin removes a node set up by mistake, with its roster; a node anything depends on stays, with the reason', async () => {
    const leader = await t.login('community');
    const wrong = (await t.api('POST', '/api/grid', admin, { parentId: ids['商城花园社区'], name: '第三网络', level: 'grid' })).body.node;
    const worker = t.hub.store.staff.byUsername('community')!; // the community's leader: their area contains the new grid
    expect((await t.api('POST', `/api/grid/${wrong.id}/roster/shifts`, admin, { staffId: worker.id, weekdays: [1], start: '08:00', end: '12:00' })).status).toBe(201);
    expect((await t.api('DELETE', `/api/grid/${wrong.id}`, leader)).status).toBe(403);

    const gone = await t.api('DELETE', `/api/grid/${wrong.id}`, admin);
    expect(gone.status).toBe(200);
    expect(gone.body).toEqual({ ok: true, removed: { shifts: 1, overrides: 0 } });
    expect((await t.api('GET', '/api/grid', admin)).body.nodes.map((n: { id: number }) => n.id)).not.toContain(wrong.id);
    expect((await t.api('GET', `/api/grid/${wrong.id}/roster`, admin)).status).toBe(404);
    expect((await t.api('DELETE', `/api/grid/${wrong.id}`, admin)).status).toBe(404);
    expect((await t.api('DELETE', '/api/grid/abc', admin)).status).toBe(404);
    const audit = (await t.api('GET', `/api/audit?action=admin_change&target=${encodeURIComponent('DELETE /api/grid/:id')}`, admin)).body;
    expect(audit.rows.map((e: { outcome: string; detail: { params: { id: string } } }) => [e.outcome, e.detail.params.id])).toContainEqual(['ok', String(wrong.id)]);

    // A parent, a grid with households and workers, and one whose calls are history: each refused, saying why.
    const parent = (await t.api('POST', '/api/grid', admin, { parentId: ids['城东路街道'], name: '新建社区', level: 'community' })).body.node;
    const child = (await t.api('POST', '/api/grid', admin, { parentId: parent.id, name: '新建网格', level: 'grid' })).body.node;
    const blocked = await t.api('DELETE', `/api/grid/${parent.id}`, admin);
    expect([blocked.status, blocked.body.error.code]).toEqual([409, 'E_CONFLICT']);
    expect(blocked.body.error.message).toMatch(/1 node\(s\) below it/);
    expect(blocked.body.error.usage).toEqual({ children: 1, households: 0, staff: 0, hasAlerts: false });
    const used = await t.api('DELETE', `/api/grid/${ids['第二网格']}`, admin);
    expect(used.status).toBe(409);
    expect(used.body.error.usage).toMatchObject({ households: expect.any(Number), staff: expect.any(Number) });
    expect(used.body.error.usage.households).toBeGreaterThan(0);
    const d = await t.device('demo-0001');
    await d.send('press');
    const history = await t.api('DELETE', `/api/grid/${ids['第一网格']}`, admin);
    expect(history.status).toBe(409);
    expect(history.body.error.message).toMatch(/rename it instead/);
    expect(t.hub.store.grid.find(ids['第一网格'])).toBeDefined();

    // The hub goes on: the empty grid, then its emptied parent, go; a press is still acked.
    expect((await t.api('DELETE', `/api/grid/${child.id}`, admin)).status).toBe(200);
    expect((await t.api('DELETE', `/api/grid/${parent.id}`, admin)).status).toBe(200);
    expect((await d.send('press')).alertId).toBeTruthy();
  });
  it('an admin moves a grid set up under the wrong community, with its households, worker and roster; its next call climbs the new chain', async () => {
    const street = ids['城东路街道'];
    const right = (await t.api('POST', '/api/grid', admin, { parentId: street, name: '金水社区', level: 'community' })).body.node;
    const wrong = (await t.api('POST', '/api/grid', admin, { parentId: street, name: '错放社区', level: 'community' })).body.node;
    const grid = (await t.api('POST', '/api/grid', admin, { parentId: wrong.id, name: '金水一网格', level: 'grid' })).body.node;
    const building = (await t.api('POST', '/api/grid', admin, { parentId: grid.id, name: '1号楼', level: 'building' })).body.node;
    const worker = (await t.api('POST', '/api/staff', admin, { username: 'js1', displayName: '何静', role: 'staff', scopeNodeId: grid.id, password: 'js1-given-pass' })).body.staff;
    expect((await t.api('POST', `/api/grid/${grid.id}/roster/shifts`, admin, { staffId: worker.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' })).status).toBe(201);
    const hh = (await t.api('POST', '/api/households', admin, { gridId: grid.id, address: '金水路9号', residents: [{ name: '赵桂兰', age: 91 }], contacts: [] })).body.household;

    const leader = await t.login('community');
    const cases: [string, string, number, unknown, number, string][] = [
      ['a leader', leader, grid.id, { parentId: right.id }, 403, 'E_FORBIDDEN'],
      ['under itself', admin, grid.id, { parentId: building.id }, 400, 'E_VALIDATION'],
      ['a grid under a grid', admin, grid.id, { parentId: ids['第一网格'] }, 400, 'E_VALIDATION'],
      ['no such parent', admin, grid.id, { parentId: 99_999 }, 404, 'E_NOT_FOUND'],
      ['no such node', admin, 99_999, { parentId: right.id }, 404, 'E_NOT_FOUND'],
      ['no parentId', admin, grid.id, {}, 400, 'E_VALIDATION'],
    ];
    for (const [what, token, id, body, status, code] of cases) {
      const r = await t.api('POST', `/api/grid/${id}/move`, token, body);
      expect([what, r.status, r.body?.error?.code]).toEqual([what, status, code]);
    }
    expect(t.hub.store.grid.get(grid.id).path).toBe(`${wrong.path}${grid.id}/`);

    const moved = await t.api('POST', `/api/grid/${grid.id}/move`, admin, { parentId: right.id });
    expect([moved.status, moved.body.moved]).toEqual([200, 2]);
    expect(moved.body.node).toMatchObject({ parentId: right.id, path: `${right.path}${grid.id}/` });
    expect(t.hub.store.grid.get(building.id).path).toBe(`${right.path}${grid.id}/${building.id}/`);
    expect((await t.api('POST', `/api/grid/${grid.id}/move`, admin, { parentId: right.id })).body.moved).toBe(0); // already there
    expect((await t.api('DELETE', `/api/grid/${wrong.id}`, admin)).status).toBe(200); // emptied: it goes

    // The household, the worker and the roster came along: a press rings the worker, then climbs to the right community.
    const dev = (await t.api('POST', '/api/devices', admin, { id: 'js-0001', householdId: hh.id })).body;
    const token = await t.login('js1', 'js1-given-pass');
    const c = await t.console('js1', { token });
    const { alertId } = await (await t.device('js-0001', dev.secret)).send('press');
    const seen = await c.waitFor((f) => f.type === 'change' && f.alert?.id === alertId);
    expect(seen.alert).toMatchObject({ gridId: grid.id, level: 0 });
    expect(t.hub.store.alerts.get(alertId!)!.gridPath).toBe(`${right.path}${grid.id}/`);
    c.close();

    // Now its calls are history there: it stays.
    const after = await t.api('POST', `/api/grid/${grid.id}/move`, admin, { parentId: ids['商城花园社区'] });
    expect([after.status, after.body.error.code]).toEqual([409, 'E_CONFLICT']);
    expect(after.body.error.message).toMatch(/history keeps its place/);
    const twin = (await t.api('POST', '/api/grid', admin, { parentId: right.id, name: '第一网格', level: 'grid' })).body.node;
    const clash = await t.api('POST', `/api/grid/${twin.id}/move`, admin, { parentId: ids['商城花园社区'] });
    expect([clash.status, clash.body.error.code]).toEqual([409, 'E_CONFLICT']);
  });
});
