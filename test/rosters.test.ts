/** Duty rosters: the pure on-duty rule, and the API that edits it, used when a step runs. */
import { afterEach, describe, expect, it } from 'vitest';
import { onDutyAt, localClock, weekdayBit, EVERY_DAY } from '../dispatcher/domain/roster.ts';
import { ManualClock } from '../dispatcher/clock.ts';
import { startTestHub, tempDbPath, type TestHub } from './helpers/hub-harness.ts';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';
import { rmSync } from 'node:fs';

const TZ = 'Asia/Shanghai';
// 2026-11-25 is a Wednesday (ISO 3).
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('onDutyAt', () => {
  it('reads the local weekday and minute in the community time zone', () => {
    expect(localClock(at('2026-11-25T23:30:00'), TZ)).toEqual({ isoDay: 3, minute: 23 * 60 + 30 });
    expect(localClock(Date.parse('2026-11-25T16:30:00Z'), TZ)).toEqual({ isoDay: 4, minute: 30 });
  });

  it('keeps an answer only for the minute it was asked in, per time zone', () => {
    expect(localClock(at('2026-11-25T08:59:59.999'), TZ)).toEqual({ isoDay: 3, minute: 8 * 60 + 59 });
    expect(localClock(at('2026-11-25T09:00:00'), TZ)).toEqual({ isoDay: 3, minute: 9 * 60 });
    expect(localClock(at('2026-11-25T09:00:30'), 'Asia/Kolkata')).toEqual({ isoDay: 3, minute: 6 * 60 + 30 }); // UTC+5:30
    expect(localClock(at('2026-11-25T09:00:59'), TZ)).toEqual({ isoDay: 3, minute: 9 * 60 });
    expect(localClock(at('2026-11-24T09:00:10'), TZ)).toEqual({ isoDay: 2, minute: 9 * 60 }); // back a day
  });

  it('day shifts, overnight shifts and overrides', () => {
    const shifts = [
      { staffId: 1, weekdays: weekdayBit(3), startMin: 8 * 60, endMin: 20 * 60 },
      { staffId: 2, weekdays: weekdayBit(3), startMin: 20 * 60, endMin: 8 * 60 }, // Wed 20:00 → Thu 08:00
      { staffId: 3, weekdays: EVERY_DAY, startMin: 0, endMin: 1440 },
    ];
    expect(onDutyAt(shifts, [], at('2026-11-25T09:00:00'), TZ)).toEqual([1, 3]);
    expect(onDutyAt(shifts, [], at('2026-11-25T21:00:00'), TZ)).toEqual([2, 3]);
    expect(onDutyAt(shifts, [], at('2026-11-26T07:59:00'), TZ)).toEqual([2, 3]);
    expect(onDutyAt(shifts, [], at('2026-11-26T08:00:00'), TZ)).toEqual([3]);
    const leave = [{ staffId: 3, startsAt: at('2026-11-25T00:00:00'), endsAt: at('2026-11-26T00:00:00'), onDuty: false }];
    const cover = [{ staffId: 9, startsAt: at('2026-11-25T12:00:00'), endsAt: at('2026-11-25T13:00:00'), onDuty: true }];
    expect(onDutyAt(shifts, [...leave, ...cover], at('2026-11-25T12:30:00'), TZ)).toEqual([1, 9]);
  });
});

