/**
 * Roster gaps: where the coming days' rosters leave a call to skip its own level, or to reach
 * nobody at all. The pure finder to the minute (weekly shifts, overnight ones, leave and cover,
 * a time zone), then GET /api/duty/gaps on a real hub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rosterGaps, type GapNodeIn } from '../dispatcher/domain/roster-gaps.ts';
import { localClock, onDutyAt, EVERY_DAY } from '../dispatcher/domain/roster.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

const TZ = 'Asia/Shanghai';
const MONDAY = Date.parse('2026-11-30T00:00:00+08:00');
const H = 3_600_000;
const at = (day: number, hour: number) => MONDAY + day * 24 * H + hour * H;
const WEEKDAYS = 0x1f;

describe('rosterGaps', () => {
  const node = (id: number, parentId: number | null, shifts: GapNodeIn['shifts'] = [], overrides: GapNodeIn['overrides'] = []): GapNodeIn => ({ id, parentId, timeZone: TZ, shifts, overrides });
  const find = (nodes: GapNodeIn[], from = MONDAY, to = at(7, 0)) => rosterGaps({ nodes: new Map(nodes.map((n) => [n.id, n])), starts: [nodes[nodes.length - 1].id], from, to, localClock }).get(nodes[nodes.length - 1].id)!;
  const hours = (gaps: { from: number; to: number; reaches: number | null }[]) => gaps.map((g) => [(g.from - MONDAY) / H, (g.to - MONDAY) / H, g.reaches]);

  it('a grid on duty by day goes to its community by night, and to nobody when the community is off too', () => {
    const community = node(2, null, [{ staffId: 20, weekdays: EVERY_DAY, startMin: 8 * 60, endMin: 22 * 60 }]);
    const grid = node(3, 2, [{ staffId: 30, weekdays: WEEKDAYS, startMin: 8 * 60, endMin: 20 * 60 }]);
    const gaps = hours(find([community, grid], MONDAY, at(2, 0)));
    expect(gaps).toEqual([[0, 8, null], [20, 22, 2], [22, 32, null], [44, 46, 2], [46, 48, null]]);
  });

  it('an overnight shift covers into the next morning, Sunday night into Monday; leave opens a gap and cover closes one', () => {
    const night = { staffId: 31, weekdays: EVERY_DAY, startMin: 20 * 60, endMin: 8 * 60 };
    const day = { staffId: 30, weekdays: EVERY_DAY, startMin: 8 * 60, endMin: 20 * 60 };
    expect(find([node(3, null, [day, night])])).toEqual([]);
    // The night worker on leave Wednesday night; a colleague covers Thursday 10:00-12:00 while the day worker is off.
    const leave = { staffId: 31, startsAt: at(2, 20), endsAt: at(3, 8), onDuty: false };
    const dayOff = { staffId: 30, startsAt: at(3, 9), endsAt: at(3, 13), onDuty: false };
    const cover = { staffId: 32, startsAt: at(3, 10), endsAt: at(3, 12), onDuty: true };
    expect(hours(find([node(3, null, [day, night], [leave, dayOff, cover])]))).toEqual([[68, 80, null], [81, 82, null], [84, 85, null]]);
  });

  it('reads the window from any minute, and a gap runs to the end of the window', () => {
    const community = node(2, null, [{ staffId: 20, weekdays: EVERY_DAY, startMin: 0, endMin: 1440 }]);
    const grid = node(3, 2, [{ staffId: 30, weekdays: WEEKDAYS, startMin: 8 * 60, endMin: 20 * 60 + 30 }]);
    const from = at(4, 19) + 17 * 60_000;
    const gaps = find([community, grid], from, at(6, 0));
    expect(gaps).toEqual([{ from: at(4, 20.5), to: at(6, 0), reaches: 2 }]);
  });
});

describe('rosterGaps against the hub\'s own rule, minute by minute', () => {
  it('finds, for random rosters, exactly the minutes onDutyAt leaves empty, and where those calls go', () => {
    let seed = 7;
    const seen = { up: 0, nobody: 0 };
    const rnd = (k: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % k; };
    for (let round = 0; round < 20; round++) {
      const roster = (staff: number): GapNodeIn['shifts'] => Array.from({ length: 1 + rnd(3) }, () => {
        const startMin = rnd(96) * 15 + rnd(2) * 7, endMin = (startMin + 60 + rnd(20) * 45) % 1440 || 1440;
        return { staffId: staff + rnd(2), weekdays: 1 + rnd(127), startMin, endMin };
      });
      const leave = (staff: number): GapNodeIn['overrides'] => Array.from({ length: rnd(3) }, () => {
        const startsAt = MONDAY + rnd(3 * 24 * 60) * 60_000 + rnd(60_000);
        return { staffId: staff + rnd(3), startsAt, endsAt: startsAt + (1 + rnd(600)) * 60_000, onDuty: rnd(2) === 0 };
      });
      const top: GapNodeIn = { id: 1, parentId: null, timeZone: TZ, shifts: roster(10), overrides: leave(10) };
      const grid: GapNodeIn = { id: 2, parentId: 1, timeZone: TZ, shifts: roster(20), overrides: leave(20) };
      const from = MONDAY + rnd(24 * 60) * 60_000, to = from + 3 * 24 * H;
      const gaps = rosterGaps({ nodes: new Map([[1, top], [2, grid]]), starts: [2], from, to, localClock }).get(2)!;
      const brute: { from: number; to: number; reaches: number | null }[] = [];
      for (let m = from; m < to; m += 60_000) {
        const on = (x: GapNodeIn) => onDutyAt(x.shifts, x.overrides, m, TZ).length > 0;
        const reaches = on(grid) ? 2 : on(top) ? 1 : null;
        const last = brute[brute.length - 1];
        if (reaches === 2) continue;
        if (last && last.to === m && last.reaches === reaches) last.to = m + 60_000;
        else brute.push({ from: m, to: m + 60_000, reaches });
      }
      expect(gaps).toEqual(brute);
      for (const g of gaps) seen[g.reaches === null ? 'nobody' : 'up']++;
    }
    expect(seen.up).toBeGreaterThan(10);
    expect(seen.nobody).toBeGreaterThan(10);
  });
});

describe('GET /api/duty/gaps', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub(); });
  afterAll(async () => { await t?.stop(); });

  it('lists the nodes in scope whose roster has holes in the coming days, the ones reaching nobody first; a bad query is refused', async () => {
    const admin = await t.login('admin');
    const grids = t.hub.store.grid.list().filter((n) => n.level === 'grid');
    // The demo has every level on duty around the clock: no gaps.
    const none = await t.api('GET', '/api/duty/gaps', admin);
    expect([none.status, none.body.days, none.body.starts, none.body.nodes]).toEqual([200, 7, grids.length, []]);
    // The second grid's worker takes three days' leave: its calls go to the community, within the grid's own scope too.
    const grid2 = grids.find((n) => n.name === '第二网格')!;
    const g2 = t.hub.store.staff.byUsername('grid2')!;
    const now = t.hub.clock.now();
    expect((await t.api('POST', `/api/grid/${grid2.id}/roster/overrides`, await t.login('community'), { staffId: g2.id, startsAt: now + 86_400_000, endsAt: now + 4 * 86_400_000, onDuty: false })).status).toBe(201);
    const some = await t.api('GET', '/api/duty/gaps?days=14', admin);
    expect(some.body.nodes).toHaveLength(1);
    expect(some.body.nodes[0]).toMatchObject({ nodeId: grid2.id, name: '第二网格', path: '管城区/城东路街道/商城花园社区/第二网格', nobodyMinutes: 0 });
    expect(some.body.nodes[0].gaps).toEqual([{ from: now + 86_400_000 + (60_000 - (now % 60_000)) % 60_000, to: now + 4 * 86_400_000 + (60_000 - (now % 60_000)) % 60_000, reaches: { nodeId: grid2.parentId, name: '商城花园社区' } }]);
    const mine = await t.api('GET', '/api/duty/gaps', await t.login('grid1'));
    expect([mine.body.starts, mine.body.nodes]).toEqual([1, []]);
    for (const q of ['days=0', 'days=15', 'days=x', 'grid=1']) expect((await t.api('GET', `/api/duty/gaps?${q}`, admin)).status).toBe(400);
    expect((await t.api('GET', '/api/duty/gaps')).status).toBe(401);
  });
});
