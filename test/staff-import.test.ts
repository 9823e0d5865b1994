/**
 * Staff accounts and their weekly shifts from a spreadsheet: the row checks (pure), then
 * POST /api/staff/import on a real hub. Each account gets a first password the hub makes, answered
 * once; it logs in with it, must set its own, and is on duty where its shift says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../dispatcher/reports/csv.ts';
import { gridFinder } from '../dispatcher/domain/household-import.ts';
import { planStaffImport, weekdayMask, weekdayText, type ImportRole } from '../dispatcher/domain/staff-import.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { sheetPoster } from './helpers/sheet-post.ts';

const NODES = [{ id: 1, parentId: null, name: '区' }, { id: 2, parentId: 1, name: '甲社区' }, { id: 3, parentId: 2, name: '第一网格' }];

describe('planStaffImport', () => {
  const plan = (csv: string, refuse: (r: ImportRole, g: number | null) => string | null = () => null) =>
    planStaffImport({ rows: parseCsv(csv), gridOf: gridFinder(NODES), taken: (names) => new Set(names.filter((n) => n === 'grid1')), refuse,
      within: (id, area) => { for (let n = NODES.find((x) => x.id === id); n; n = NODES.find((x) => x.id === n!.parentId)) if (area === null || n.id === area) return true; return false; } });

  it('reads weekdays as ranges, lists or every day', () => {
    expect([weekdayMask('1-5'), weekdayMask('6,7'), weekdayMask('每天'), weekdayMask('1, 3-4')]).toEqual([0x1f, 0x60, 0x7f, 0b1101]);
    expect([weekdayMask('5-1'), weekdayMask('8'), weekdayMask(''), weekdayMask('mon')]).toEqual([null, null, null, null]);
    expect([weekdayText(0x1f), weekdayText(0x7f), weekdayText(0b1100101), weekdayText(0x40)]).toEqual(['1-5', '每天', '1,3,6-7', '7']);
    for (let m = 1; m < 128; m++) expect(weekdayMask(weekdayText(m))).toBe(m);
  });

  it('makes one account per row, grid worker unless told, with its shift (overnight and around the clock too)', () => {
    const p = plan('账号,姓名,角色,网格,电话,值班日,开始,结束\nwang.wei,王 伟,,第一网格,139 0000 0001,1-5,08:00,20:00\nli.na2,李娜,网格员,3,,每天,20:00,08:00\nzhao,赵强,网格长,甲社区,,每天,00:00,24:00\nboss,管理员一,admin,,,,,\n');
    expect(p.errors).toEqual([]);
    expect(p.accounts.map((a) => [a.username, a.displayName, a.role, a.scopeNodeId, a.shifts])).toEqual([
      ['wang.wei', '王 伟', 'staff', 3, [{ nodeId: 3, weekdays: 0x1f, startMin: 480, endMin: 1200 }]],
      ['li.na2', '李娜', 'staff', 3, [{ nodeId: 3, weekdays: 0x7f, startMin: 1200, endMin: 480 }]],
      ['zhao', '赵强', 'leader', 2, [{ nodeId: 2, weekdays: 0x7f, startMin: 0, endMin: 1440 }]],
      ['boss', '管理员一', 'admin', null, []],
    ]);
  });

  it('a split roster is one row per shift: a later row of the same username adds its shift, its other cells empty or the same', () => {
    const p = plan('账号,姓名,角色,网格,电话,值班日,开始,结束\nwang.wei,王伟,,第一网格,139,1-5,08:00,20:00\nWANG.wei,,网格员,3,,6,08:00,12:00\nwang.wei,王伟,staff,,139,7,20:00,08:00\n');
    expect(p.errors).toEqual([]);
    expect(p.accounts).toHaveLength(1);
    expect(p.accounts[0].shifts).toEqual([{ nodeId: 3, weekdays: 0x1f, startMin: 480, endMin: 1200 }, { nodeId: 3, weekdays: 0x20, startMin: 480, endMin: 720 }, { nodeId: 3, weekdays: 0x40, startMin: 1200, endMin: 480 }]);
    // A leader's night cover of one of their grids: shift_grid, inside their area; outside it, refused.
    const leader = plan('账号,姓名,角色,网格,值班日,开始,结束,值班网格\nzhao,赵强,网格长,甲社区,1-5,08:00,20:00,\nzhao,,,,6-7,20:00,08:00,第一网格\n');
    expect([leader.errors, leader.accounts[0].shifts.map((x) => x.nodeId)]).toEqual([[], [2, 3]]);
    const outside = plan('账号,姓名,网格,值班日,开始,结束,值班网格\nwu,吴,第一网格,每天,08:00,20:00,甲社区\nboss,管理员,,每天,08:00,20:00,\n', () => null);
    expect(outside.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([[2, 'shift_grid "甲社区"'], [3, 'grid']]);
    const wrong = plan([
      '账号,姓名,角色,网格,值班日,开始,结束',
      'li,李娜,,第一网格,1-5,08:00,20:00',
      'li,李四,,第一网格,6,08:00,12:00', // 3: another name
      'li,,网格长,,6,08:00,12:00', // 4: another role
      'li,,,甲社区,6,08:00,12:00', // 5: another grid
      'li,,,,,,', // 6: no shift to add
      'li,,,,1-5,08:00,20:00', // 7: the same shift again
    ].join('\n'));
    expect(wrong.errors.map((e) => [e.line, e.message.replace(/ \(.*/, '')])).toEqual([
      [3, 'username li: also on line 2 with another display_name'], [4, 'username li: also on line 2 with another role'],
      [5, 'username li: also on line 2 with another grid'], [6, 'username li: also on line 2, and this row has no shift to add'],
      [7, 'username li: this shift is already on an earlier row'],
    ]);
  });

  it('names every bad row with its line: username, a twin in any case, a taken one, role, grid, phone, shift, and what the importer may not make', () => {
    const p = plan([
      'username,display_name,role,grid,phone,weekdays,start,end',
      'x,甲,,第一网格,,,,', // 2: username too short
      'Dup,乙,,第一网格,,,,',
      'dup,丙,,第一网格,,,,', // 4: twin of line 3
      'grid1,丁,,第一网格,,,,', // 5: taken
      'ok1,戊,chief,第一网格,,,,', // 6: role
      'ok2,己,,无此网格,,,,', // 7: grid
      'ok3,庚,,第一网格,abc,,,', // 8: phone
      'ok4,辛,,第一网格,,1-5,08:00,', // 9: partial shift
      'ok5,壬,,第一网格,,1-9,8:00,25:00', // 10: weekdays and end
      'ok6,癸,,第一网格,,1-5,08:00,08:00', // 11: start = end
      'ok7,子,,,,,,', // 12: a grid worker needs a grid
    ].join('\n'));
    expect(p.errors.map((e) => [e.line, e.message.split(/[: ]/)[0]])).toEqual([
      [2, 'username'], [4, 'username'], [5, 'username'], [6, 'role'], [7, 'grid'], [8, 'phone'], [9, 'weekdays,'], [10, 'weekdays'], [10, 'end'], [11, 'start'], [12, 'grid'],
    ]);
    const leader = plan('账号,姓名,角色,网格\nzhao,赵强,网格长,甲社区\n', (role) => (role === 'staff' ? null : 'role: grid leaders create grid-worker accounts only'));
    expect(leader.errors).toEqual([{ line: 2, message: expect.stringContaining('grid-worker accounts only') }]);
    expect(plan('账号,姓名\n').errors[0].message).toMatch(/column grid is missing/);
    expect(plan('账号,姓名,网格,班次\n').errors[0].message).toMatch(/unknown column "班次"/);
  });
});

