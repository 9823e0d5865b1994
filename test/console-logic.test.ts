/** Issue 4: the console's pure logic (plain ES modules served to the browser), tested in Node. */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';

const load = (f: string): Promise<any> => import(`../dispatcher/console/js/${f.replace(/\.js$/, '')}.js` as string);
const JS_DIR = new URL('../dispatcher/console/js/', import.meta.url);

// Demo chain: 1 管城区 › 2 城东路街道 › 3 商城花园社区 › 4 第一网格 / 5 第二网格
const alert = (over: Record<string, unknown> = {}) => ({
  id: 'a1', kind: 'call', state: 'raised', gridPath: '/1/2/3/4/', level: 0, topLevel: 3, presses: 1, raisedAt: 1000, version: 1, ...over,
});
const grid1 = { id: 1, scopeNodeId: 4, role: 'staff' };
const grid2 = { id: 2, scopeNodeId: 5, role: 'staff' };
const community = { id: 3, scopeNodeId: 3, role: 'leader' };
const admin = { id: 4, scopeNodeId: null, role: 'admin' };

describe('who the alarm rings for', () => {
  it('rings for the grid at level 0, and climbs the chain with the level', async () => {
    const { ringsFor } = await load('queue.js');
    expect([grid1, grid2, community, admin].map((u) => ringsFor(alert(), u))).toEqual([true, false, false, false]);
    expect([grid1, grid2, community, admin].map((u) => ringsFor(alert({ level: 1 }), u))).toEqual([true, false, true, false]);
    expect([grid1, community, admin].map((u) => ringsFor(alert({ level: 3 }), u))).toEqual([true, true, true]);
  });

  it('rings for raised and resident-cancelled calls only; never for technical alerts or without a user', async () => {
    const { ringsFor } = await load('queue.js');
    expect(ringsFor(alert({ state: 'cancelled' }), grid1)).toBe(true);
    for (const state of ['accepted', 'on_site', 'resolved']) expect(ringsFor(alert({ state }), grid1)).toBe(false);
    expect(ringsFor(alert({ kind: 'technical' }), grid1)).toBe(false);
    expect(ringsFor(alert(), null)).toBe(false);
    expect(ringsFor(alert({ gridPath: 'garbage' }), grid1)).toBe(false);
  });

  it('does not ring for anyone who held a handed-back call (they cannot go); it rings for the others', async () => {
    const { ringsFor } = await load('queue.js');
    const back = (heldBy: number) => ({ at: 1, type: 'released', staffId: community.id, data: { heldBy } }); // a leader hands it back for them
    const raised = { at: 0, type: 'raised', staffId: null, data: {} };
    const a = alert({ level: 1, timeline: [raised, back(grid1.id)] });
    expect([grid1, community].map((u) => ringsFor(a, u))).toEqual([false, true]);
    const twice = alert({ level: 3, timeline: [raised, back(grid1.id), back(community.id)] });
    expect([grid1, community, admin].map((u) => ringsFor(twice, u))).toEqual([false, false, true]);
    // The hub found nobody else and asks grid1 again: it rings for them.
    const asked = { at: 2, type: 'notified', staffId: null, data: { level: 0, notified: [grid1.id], askedAgain: true } };
    expect(ringsFor(alert({ level: 0, timeline: [raised, back(grid1.id), asked] }), grid1)).toBe(true);
    const plain = { at: 2, type: 'notified', staffId: null, data: { level: 1, notified: [community.id] } };
    expect(ringsFor(alert({ level: 1, timeline: [raised, back(grid1.id), plain] }), grid1)).toBe(false);
    // It climbed and reached nobody: it rings for them too rather than go quiet.
    const nobody = { at: 3, type: 'notified', staffId: null, data: { level: 3, notified: [] } };
    expect(ringsFor(alert({ level: 3, timeline: [raised, back(grid1.id), plain, nobody] }), grid1)).toBe(true);
  });
});

