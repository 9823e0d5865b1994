/**
 * Someone on duty at a node must be able to see its calls. A grid worker put on another grid's
 * roster would be told of calls their console never shows, and each call would wait for them until it
 * escalated. The roster API refuses such a shift or cover (a leave is harmless); one already in the
 * store is not counted: the call goes on at once to a level where someone can take it, the board says
 * nobody is on duty there, and the roster gaps count the hole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t?.stop(); });

describe('on duty only where they can act', () => {
  it('refuses a shift or cover outside the person\'s area, with the reason; a leave there is accepted', async () => {
    const community = await t.login('community');
    const grid2 = t.hub.store.grid.list().find((n) => n.name === '第二网格')!;
    const worker1 = t.hub.store.staff.byUsername('grid1')!;
    const shift = await t.api('POST', `/api/grid/${grid2.id}/roster/shifts`, community, { staffId: worker1.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' });
    expect([shift.status, shift.body.error.code]).toEqual([400, 'E_VALIDATION']);
    expect(shift.body.error.message).toMatch(/which does not contain 第二网格: their console would not show its calls/);
    const now = Date.now();
    const cover = await t.api('POST', `/api/grid/${grid2.id}/roster/overrides`, community, { staffId: worker1.id, startsAt: now, endsAt: now + 3_600_000, onDuty: true });
    expect(cover.status).toBe(400);
    const leave = await t.api('POST', `/api/grid/${grid2.id}/roster/overrides`, community, { staffId: worker1.id, startsAt: now, endsAt: now + 3_600_000, onDuty: false });
    expect(leave.status).toBe(201);
    // The community leader covers a grid of their community: their area contains it.
    const leader = t.hub.store.staff.byUsername('community')!;
    expect((await t.api('POST', `/api/grid/${grid2.id}/roster/overrides`, community, { staffId: leader.id, startsAt: now, endsAt: now + 60_000, onDuty: true })).status).toBe(201);
  });

  it('a shift already in the store outside the person\'s area is not counted: the call goes on at once, the board and the gaps say so', async () => {
    const grid1 = t.hub.store.grid.list().find((n) => n.name === '第一网格')!;
    const worker2 = t.hub.store.staff.byUsername('grid2')!;
    const worker1 = t.hub.store.staff.byUsername('grid1')!;
    // grid1's own worker on leave; grid2's worker on grid1's roster (as older data may have it), with a console open.
    t.hub.store.rosters.addShift(grid1.id, { staffId: worker2.id, weekdays: 0x7f, startMin: 0, endMin: 1440 });
    const now = Date.now();
    t.hub.store.rosters.addOverride(grid1.id, { staffId: worker1.id, startsAt: now - 60_000, endsAt: now + 3_600_000, onDuty: false });
    expect(t.hub.duty.onDuty(grid1.id, now)).toEqual([]);
    const [c2, leaderConsole] = [await t.console('grid2'), await t.console('community')];
    const { alertId } = await (await t.device('demo-0001')).send('press');
    const placed = await leaderConsole.waitFor((f) => f.type === 'change' && f.alert?.id === alertId);
    expect(placed.alert.levelName).toBe('商城花园社区'); // not held at 第一网格 for someone who cannot see it
    expect(c2.frames.some((f: any) => f.alert?.id === alertId)).toBe(false);
    const admin = await t.login('admin');
    const board = await t.api('GET', '/api/duty', admin);
    expect(board.body.nodes.find((n: { id: number }) => n.id === grid1.id).cover).toBe('empty');
    // The roster says which of its lines the hub does not count, and why.
    const roster = await t.api('GET', `/api/grid/${grid1.id}/roster`, admin);
    expect(roster.body.shifts.map((x: { staffId: number; cannotAct: boolean }) => [x.staffId, x.cannotAct])).toEqual([[worker1.id, false], [worker2.id, true]]);
    const gaps = await t.api('GET', '/api/duty/gaps?days=1', admin);
    expect(gaps.body.nodes.find((n: { nodeId: number }) => n.nodeId === grid1.id).gaps[0].reaches).toMatchObject({ name: '商城花园社区' });
    c2.close();
    leaderConsole.close();
  });
});