describe('POST /api/staff/import', () => {
  let t: TestHub;
  let leader: string;
  beforeAll(async () => {
    t = await startTestHub();
    leader = await t.login('community');
  });
  afterAll(async () => { await t?.stop(); });
  const post = sheetPoster(() => t, '/api/staff/import', () => leader);
  const staffCount = () => t.hub.store.staff.count();

  it('a leader imports grid workers with their shifts; each logs in with the password answered once, must set their own, and is on duty as the sheet says', async () => {
    const r = await post('账号,姓名,网格,电话,值班日,开始,结束\nsun.li,孙丽,第一网格,+86 139 0000 0011,每天,00:00,24:00\nzhou.qiang,周强,第二网格,,1-5,08:00,20:00\nzhou.qiang,,,,6,08:00,12:00\n');
    expect([r.status, r.body.created]).toEqual([201, 2]);
    const [sun, zhou] = r.body.accounts;
    expect(sun).toMatchObject({ line: 2, username: 'sun.li', displayName: '孙丽', shifts: 1 });
    expect(sun.password).toMatch(/^[a-km-np-z2-9]{12}$/);
    const login = await t.api('POST', '/api/session', undefined, { username: 'sun.li', password: sun.password });
    expect([login.status, login.body.user.mustChangePassword]).toEqual([200, true]);
    expect((await t.api('POST', '/api/session', undefined, { username: 'zhou.qiang', password: sun.password })).status).toBe(401);
    const grid1 = t.hub.store.grid.list().find((n) => n.name === '第一网格')!.id;
    expect(t.hub.duty.onDuty(grid1, t.hub.clock.now())).toContain(sun.id);
    const roster = await t.api('GET', `/api/grid/${t.hub.store.grid.list().find((n) => n.name === '第二网格')!.id}/roster`, leader);
    expect(roster.body.shifts.filter((s: { staffId: number }) => s.staffId === zhou.id)).toMatchObject([{ weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' }, { weekdays: [6], start: '08:00', end: '12:00' }]);
    expect(zhou.shifts).toBe(2);
    // They set their own with the one handed to them on the slip.
    const held = await t.api('PUT', '/api/me/password', login.body.token, { currentPassword: sun.password, newPassword: 'sun-li-own-pass' });
    expect(held.status).toBe(200);
  });

  it('refuses what a leader may not make, a taken name, a bad sheet or sender, and writes nothing', async () => {
    const before = staffCount();
    const mine = await post('账号,姓名,角色,网格\nnew.leader,新网格长,网格长,商城花园社区\nnew.worker,新人,,城东路街道\ngrid1,重名,,第一网格\n');
    expect(mine.status).toBe(400);
    // Line 4 names an existing grid worker: a change to it, shown for confirming once the sheet is right (staff-import-changes.test.ts).
    expect(mine.body.error.rows.map((x: { line: number }) => x.line)).toEqual([2, 3]);
    expect(mine.body.error.rows[1].message).toMatch(/no such grid node in your area/);
    expect(staffCount()).toBe(before);
    expect((await post('账号,姓名,网格\nw,x,第一网格\n', await t.login('grid1'))).status).toBe(403);
    expect((await post('{"a":1}', leader, 'application/json')).body.error.code).toBe('E_UNSUPPORTED_MEDIA');
    expect((await post('账号,姓名,网格\n')).body.error.message).toMatch(/no accounts/);
    expect((await post('账号,姓名,网格\n"open')).body.error.message).toMatch(/not a CSV file/);
    const many = await post(['账号,姓名,网格', ...Array.from({ length: 2001 }, (_, i) => `u${i},人${i},第一网格`)].join('\n'));
    expect([many.status, many.body.error.code]).toEqual([413, 'E_TOO_LARGE']);
    expect(staffCount()).toBe(before);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });

  it('a name taken by hand while a large sheet is being written fails the import with its line and removes every account it made', async () => {
    const before = staffCount();
    const grid1 = t.hub.store.grid.list().find((n) => n.name === '第一网格')!.id;
    const shiftsBefore = t.hub.store.rosters.shifts(grid1).length;
    const sheet = ['账号,姓名,网格,值班日,开始,结束', ...Array.from({ length: 999 }, (_, i) => `bulk${i},批量${i},第一网格,1-5,08:00,20:00`), 'late.one,最后一位,第一网格,,,'];
    const sent = post(sheet.join('\n'));
    // Once the first chunk is in the store, someone registers the sheet's last name by hand.
    while (staffCount() === before) await new Promise((r) => setImmediate(r));
    t.hub.store.staff.create({ username: 'Late.One', displayName: '手工建的', role: 'staff', scopeNodeId: null, phone: '' }, 'x', Date.now());
    const r = await sent;
    expect([r.status, r.body.error.code, r.body.error.details?.line ?? r.body.error.line]).toEqual([409, 'E_CONFLICT', 1001]);
    expect(r.body.error.message).toMatch(/late\.one was taken while the file was being imported: nothing was imported/);
    expect(staffCount()).toBe(before + 1);
    expect(t.hub.store.rosters.shifts(grid1)).toHaveLength(shiftsBefore);
    expect(t.hub.store.staff.byUsername('bulk0')).toBeUndefined();
  });

  it('the console\'s template imports as it is, a split roster included', async () => {
    const { STAFF_TEMPLATE } = await import('../dispatcher/console/js/staff-import.js' as string);
    const r = await post(STAFF_TEMPLATE);
    expect([r.status, r.body.accounts.map((a: { username: string; shifts: number }) => [a.username, a.shifts])]).toEqual([201, [['wang.wei', 1], ['li.na2', 2]]]);
  });

  it('the staff sheet (GET /api/staff as CSV) lists the accounts in service and their shifts in the import\'s columns, and sets up another hub', async () => {
    // The community leader also covers 第二网格 on weekend nights: a shift inside their area, on that grid's roster.
    const grid2Id = t.hub.store.grid.list().find((n) => n.name === '第二网格')!.id;
    const me = t.hub.store.staff.byUsername('community')!;
    expect((await t.api('POST', `/api/grid/${grid2Id}/roster/shifts`, leader, { staffId: me.id, weekdays: [6, 7], start: '20:00', end: '08:00' })).status).toBe(201);
    const res = await fetch(`${t.httpUrl}/api/staff`, { headers: { authorization: `Bearer ${leader}`, accept: 'text/csv' } });
    expect([res.status, res.headers.get('content-type'), res.headers.get('content-disposition')]).toEqual([200, 'text/csv; charset=utf-8', 'attachment; filename="staff-and-shifts.csv"']);
    const sheet = (await res.text()).replace(/^\uFEFF/, '');
    const lines = sheet.trim().split('\r\n');
    expect(lines[0]).toBe('账号,姓名,角色,网格,电话,值班日,开始,结束,值班网格');
    expect(lines.filter((l) => l.startsWith('zhou.qiang,'))).toEqual([
      'zhou.qiang,周强,网格员,管城区/城东路街道/商城花园社区/第二网格,,1-5,08:00,20:00,',
      'zhou.qiang,周强,网格员,管城区/城东路街道/商城花园社区/第二网格,,6,08:00,12:00,',
    ]);
    expect(lines.find((l) => l.startsWith('sun.li,'))).toMatch(/,'\+86 139 0000 0011,每天,00:00,24:00,$/); // marked as text for a spreadsheet
    expect(lines.filter((l) => l.startsWith('community,')).map((l) => l.split(',').slice(5).join(','))).toEqual([
      '每天,00:00,24:00,', '6-7,20:00,08:00,管城区/城东路街道/商城花园社区/第二网格']);
    expect(lines.some((l) => l.startsWith('admin,'))).toBe(false); // outside a leader's scope
    expect((await fetch(`${t.httpUrl}/api/staff`, { headers: { authorization: `Bearer ${await t.login('grid1')}`, accept: 'text/csv' } })).status).toBe(403);

    // Sent back to this hub, every row says what its account says: nothing is written. With a new
    // person at the bottom, only they are added; a row that changes an existing account is listed for confirming.
    const again = await post(sheet);
    expect([again.status, again.body.created, again.body.unchanged]).toEqual([200, 0, new Set(lines.slice(1).map((l) => l.split(',')[0])).size]);
    const more = await post(`${sheet.trim()}\r\nxin.ren,新人,网格员,第二网格,,1-5,08:00,20:00,\r\n`);
    expect([more.status, more.body.created, more.body.accounts[0].username]).toEqual([201, 1, 'xin.ren']);
    const changed = await post(sheet.replaceAll('zhou.qiang,周强,', 'zhou.qiang,周强强,'));
    expect([changed.status, changed.body.error.changes]).toEqual([409, [expect.objectContaining({ username: 'zhou.qiang', fields: ['display_name'] })]]);

    // A new installation's accounts from this one: the rows not already on the new hub import as they are.
    const other = await startTestHub();
    try {
      const taken = new Set(other.hub.store.staff.list().map((s) => s.username));
      const fresh = [lines[0], ...lines.slice(1).filter((l) => !taken.has(l.split(',')[0]))];
      const r = await fetch(`${other.httpUrl}/api/staff/import`, { method: 'POST', headers: { authorization: `Bearer ${await other.login('admin')}`, 'content-type': 'text/csv' }, body: fresh.join('\r\n') });
      const body = await r.json();
      expect([r.status, body.created]).toEqual([201, new Set(fresh.slice(1).map((l) => l.split(',')[0])).size]);
      expect(other.hub.store.staff.byUsername('sun.li')!.phone).toBe('+86 139 0000 0011');
      const zhou = other.hub.store.staff.byUsername('zhou.qiang')!;
      const grid2 = other.hub.store.grid.list().find((n) => n.name === '第二网格')!.id;
      expect(other.hub.store.rosters.shifts(grid2).filter((x) => x.staffId === zhou.id).map((x) => [x.weekdays, x.startMin, x.endMin])).toEqual([[0x1f, 480, 1200], [0x20, 480, 720]]);
    } finally {
      await other.stop();
    }
  });

  it('an admin makes leaders and admins too', async () => {
    const admin = await t.login('admin');
    const r = await post('账号,姓名,角色,网格\nchen.zz,陈主任,网格长,城东路街道\nops2,值班管理员,管理员,\n', admin);
    expect(r.status).toBe(201);
    expect(t.hub.store.staff.byUsername('chen.zz')).toMatchObject({ role: 'leader', mustChangePassword: true });
    expect(t.hub.store.staff.byUsername('ops2')).toMatchObject({ role: 'admin', scopeNodeId: null });
  });
});