describe('rosters and staff kept in memory', () => {
  it('a write shows at once, an override that ended drops out, and a rollback forgets what it wrote', () => {
    const { dir, dbPath } = tempDbPath();
    const s = Store.open(dbPath);
    try {
      const now = at('2026-11-25T09:00:00');
      seedDemo(s, now);
      const grid1 = s.grid.list().find((n) => n.name === '第一网格')!;
      const staffOf = (t: number) => s.rosters.current(grid1.id, t).shifts.map((x) => x.staffId);
      const [leader, admin] = ['community', 'admin'].map((u) => s.staff.byUsername(u)!.id);
      const before = staffOf(now);
      expect(before.length).toBe(1);
      s.rosters.addShift(grid1.id, { staffId: leader, weekdays: EVERY_DAY, startMin: 0, endMin: 1440 });
      expect(staffOf(now)).toEqual([...before, leader]);
      const id = s.rosters.addOverride(grid1.id, { staffId: admin, startsAt: now, endsAt: now + 60_000, onDuty: true });
      expect(s.rosters.current(grid1.id, now + 59_999).overrides.map((o) => o.id)).toEqual([id]);
      expect(s.rosters.current(grid1.id, now + 60_000).overrides).toEqual([]);
      expect(s.rosters.current(grid1.id, now).overrides.map((o) => o.id)).toEqual([id]); // asked about an earlier time: read again

      expect(() => s.tx(() => {
        const temp = s.staff.create({ username: 'temp', displayName: '临时', role: 'staff', scopeNodeId: grid1.id, phone: '' }, 'x', now);
        s.rosters.addShift(grid1.id, { staffId: temp.id, weekdays: EVERY_DAY, startMin: 0, endMin: 1440 });
        expect(staffOf(now)).toContain(temp.id); // read inside the transaction: kept in memory
        expect(s.staff.get(temp.id)?.username).toBe('temp');
        throw new Error('rolled back');
      })).toThrow('rolled back');
      expect(staffOf(now)).toEqual([...before, leader]);
      expect(s.staff.byUsername('temp')).toBeUndefined();
      const lastId = Math.max(...s.staff.list().map((x) => x.id));
      expect(s.staff.get(lastId + 1)).toBeUndefined(); // the rolled-back account is not served from memory
    } finally {
      s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('roster API', () => {
  let t: TestHub | undefined;
  afterEach(async () => { await t?.stop(); t = undefined; });

  it('a leader edits the grid roster; who is on duty is decided when the step runs', async () => {
    const clock = new ManualClock(at('2026-11-25T10:00:00'));
    t = await startTestHub({ clock });
    const grid1Node = t.hub.store.grid.list().find((n) => n.name === '第一网格')!;
    const community = await t.login('community');
    const roster = await t.api('GET', `/api/grid/${grid1Node.id}/roster`, community);
    expect(roster.status).toBe(200);
    expect(roster.body.onDutyNow.map((s: any) => s.name)).toEqual([expect.stringContaining('李娜')]);
    const grid1 = t.hub.store.staff.byUsername('grid1')!;
    // grid1 goes off duty for the next hour: an override.
    const off = await t.api('POST', `/api/grid/${grid1Node.id}/roster/overrides`, community, { staffId: grid1.id, startsAt: clock.now() + 30_000, endsAt: clock.now() + 3_600_000, onDuty: false });
    expect(off.status).toBe(201);
    await t.console('grid1');
    await t.console('community');
    const dev = await t.device('demo-0001');
    const { alertId } = await dev.send('press');
    expect(t.hub.store.alerts.get(alertId!)!.level).toBe(0); // raised while grid1 was still on duty
    clock.advance(61_000);
    expect(t.hub.store.alerts.get(alertId!)!.level).toBe(1);

    const g1 = await t.login('grid1');
    expect((await t.api('POST', `/api/grid/${grid1Node.id}/roster/shifts`, g1, { staffId: grid1.id, weekdays: [1], start: '08:00', end: '12:00' })).status).toBe(403);
    const bad = await t.api('POST', `/api/grid/${grid1Node.id}/roster/shifts`, community, { staffId: grid1.id, weekdays: [8], start: '25:00', end: '12:00' });
    expect(bad.status).toBe(400);
    const shift = await t.api('POST', `/api/grid/${grid1Node.id}/roster/shifts`, community, { staffId: grid1.id, weekdays: [1, 2, 3], start: '22:00', end: '06:00' });
    expect(shift.status).toBe(201);
    const after = await t.api('GET', `/api/grid/${grid1Node.id}/roster`, community);
    expect(after.body.shifts.some((s: any) => s.start === '22:00' && s.end === '06:00')).toBe(true);
    expect((await t.api('PATCH', `/api/grid/${grid1Node.id}`, community, { escalateAfterS: 30 })).body.node.escalateAfterS).toBe(30);
    const g2 = await t.login('grid2');
    expect((await t.api('GET', `/api/grid/${grid1Node.id}/roster`, g2)).status).toBe(403);
  });
});
