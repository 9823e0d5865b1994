/**
 * An open call shows names from outside it: its grid and the level it is at, the staff who took it.
 * When one of them is renamed, the consoles holding the call get it again with the new name at once,
 * not when the call next changes; calls that do not show the name are left alone. Real hub, real console WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t?.stop(); });

describe('renames reach open calls', () => {
  it('a renamed grid node and a renamed staff member redraw the open calls that show them, and only those', async () => {
    const [admin, community] = [await t.login('admin'), await t.login('community')];
    const c = await t.console('community');
    const grid1Node = t.hub.store.grid.list().find((n) => n.name === '第一网格')!;
    const mine = (await (await t.device('demo-0001')).send('press')).alertId!;
    const other = (await (await t.device('demo-0011')).send('press')).alertId!;
    await c.waitFor((f) => f.type === 'change' && f.alert?.id === other);
    expect((await t.api('POST', `/api/alerts/${mine}/ack`, await t.login('grid1'))).status).toBe(200);
    const taken = await c.waitFor((f) => f.type === 'change' && f.alert?.id === mine && f.alert.acceptedBy !== null);
    expect(taken.alert.acceptedBy.name).toBe('李娜 (第一网格)');
    const otherVersion = () => t.hub.store.alerts.get(other)!.version;
    const before = otherVersion();

    // The grid is renamed: its call comes again with the new name; the other grid's call does not.
    expect((await t.api('PATCH', `/api/grid/${grid1Node.id}`, admin, { name: '第1网格' })).status).toBe(200);
    const renamed = await c.waitFor((f) => f.type === 'change' && f.alert?.id === mine && f.alert.version > taken.alert.version);
    expect([renamed.alert.gridName, renamed.alert.state]).toEqual(['第1网格', 'accepted']);
    expect(otherVersion()).toBe(before);

    // The worker's name is corrected: the call they took shows it; nothing else moves.
    const grid1 = t.hub.store.staff.byUsername('grid1')!;
    expect((await t.api('PATCH', `/api/staff/${grid1.id}`, community, { displayName: '李娜' })).status).toBe(200);
    const named = await c.waitFor((f) => f.type === 'change' && f.alert?.id === mine && f.alert.version > renamed.alert.version);
    expect(named.alert.acceptedBy.name).toBe('李娜');
    expect(named.alert.timeline.find((e: { type: string }) => e.type === 'accepted').staffName).toBe('李娜');
    expect(otherVersion()).toBe(before);

    // A phone change, or a name given again unchanged, redraws nothing.
    const v = t.hub.store.alerts.get(mine)!.version;
    expect((await t.api('PATCH', `/api/staff/${grid1.id}`, community, { phone: '13800000009' })).status).toBe(200);
    expect((await t.api('PATCH', `/api/grid/${grid1Node.id}`, admin, { name: '第1网格' })).status).toBe(200);
    expect([t.hub.store.alerts.get(mine)!.version, otherVersion()]).toEqual([v, before]);

    // The community renamed: the calls waiting at its level show its name and are redrawn; a call still
    // at its own grid's level (its worker online) does not show it, and is left alone.
    const g2 = await t.console('grid2');
    const atGrid = (await (await t.device('demo-0012')).send('press')).alertId!;
    const placed = await c.waitFor((f) => f.type === 'change' && f.alert?.id === atGrid);
    expect(placed.alert.level).toBe(0);
    const communityNode = t.hub.store.grid.find(grid1Node.parentId!)!;
    expect(renamed.alert.levelName).toBe(communityNode.name);
    expect((await t.api('PATCH', `/api/grid/${communityNode.id}`, admin, { name: '新社区名' })).status).toBe(200);
    const both = await Promise.all([mine, other].map((id) => c.waitFor((f) => f.type === 'change' && f.alert?.id === id && f.alert.levelName === '新社区名')));
    expect(both).toHaveLength(2);
    expect(t.hub.store.alerts.get(atGrid)!.version).toBe(placed.alert.version);
    g2.close();
    c.close();
  });
});
