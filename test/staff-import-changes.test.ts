/**
 * The staff sheet goes out, is corrected and comes back (POST /api/staff/import on a real hub): rows
 * of existing accounts change them, name, phone, area, role and weekly shifts, once the importer has
 * seen the list of changes and sent the file again with changeExisting=true; only accounts the
 * importer manages; what the sheet does not say stays; all or none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { sheetPoster } from './helpers/sheet-post.ts';
import { accountChange, stillAsRead, type ExistingAccount } from '../dispatcher/domain/staff-changes.ts';

describe('accountChange, stillAsRead', () => {
  const now: ExistingAccount = { id: 7, displayName: '王  伟', role: 'leader', scopeNodeId: 2, phone: '139 ', disabled: false, shifts: [{ id: 1, nodeId: 2, weekdays: 0x1f, startMin: 480, endMin: 1200 }, { id: 2, nodeId: 3, weekdays: 0x60, startMin: 0, endMin: 1440 }] };
  const sheet = { line: 9, username: 'wang', displayName: '王 伟', role: 'staff' as const, scopeNodeId: 2, phone: '', shifts: [{ nodeId: 2, weekdays: 0x1f, startMin: 480, endMin: 1200 }, { nodeId: 2, weekdays: 0x40, startMin: 0, endMin: 600 }] };
  const spaced = (s: string) => s.replace(/\s+/g, ' ').trim();

  it('compares what the row says; what it does not say is kept', () => {
    const all = accountChange(sheet, now, { role: false, phone: false, shifts: false }, spaced);
    expect([all.fields, all.added, all.removed.map((x) => x.id)]).toEqual([['role', 'phone', 'shifts'], [sheet.shifts[1]], [2]]);
    const kept = accountChange(sheet, now, { role: true, phone: true, shifts: true }, spaced);
    expect([kept.fields, kept.after]).toEqual([[], { displayName: '王 伟', role: 'leader', scopeNodeId: 2, phone: '139', }]);
  });

  it('an account is still as read when nothing of it, shifts included, has changed', () => {
    expect(stillAsRead(now, { ...now, shifts: [...now.shifts].reverse() })).toBe(true);
    for (const edit of [{ displayName: 'x' }, { phone: '1' }, { role: 'staff' as const }, { scopeNodeId: 3 }, { disabled: true }, { shifts: now.shifts.slice(1) }]) expect(stillAsRead(now, { ...now, ...edit })).toBe(false);
    expect(stillAsRead(now, undefined)).toBe(false);
  });
});

describe('staff import: changes to existing accounts', () => {
  let t: TestHub;
  let leader: string;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    [leader, admin] = [await t.login('community'), await t.login('admin')];
  });
  afterAll(async () => { await t?.stop(); });
  const post = sheetPoster(() => t, '/api/staff/import', () => leader);
  const confirm = sheetPoster(() => t, '/api/staff/import?changeExisting=true', () => leader);
  const nodeId = (name: string) => t.hub.store.grid.list().find((n) => n.name === name)!.id;
  const staff = (u: string) => t.hub.store.staff.byUsername(u)!;
  const shiftsOf = (u: string) => t.hub.store.rosters.allShifts().filter((x) => x.staffId === staff(u).id).map((x) => [x.nodeId, x.weekdays, x.startMin, x.endMin]);
  const sheetOf = async (token: string) => (await (await fetch(`${t.httpUrl}/api/staff`, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } })).text()).replace(/^\uFEFF/, '');

  it('lists what a corrected sheet changes, writes nothing until asked again, then changes name, phone, area and shifts', async () => {
    expect((await post('账号,姓名,网格,电话,值班日,开始,结束\nqian,钱多,第一网格,139 1,1-5,08:00,20:00\nqian,,,,6,08:00,12:00\n')).status).toBe(201);
    const lines = (await sheetOf(leader)).trim().split('\r\n');
    const [head, rest] = [lines[0], lines.slice(1).filter((l) => !l.startsWith('qian,'))];
    const grid1Row = rest.find((l) => l.startsWith('grid1,'))!;
    // Qian: a new name and phone, moved to 第二网格 with a Sunday shift there instead of the old two; grid1: a phone.
    const corrected = [head, ...rest.map((l) => (l === grid1Row ? l.replace(/^(grid1,[^,]*,[^,]*,[^,]*,)[^,]*/, '$1138 0000 0001') : l)),
      'qian,钱多多,网格员,第二网格,139 2,7,08:00,20:00,'].join('\r\n');
    const was = { qian: { ...staff('qian') }, shifts: shiftsOf('qian') };

    const shown = await post(corrected);
    expect([shown.status, shown.body.error.code, shown.body.error.changing, shown.body.error.creating]).toEqual([409, 'E_CONFLICT', 2, 0]);
    expect(shown.body.error.changes).toEqual([
      { line: expect.any(Number), username: 'grid1', fields: ['phone'], shiftsAdded: 0, shiftsRemoved: 0 },
      { line: lines.length - 1, username: 'qian', fields: ['display_name', 'grid', 'phone', 'shifts'], shiftsAdded: 1, shiftsRemoved: 2 },
    ]);
    expect([staff('qian'), shiftsOf('qian')]).toEqual([was.qian, was.shifts]);

    const done = await confirm(corrected);
    expect([done.status, done.body.created, done.body.changed, done.body.unchanged]).toEqual([200, 0, 2, new Set(rest.map((l) => l.split(',')[0])).size - 1]);
    expect(staff('qian')).toMatchObject({ displayName: '钱多多', phone: '139 2', scopeNodeId: nodeId('第二网格'), role: 'staff' });
    expect(shiftsOf('qian')).toEqual([[nodeId('第二网格'), 0x40, 480, 1200]]);
    expect(staff('grid1').phone).toBe('138 0000 0001');
    expect(shiftsOf('grid1').length).toBeGreaterThan(0); // its shifts stayed
    // Sent once more, it is the hub's own sheet: nothing to change.
    const again = await post(corrected);
    expect([again.status, again.body.changed]).toEqual([200, 0]);
  });

  it('a moved worker\'s console reconnects to see the new area', async () => {
    const c = await t.console('grid2');
    const r = await confirm('账号,姓名,网格\ngrid2,第二网格网格员,第一网格\n');
    expect([r.status, r.body.changes[0].fields]).toEqual([200, expect.arrayContaining(['grid'])]);
    await expect.poll(() => c.closed, { timeout: 3000 }).toBe(true);
    expect(c.closeCode).toBe(4002);
    expect(staff('grid2').scopeNodeId).toBe(nodeId('第一网格'));
  });

  it('keeps what the sheet does not say: a missing phone or shift column, an empty role cell', async () => {
    const before = { community: { ...staff('community') }, shifts: shiftsOf('community') };
    const r = await sheetPoster(() => t, '/api/staff/import?changeExisting=true', () => admin)(`账号,姓名,角色,网格\ncommunity,赵社区,,商城花园社区\n`);
    expect([r.status, r.body.changes[0].fields]).toEqual([200, ['display_name']]);
    expect(staff('community')).toMatchObject({ ...before.community, displayName: '赵社区' });
    expect(shiftsOf('community')).toEqual(before.shifts);
  });

  it('refuses changes to accounts the importer does not manage, a role they may not give, one\'s own role, and a disabled account', async () => {
    t.hub.store.staff.create({ username: 'gone', displayName: '已停用', role: 'staff', scopeNodeId: nodeId('第一网格'), phone: '' }, 'x', Date.now());
    t.hub.store.staff.update(staff('gone').id, { disabled: true });
    const r = await confirm('账号,姓名,角色,网格\ncommunity,我自己,网格长,商城花园社区\ngrid1,升职,网格长,第一网格\nadmin,管理员,管理员,\ngone,已停用,网格员,第一网格\n');
    expect(r.status).toBe(400);
    // Line 4 says what the admin account says: left alone, though the leader does not manage it.
    expect(r.body.error.rows.map((x: { line: number; message: string }) => [x.line, x.message])).toEqual([
      [2, expect.stringMatching(/^username community: this row changes the account's display_name, but that account is not one you manage/)],
      [3, expect.stringMatching(/^username grid1: this row changes the account's display_name, role, but role: grid leaders create grid-worker accounts only/)],
      [5, expect.stringMatching(/^username gone: already taken by a disabled account/)],
    ]);
    const self = await sheetPoster(() => t, '/api/staff/import?changeExisting=true', () => admin)('账号,姓名,角色,网格\nadmin,管理员,网格长,管城区\n');
    expect(self.body.error.rows[0].message).toMatch(/your own role/);
    expect(staff('grid1').role).toBe('staff');
  });

  it('a username taken by hand while a large sheet is written fails the import, and every change and new account it wrote is undone', async () => {
    const grid1 = staff('grid1');
    const shifts = shiftsOf('grid1');
    const sheet = ['账号,姓名,网格,电话,值班日,开始,结束', `grid1,${grid1.displayName},第一网格,555 01,每天,08:00,20:00`,
      ...Array.from({ length: 400 }, (_, i) => `many${i},很多${i},第一网格,,1-5,08:00,20:00`), 'last.one,最后,第一网格,,,,'];
    const count = t.hub.store.staff.count();
    const sent = confirm(sheet.join('\n'));
    while (t.hub.store.staff.count() === count) await new Promise((r) => setImmediate(r));
    t.hub.store.staff.create({ username: 'LAST.one', displayName: '手工', role: 'staff', scopeNodeId: null, phone: '' }, 'x', Date.now());
    const r = await sent;
    expect([r.status, r.body.error.code, r.body.error.line]).toEqual([409, 'E_CONFLICT', 403]);
    expect(staff('grid1')).toEqual(grid1);
    expect(shiftsOf('grid1').sort()).toEqual(shifts.sort());
    expect(t.hub.store.staff.count()).toBe(count + 1);
  });
});
