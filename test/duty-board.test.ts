/** The duty board: the pure rule (who covers each node, where a call would ring first) and GET /api/duty on a real hub. */
import { afterEach, describe, expect, it } from 'vitest';
import { dutyBoard, type BoardNodeIn } from '../dispatcher/domain/duty-board.ts';
import { ManualClock } from '../dispatcher/clock.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

// district 1 > community 2 > grids 3 and 4
const NODES: BoardNodeIn[] = [
  { id: 1, parentId: null, name: '区', level: 'district', path: '/1/' },
  { id: 2, parentId: 1, name: '社区', level: 'community', path: '/1/2/' },
  { id: 3, parentId: 2, name: '一网格', level: 'grid', path: '/1/2/3/' },
  { id: 4, parentId: 2, name: '二网格', level: 'grid', path: '/1/2/4/' },
];
const names = new Map(NODES.map((n) => [n.id, n.name]));

function board(duty: Record<number, number[]>, online: number[], nodes = NODES) {
  return dutyBoard({
    nodes, now: 0,
    onDuty: (id) => duty[id] ?? [],
    isOnline: (s) => online.includes(s),
    escalateAfterS: (id) => (id === 3 ? 30 : 60),
    nodeName: (id) => names.get(id),
  });
}

describe('dutyBoard', () => {
  it('says who covers each node and where a call raised there would ring first', () => {
    // grid 3: staff 30 online; grid 4: staff 40 on duty, not connected; community: nobody on duty; district: 10 online.
    const b = board({ 1: [10], 3: [30], 4: [40] }, [10, 30]);
    expect(b.summary).toEqual({ nodes: 4, covered: 2, offline: 1, empty: 1, unreachable: 0 });
    const [district, community, g3, g4] = b.nodes;
    expect(g3).toMatchObject({ depth: 2, cover: 'covered', escalateAfterS: 30, onDuty: [{ staffId: 30, online: true }], ringsAt: { nodeId: 3, levelsUp: 0, reach: 1 } });
    // Grid 4's worker is not connected and the community has nobody: a call there rings at the district at once.
    expect(g4).toMatchObject({ cover: 'offline', onDuty: [{ staffId: 40, online: false }], ringsAt: { nodeId: 1, name: '区', levelsUp: 2, reach: 1 } });
    expect(community).toMatchObject({ depth: 1, cover: 'empty', onDuty: [], ringsAt: { nodeId: 1 } });
    expect(district).toMatchObject({ depth: 0, cover: 'covered', ringsAt: { nodeId: 1, levelsUp: 0 } });
  });

  it('a node whose whole chain has nobody connected is unreachable; depth counts from the top of the nodes shown', () => {
    const b = board({ 3: [30], 4: [40] }, [40], NODES.slice(2));
    expect(b.summary).toEqual({ nodes: 2, covered: 1, offline: 1, empty: 0, unreachable: 1 });
    expect(b.nodes.map((n) => [n.depth, n.ringsAt?.nodeId ?? null])).toEqual([[0, null], [0, 4]]);
    expect(board({}, [], []).nodes).toEqual([]);
  });
});

// 2026-11-25 10:00 in Shanghai, a Wednesday.
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('GET /api/duty', () => {
  let t: TestHub | undefined;
  afterEach(async () => { await t?.stop(); t = undefined; });

  it('shows each role its own scope, who is connected, and follows roster edits at once', async () => {
    const clock = new ManualClock(at('2026-11-25T10:00:00'));
    t = await startTestHub({ clock });
    const community = await t.login('community');
    const first = await t.api('GET', '/api/duty', community);
    expect(first.status).toBe(200);
    expect(first.body.canEdit).toBe(true);
    expect(first.body.nodes.map((n: any) => [n.name, n.depth])).toEqual([['商城花园社区', 0], ['第一网格', 1], ['第二网格', 1]]);
    // Nobody has a console open: every node is on duty but offline, and a call anywhere reaches nobody.
    expect(first.body.summary).toMatchObject({ nodes: 3, covered: 0, offline: 3, empty: 0, unreachable: 3 });
    const grid1Row = first.body.nodes[1];
    expect(grid1Row.onDuty).toEqual([expect.objectContaining({ online: false, name: expect.stringContaining('李娜'), phone: expect.any(String), role: 'staff' })]);
    expect(first.body.staff.map((s: any) => s.role).sort()).toEqual(['leader', 'staff', 'staff']);

    await t.console('community');
    const covered = (await t.api('GET', '/api/duty', community)).body;
    expect(covered.nodes.map((n: any) => [n.cover, n.ringsAt?.name ?? null])).toEqual([['covered', '商城花园社区'], ['offline', '商城花园社区'], ['offline', '商城花园社区']]);
    expect(covered.staff.find((s: any) => s.role === 'leader').online).toBe(true);

    await t.console('grid1');
    const grid1 = t.hub.store.staff.byUsername('grid1')!;
    const afterGrid1 = (await t.api('GET', '/api/duty', community)).body;
    expect(afterGrid1.nodes[1]).toMatchObject({ cover: 'covered', ringsAt: { name: '第一网格', levelsUp: 0, reach: 1 } });

    // Take grid1 off duty for an hour: the board shows it at once, and calls there ring at the community.
    const off = await t.api('POST', `/api/grid/${grid1Row.id}/roster/overrides`, community, { staffId: grid1.id, startsAt: clock.now(), endsAt: clock.now() + 3_600_000, onDuty: false });
    expect(off.status).toBe(201);
    const afterLeave = (await t.api('GET', '/api/duty', community)).body;
    expect(afterLeave.nodes[1]).toMatchObject({ cover: 'empty', onDuty: [], ringsAt: { name: '商城花园社区', levelsUp: 1 } });
    clock.advance(3_600_000);
    expect((await t.api('GET', '/api/duty', community)).body.nodes[1].cover).toBe('covered');

    // A grid worker sees their own grid and cannot edit; the admin sees the whole tree.
    const g2 = (await t.api('GET', '/api/duty', await t.login('grid2'))).body;
    expect([g2.canEdit, g2.nodes.map((n: any) => n.name), g2.staff.length]).toEqual([false, ['第二网格'], 1]);
    const admin = (await t.api('GET', '/api/duty', await t.login('admin'))).body;
    expect(admin.nodes.map((n: any) => n.level)).toEqual(['district', 'street', 'community', 'grid', 'grid']);
  });

  it('refuses a request without a session and a query it does not know', async () => {
    t = await startTestHub();
    const anon = await t.api('GET', '/api/duty');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('E_AUTH');
    const admin = await t.login('admin');
    const odd = await t.api('GET', '/api/duty?grid=3', admin);
    expect([odd.status, odd.body.error.code]).toEqual([400, 'E_VALIDATION']);
    expect((await t.api('GET', '/api/duty', admin)).status).toBe(200);
    expect((await t.api('POST', '/api/duty', admin, {})).status).toBe(404);
  });
});