describe('queue order and the alert book', () => {
  it('puts unaccepted calls first by level and presses, then the newest', async () => {
    const { compareAlerts } = await load('queue.js');
    const list = [
      alert({ id: 'acc-new', state: 'accepted', raisedAt: 9000 }),
      alert({ id: 'raised-old', raisedAt: 1000 }),
      alert({ id: 'raised-new', raisedAt: 2000 }),
      alert({ id: 'raised-3-presses', presses: 3, raisedAt: 500 }),
      alert({ id: 'escalated', level: 1, raisedAt: 100 }),
      alert({ id: 'cancelled', state: 'cancelled', level: 2, raisedAt: 5000 }),
      alert({ id: 'on-site-old', state: 'on_site', raisedAt: 10 }),
    ].sort(compareAlerts);
    expect(list.map((a) => a.id)).toEqual(['escalated', 'raised-3-presses', 'raised-new', 'raised-old', 'cancelled', 'acc-new', 'on-site-old']);
  });

  it('keeps one entry per id and only the newest version; closed alerts leave the queue', async () => {
    const { AlertBook } = await load('queue.js');
    const b = new AlertBook(2);
    expect(b.apply(alert({ version: 2 }))).toBe(true);
    expect(b.apply(alert({ version: 2 }))).toBe(false); // duplicate (e.g. resume overlap)
    expect(b.apply(alert({ version: 1, state: 'raised' }))).toBe(false); // stale
    expect(b.apply(alert({ version: 3, state: 'accepted' }))).toBe(true);
    expect(b.calls()).toHaveLength(1);
    expect(b.calls()[0].state).toBe('accepted');
    expect(b.apply(alert({ version: 4, state: 'resolved' }))).toBe(true);
    expect(b.calls()).toHaveLength(0);
    expect(b.recent.map((a: any) => a.id)).toEqual(['a1']);
    expect(b.apply(alert({ version: 3, state: 'accepted' }))).toBe(false); // a late frame cannot resurrect it
    b.apply(alert({ id: 't1', kind: 'technical', version: 1 }));
    expect(b.technical().map((a: any) => a.id)).toEqual(['t1']);
    expect(b.calls()).toHaveLength(0);
  });

  it('a snapshot replaces the open set but never goes back to an older version', async () => {
    const { AlertBook } = await load('queue.js');
    const b = new AlertBook();
    b.apply(alert({ id: 'x', version: 5, state: 'accepted' }));
    b.apply(alert({ id: 'gone', version: 1 }));
    b.snapshotPage([alert({ id: 'x', version: 4 }), alert({ id: 'new', version: 1 })], true, true); // a snapshot in one frame
    expect([...b.open.keys()].sort()).toEqual(['new', 'x']);
    expect(b.open.get('x').version).toBe(5);
  });

  it('a snapshot in pages: each page shows at once, cards a reconnecting console had stay until the last page', async () => {
    const { AlertBook } = await load('queue.js');
    const b = new AlertBook();
    b.apply(alert({ id: 'old-open', version: 2 }));
    b.apply(alert({ id: 'closed-meanwhile', version: 1 }));
    b.snapshotPage([alert({ id: 'p1', version: 1 })], true, false);
    expect([...b.open.keys()].sort()).toEqual(['closed-meanwhile', 'old-open', 'p1']); // nothing blinks out yet
    b.snapshotPage([alert({ id: 'old-open', version: 3 }), alert({ id: 'p2', version: 1 })], false, false);
    expect(b.open.get('old-open').version).toBe(3);
    b.snapshotPage([], false, true);
    expect([...b.open.keys()].sort()).toEqual(['old-open', 'p1', 'p2']);
    // A new snapshot starts its own set of pages.
    b.snapshotPage([alert({ id: 'p2', version: 1 })], true, true);
    expect([...b.open.keys()]).toEqual(['p2']);
  });

  it('the hub sends a big snapshot in the order the console lists calls (dispatcher/domain/urgency.ts and queue.js agree)', async () => {
    const { compareAlerts } = await load('queue.js');
    const { compareUrgency } = await import('../dispatcher/domain/urgency.ts');
    const states = ['raised', 'accepted', 'cancelled', 'on_site'];
    const calls = Array.from({ length: 300 }, (_, i) => alert({ id: `c${i}`, state: states[i % 4], level: i % 3, presses: 1 + (i % 5), raisedAt: 1000 + ((i * 37) % 200) }));
    expect([...calls].sort(compareUrgency).map((a) => a.id)).toEqual([...calls].sort(compareAlerts).map((a: any) => a.id));
    const tech = alert({ id: 't', kind: 'technical', raisedAt: 99_999 });
    expect([tech, ...calls].sort(compareUrgency).at(-1)).toBe(tech); // calls first
  });
});

describe('a mass event', () => {
  it('the calls that ring are the same, in the same order, as the ringing ones among all calls sorted', async () => {
    const { AlertBook, ringsFor, compareAlerts } = await load('queue.js');
    const b = new AlertBook();
    const states = ['raised', 'accepted', 'cancelled', 'on_site'];
    for (let i = 0; i < 500; i++) {
      b.apply(alert({ id: `c${i}`, state: states[i % 4], level: i % 4, presses: 1 + (i % 3), raisedAt: 1000 + ((i * 37) % 500), gridPath: i % 2 ? '/1/2/3/4/' : '/1/2/3/5/' }));
    }
    for (const u of [grid1, grid2, community, admin]) {
      const expected = b.calls().filter((a: any) => ringsFor(a, u)).sort(compareAlerts).map((a: any) => a.id);
      expect(b.ringing(u).map((a: any) => a.id)).toEqual(expected);
    }
  });

  it('the list is redrawn at once, then at most once per window, and the last change is always drawn', async () => {
    const { throttle } = await load('throttle.js');
    let now = 0;
    const timers: { at: number; f: () => void }[] = [];
    let draws = 0;
    const draw = throttle(() => { draws++; }, 100, () => now, (f: () => void, d: number) => timers.push({ at: now + d, f }));
    const advance = (to: number) => {
      now = to;
      for (const t of timers.splice(0).filter((x) => x.at <= to)) t.f();
    };
    draw();
    expect(draws).toBe(1); // a quiet night: at once
    for (let ms = 1; ms < 100; ms += 5) { now = ms; draw(); }
    expect(draws).toBe(1);
    expect(timers).toHaveLength(1); // one redraw queued however many changes came
    advance(100);
    expect(draws).toBe(2);
    now = 500;
    draw();
    expect(draws).toBe(3); // quiet again: at once
  });
});

describe('strings', () => {
  it('every key has Chinese and English; English has no CJK; every key used in code exists', async () => {
    const { STRINGS } = await load('strings.js');
    const cjk = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;
    for (const [k, v] of Object.entries(STRINGS) as [string, string[]][]) {
      expect(v, k).toHaveLength(2);
      expect(v[0].length > 0 && v[1].length > 0, k).toBe(true);
      expect(cjk.test(v[1]), `English of ${k}: ${v[1]}`).toBe(false);
      expect(cjk.test(v[0]) || /^[\w\s%≤·…()./:-]*$/.test(v[0]), `Chinese of ${k}: ${v[0]}`).toBe(true);
    }
    const groups = new Set(Object.keys(STRINGS).map((k) => k.split('.')[0]));
    const used = new Set<string>();
    for (const f of readdirSync(JS_DIR).filter((x) => x !== 'strings.js')) {
      const src = readFileSync(new URL(f, JS_DIR), 'utf8');
      // every 'group.key' literal except element specs such as h('nav.tabs')
      for (const m of src.matchAll(/(?<!\bh\()'([a-z]+)\.([A-Za-z0-9_-]+)'/g)) if (groups.has(m[1])) used.add(`${m[1]}.${m[2]}`);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const k of used) expect(STRINGS, `missing string ${k}`).toHaveProperty([k]);
  });

  it('fills placeholders and falls back to the key itself', async () => {
    const i18n = await load('i18n.js');
    expect(i18n.t('card.age', { n: 80 })).toBe('80 岁');
    i18n.setLang('en');
    expect(i18n.t('card.age', { n: 80 })).toBe('age 80');
    expect(i18n.t('no.such.key')).toBe('no.such.key');
    i18n.setLang('zh');
  });
});

describe('formatting and device health', () => {
  it('elapsed clocks and durations', async () => {
    const f = await load('format.js');
    expect([f.clock(0), f.clock(65_000), f.clock(3_725_000), f.clock(-5)]).toEqual(['00:00', '01:05', '1:02:05', '00:00']);
    expect([f.duration(null), f.duration(42), f.duration(185)]).toEqual(['—', '42 秒', '3 分 05 秒']);
    expect([f.percent(0.978), f.percent(1), f.percent(null)]).toEqual(['97.8%', '100%', '—']);
  });

  it('finds a call by address, resident or contact name or phone, device or id, in any case', async () => {
    const { alertMatches } = await load('queue.js');
    const a = { id: 'al-77', deviceId: 'demo-0004', household: { address: '商城花园1号楼4单元103室', residents: [{ name: '张建国', phone: '13900000003' }], contacts: [{ name: 'Li Na', phone: '13700000003' }] } };
    const hits = ['', '103室', '张建国', '13900000003', 'li na', 'DEMO-0004', 'al-77'].map((q) => alertMatches(a, q.toLowerCase()));
    expect(hits.every(Boolean)).toBe(true);
    expect(alertMatches(a, '104室')).toBe(false);
    expect(alertMatches({ id: 'hub-1', deviceId: null, household: null }, 'demo')).toBe(false); // a hub-wide alert has no household
  });

  it('asks the hub for the rows the devices view draws, its filters and its search', async () => {
    const { healthQuery } = await load('view-devices.js');
    expect(healthQuery({ showing: 300, onlyProblems: false, search: '' })).toBe('/api/devices/health?limit=300');
    expect(healthQuery({ showing: 600, onlyProblems: true, search: '  商城 花园 ' })).toBe(`/api/devices/health?limit=600&problems=only&q=${encodeURIComponent('商城 花园').replace(/%20/g, '+')}`);
    expect(healthQuery({ showing: 5100, onlyProblems: false, search: 'x'.repeat(80) })).toBe(`/api/devices/health?limit=5000&q=${'x'.repeat(64)}`);
  });

  it('normalizes both device endpoints; RF buttons are never called offline', async () => {
    const { normalizeDevices } = await load('view-devices.js');
    const now = 10 * 86_400_000;
    const health = normalizeDevices([
      { id: 'a', kind: 'mqtt-button', status: 'offline', problems: ['offline', 'low_battery'], battery: 9, address: 'A', residentName: 'R' },
      { id: 'b', kind: 'mqtt-button', status: 'online', problems: [], battery: 80 },
      { id: 'rf', kind: 'rf-button', supervised: false, status: 'unsupervised', problems: ['test_overdue'] },
    ], [], now, true);
    expect(health.map((d: any) => [d.id, d.offline, d.lowBattery, d.testOverdue])).toEqual([['a', true, true, false], ['rf', false, false, true], ['b', false, false, false]]);
    const basic = normalizeDevices([
      { id: 'x', kind: 'mqtt-button', householdId: 7, online: false, lastSeen: 5, battery: 50 },
      { id: 'y', kind: 'rf-button', householdId: 7, online: false, lastSeen: null, revokedAt: null },
      { id: 'z', kind: 'mqtt-button', householdId: 7, revokedAt: 3 },
    ], [{ id: 7, address: 'Addr', residents: [{ name: 'N' }] }], now, false);
    expect(basic.map((d: any) => [d.id, d.status, d.offline, d.address])).toEqual([['x', 'offline', true, 'Addr'], ['y', 'unsupervised', false, 'Addr']]);
  });
});

describe('the roster editor', () => {
  it('says a shift\'s days as people do: every day, a run, or the days one by one', async () => {
    const { daysText } = await load('roster-editor.js');
    expect(daysText([1, 2, 3, 4, 5, 6, 7])).toBe('每天');
    expect(daysText([5, 1, 2, 3, 4])).toBe('周一–周五');
    expect(daysText([6, 7])).toBe('周六 周日');
    expect(daysText([1, 3, 6])).toBe('周一 周三 周六');
    expect(daysText([3, 3])).toBe('周三');
  });

  it('turns a datetime-local value into an instant and back, in the node\'s time zone whatever the browser\'s, and an empty one into null', async () => {
    const { toLocalInput, fromLocalInput } = await load('roster-editor.js');
    const ms = new Date(2026, 11, 2, 21, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-12-02T21:05'); // no zone: the browser's
    expect(fromLocalInput('2026-12-02T21:05')).toBe(ms);
    expect(toLocalInput(Date.UTC(2026, 11, 2, 13, 5), 'Asia/Shanghai')).toBe('2026-12-02T21:05');
    expect(fromLocalInput('2026-12-02T21:05', 'Asia/Shanghai')).toBe(Date.UTC(2026, 11, 2, 13, 5));
    expect(fromLocalInput('2026-12-03T00:30', 'Asia/Urumqi')).toBe(Date.UTC(2026, 11, 2, 18, 30));
    // Either side of a clock change: 01:30 before and 03:30 after Berlin's 2026-03-29 02:00 → 03:00.
    expect(fromLocalInput('2026-03-29T01:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 0, 30));
    expect(fromLocalInput('2026-03-29T03:30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    for (const tz of ['Asia/Shanghai', 'America/New_York', 'UTC']) expect(fromLocalInput(toLocalInput(ms, tz), tz)).toBe(ms);
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('not a time')).toBeNull();
    expect(fromLocalInput('2026-12-02T21:05', 'Asia/Shanghai')).not.toBeNull();
  });
});

describe('the household editor', () => {
  const form = (over: Record<string, unknown> = {}) => ({
    gridId: '4', address: ' 1号楼101室 ', accessNote: '',
    residents: [{ name: ' 赵桂兰 ', age: '84', phone: '', medicalNote: '' }, { name: '', age: '', phone: '', medicalNote: '' }],
    contacts: [{ name: '赵敏', relation: '女儿', phone: ' 137 2222 3333 ' }],
    ...over,
  });

  it('sends trimmed text, drops rows left empty, and turns age into a number or null', async () => {
    const { householdBody } = await load('household-editor.js');
    expect(householdBody(form())).toEqual({ body: {
      gridId: 4, address: '1号楼101室', accessNote: '',
      residents: [{ name: '赵桂兰', age: 84, phone: '', medicalNote: '' }],
      contacts: [{ name: '赵敏', relation: '女儿', phone: '137 2222 3333' }],
    } });
    expect(householdBody(form({ residents: [{ name: '钱', age: '' }] })).body.residents[0].age).toBeNull();
  });

  it('says what a person must fix first: the grid, the address, a resident, a contact without a phone', async () => {
    const { householdBody } = await load('household-editor.js');
    expect(householdBody(form({ gridId: '' }))).toEqual({ error: 'hh.needGrid' });
    expect(householdBody(form({ address: '  ' }))).toEqual({ error: 'hh.needAddress' });
    expect(householdBody(form({ residents: [{ name: '', age: '80' }] }))).toEqual({ error: 'hh.needResident' });
    expect(householdBody(form({ contacts: [{ name: '赵敏', relation: '', phone: '' }] }))).toEqual({ error: 'hh.needContactPhone', vars: { name: '赵敏' } });
  });

  it('reads the household asked for in the page address', async () => {
    const { askedId } = await load('view-households.js');
    expect([askedId('#/households?id=7'), askedId('#/households?x=1&id=12'), askedId('#/households'), askedId('#/households?id=abc'), askedId('#/households?id=0')])
      .toEqual([7, 12, null, null, null]);
  });
});

describe('the call card', () => {
  it('shows the newest note on the record, and none when there is none', async () => {
    const { latestNote } = await import('../dispatcher/console/js/call-card.js' as string);
    const e = (type: string, at: number, data: Record<string, unknown> = {}) => ({ type, at, data, staffId: 1 });
    expect(latestNote({ timeline: [e('raised', 1), e('note', 2, { text: 'a' }), e('accepted', 3), e('note', 4, { text: 'b' }), e('on_site', 5)] }).data.text).toBe('b');
    expect(latestNote({ timeline: [e('raised', 1), e('note', 2, {})] })).toBeNull();
    expect(latestNote({})).toBeNull();
  });
});

describe('adding a grid node', () => {
  it('offers the levels below the parent, nearest first, and every level for a top node', async () => {
    const { levelsBelow, LEVELS } = await load('node-form.js');
    expect(levelsBelow('community')).toEqual(['grid', 'building', 'floor', 'unit']);
    expect(levelsBelow(null)).toEqual(LEVELS);
    expect(levelsBelow('unit')).toEqual([]);
  });

  it('offers as new parents the nodes above its level, not its parent now nor anything below it', async () => {
    const { moveTargets } = await load('node-form.js');
    const nodes = [
      { id: 1, parentId: null, level: 'street' }, { id: 2, parentId: 1, level: 'community' }, { id: 3, parentId: 1, level: 'community' },
      { id: 4, parentId: 2, level: 'grid' }, { id: 5, parentId: 4, level: 'building' }, { id: 6, parentId: 3, level: 'grid' },
    ];
    expect(moveTargets(nodes, nodes[3]).map((n: { id: number }) => n.id)).toEqual([1, 3]);
    expect(moveTargets(nodes, nodes[1]).map((n: { id: number }) => n.id)).toEqual([]); // only its own parent is above a community
    expect(moveTargets(nodes, nodes[4]).map((n: { id: number }) => n.id)).toEqual([1, 2, 3, 6]);
  });
});

describe('the household import template', () => {
  it('has the columns the hub exports, and its example row reads back as one household', async () => {
    const { TEMPLATE } = await load('household-import.js');
    const { parseCsv } = await import('../dispatcher/reports/csv.ts');
    const { planImport, gridFinder } = await import('../dispatcher/domain/household-import.ts');
    const nodes = [{ id: 3, parentId: null, name: '商城花园社区' }, { id: 4, parentId: 3, name: '第一网格' }];
    const p = planImport({ rows: parseCsv(TEMPLATE), gridOf: gridFinder(nodes), registered: () => undefined });
    expect(p.errors).toEqual([]);
    expect(p.households[0].household).toMatchObject({ gridId: 4, residents: [{ name: '张桂英', age: 82 }], contacts: [{ relation: '儿子' }] });
  });
});

describe('the audit log panel', () => {
  it('asks for a page with only the filters given, trimmed', async () => {
    const { auditQuery } = await load('audit-view.js');
    expect(auditQuery({ actor: '', action: '', target: '' }, null)).toBe('/api/audit?limit=100');
    expect(auditQuery({ actor: ' chief ', action: 'admin_change', target: '/api/households ' }, 41))
      .toBe('/api/audit?limit=100&actor=chief&action=admin_change&target=%2Fapi%2Fhouseholds&before=41');
  });
});

describe('the households page', () => {
  it('asks for what was typed, for incomplete records, or for nothing', async () => {
    const { householdQuery } = await load('view-households.js');
    expect(householdQuery('  ', false)).toBeNull();
    expect(householdQuery(' 101室 ', false)).toBe('/api/households?limit=50&q=101%E5%AE%A4');
    expect(householdQuery('', true)).toBe('/api/households?limit=50&incomplete=1');
  });
});

describe('finding an account in the staff list', () => {
  const acct = (id: number, over: Record<string, unknown> = {}) => ({ id, displayName: `网格员${id}`, username: `g${id}`, scopeName: '第一网格', phone: '', mustChangePassword: false, disabled: false, ...over });

  it('matches every typed word in the name, login name, area or phone (a phone with or without its dashes)', async () => {
    const { staffMatches } = await load('staff-filter.js');
    const wang = acct(1, { displayName: '王伟', username: 'Wang.Wei', scopeName: '第二网格', phone: '139-0000-0001' });
    expect(['', '王', 'wang', '第二 王伟', '13900000001', '0000-0001', '139-0000'].map((q) => staffMatches(wang, q))).toEqual([true, true, true, true, true, true, true]);
    expect(['李', '第一网格', 'wang 李', '12'].map((q) => staffMatches(wang, q))).toEqual([false, false, false, false]);
  });

  it('draws at most 100 rows, counts the rest, keeps the row being edited, and filters those on a first password', async () => {
    const { pickStaff } = await load('staff-filter.js');
    const list = Array.from({ length: 250 }, (_, i) => acct(i + 1, { mustChangePassword: i % 50 === 0, disabled: i === 50 }));
    const all = pickStaff(list, {});
    expect([all.shown.length, all.matched, all.total]).toEqual([100, 250, 250]);
    const kept = pickStaff(list, { query: '网格员7', keepId: 200 });
    expect(kept.shown.map((s: { id: number }) => s.id)).toEqual([200, 7, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79]);
    expect(kept.matched).toBe(11);
    expect(pickStaff(list, { pendingOnly: true }).shown.map((s: { id: number }) => s.id)).toEqual([1, 101, 151, 201]);
  });
});
