/** Households from a spreadsheet: the CSV reader, the row checks (pure), and POST /api/households/import on a real hub. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../dispatcher/reports/csv.ts';
import { gridFinder, planImport } from '../dispatcher/domain/household-import.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { sheetPoster } from './helpers/sheet-post.ts';

describe('parseCsv', () => {
  it('reads quoted cells with commas, quotes and line breaks, CRLF, a BOM, and says where each row starts', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, ""y""",3\r\n"two\nlines",,\n\nlast,row';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x, "y"', '3'] },
      { line: 3, cells: ['two\nlines', '', ''] },
      { line: 5, cells: [''] },
      { line: 6, cells: ['last', 'row'] },
    ]);
    expect(parseCsv('a,b\n')).toEqual([{ line: 1, cells: ['a', 'b'] }]);
    expect(() => parseCsv('a,b\n"open,c')).toThrow(/line 2 is never closed/);
  });
});

const NODES = [
  { id: 1, parentId: null, name: '区' }, { id: 2, parentId: 1, name: '甲社区' }, { id: 3, parentId: 1, name: '乙社区' },
  { id: 4, parentId: 2, name: '第一网格' }, { id: 5, parentId: 3, name: '第一网格' }, { id: 6, parentId: 3, name: '第二网格' },
];

describe('planImport', () => {
  const plan = (csv: string, registered: (g: number, a: string) => number | undefined = () => undefined) => planImport({ rows: parseCsv(csv), gridOf: gridFinder(NODES), registered });

  it('takes Chinese or English headers in any order and makes one household per row', () => {
    const p = plan('地址,网格,老人姓名,年龄,联系人,关系,联系人电话\n" 1号楼  101室 ",甲社区/第一网格,赵桂兰,84,赵敏,女儿,137 2222 3333\n2号楼,6,钱秀珍,,,,\n');
    expect(p.errors).toEqual([]);
    expect(p.households).toEqual([
      { line: 2, household: { gridId: 4, address: '1号楼 101室', accessNote: '', residents: [{ name: '赵桂兰', age: 84, phone: '', medicalNote: '' }], contacts: [{ name: '赵敏', relation: '女儿', phone: '137 2222 3333' }] }, deviceIds: [] },
      { line: 3, household: { gridId: 6, address: '2号楼', accessNote: '', residents: [{ name: '钱秀珍', age: null, phone: '', medicalNote: '' }], contacts: [] }, deviceIds: [] },
    ]);
  });

  it('reports every bad row with its line and what is wrong, and plans nothing', () => {
    const p = plan([
      'grid,address,resident_name,resident_age,contact_name,contact_phone',
      '第一网格,1号楼,赵,80,,', // two nodes are named 第一网格
      '第二网格,,钱,200,孙,abc', // no address, age 200, a bad phone
      '乙社区/第二网格,3号楼,李,70,,',
      '6,3号楼,王,71,,', // the same household as line 4
      '9,4号楼,周,72,,', // not in the area
      '第二网格,5号楼,吴,73,,', // already registered
    ].join('\n'), (g, a) => (g === 6 && a === '5号楼' ? 77 : undefined));
    expect(p.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [2, 'grid "第一网格" names 2 nodes'], [3, 'address'], [3, 'resident_age'], [3, 'contact_phone'],
      [5, 'the same grid and address as line 4'], [6, 'grid 9'], [7, 'already registered as household 77'],
    ]);
    expect(p.households.map((x) => x.line)).toEqual([4]);
  });

  it('refuses a header it does not know, a column twice, a required column missing, an empty file', () => {
    expect(plan('grid,address,resident,老人姓名\n').errors.map((e) => e.message)).toEqual([expect.stringContaining('unknown column "resident"')]);
    expect(plan('grid,address,resident_name,地址\n').errors.map((e) => e.message)).toEqual(['column address appears twice']);
    expect(plan('grid,address\n').errors.map((e) => e.message)).toEqual(['column resident_name is missing']);
    expect(plan('').errors[0].message).toMatch(/empty/);
  });
});

describe('POST /api/households/import', () => {
  let t: TestHub;
  let leader: string;
  beforeAll(async () => {
    t = await startTestHub();
    leader = await t.login('community');
  });
  afterAll(async () => { await t?.stop(); });
  const post = sheetPoster(() => t, '/api/households/import', () => leader);

  it('a leader imports a sheet; each household can then take a button whose call shows its resident', async () => {
    const before = t.hub.store.households.count();
    const rows = Array.from({ length: 300 }, (_, i) => `${['第一网格', '第二网格'][i % 2]},商城花园20号楼${i + 1}室,住户${i + 1},${70 + (i % 30)},家属${i + 1},子女,1370000${String(i).padStart(4, '0')}`);
    const r = await post(['网格,地址,老人姓名,年龄,联系人,关系,联系人电话', ...rows].join('\r\n'));
    expect([r.status, r.body.created]).toEqual([201, 300]);
    expect(t.hub.store.households.count()).toBe(before + 300);
    const first = r.body.households[0];
    expect(first.line).toBe(2);
    const admin = await t.login('admin');
    const dev = await t.api('POST', '/api/devices', admin, { id: 'imp-0001', householdId: first.id });
    const c = await t.console('grid1');
    const { alertId } = await (await t.device('imp-0001', dev.body.secret)).send('press');
    const f = await c.waitFor((x) => x.type === 'change' && x.alert?.id === alertId);
    expect(f.alert.household).toMatchObject({ address: '商城花园20号楼1室', residents: [{ name: '住户1', age: 70 }], contacts: [{ phone: '13700000000' }] });
    // The same row again: its household is registered and the row says nothing new, so nothing is written twice.
    const again = await post(['网格,地址,老人姓名', '第一网格,商城花园20号楼1室,住户1'].join('\n'));
    expect([again.status, again.body.created, again.body.updated, again.body.unchanged]).toEqual([200, 0, 0, 1]);
    expect(t.hub.store.households.count()).toBe(before + 300);
    // A sheet that lacks a column keeps what the record has there: only the name column, with a new name, changes only the name.
    const renamed = await post(['网格,地址,老人姓名', '第一网格,商城花园20号楼1室,住户一'].join('\n'));
    expect([renamed.status, renamed.body.updated, renamed.body.updatedHouseholds]).toEqual([201, 1, [{ line: 2, id: first.id }]]);
    expect(t.hub.store.households.get(first.id)).toMatchObject({ residents: [{ name: '住户一', age: 70 }], contacts: [{ phone: '13700000000' }] });
    c.close();
  });

  it('a sheet with one bad row imports nothing and names the row; the wrong sender or format is refused', async () => {
    const before = t.hub.store.households.count();
    const bad = await post('grid,address,resident_name,resident_age\n第一网格,30号楼1室,甲,80\n第一网格,30号楼2室,乙,eighty\n');
    expect([bad.status, bad.body.error.problems, bad.body.error.rows]).toEqual([400, 1, [{ line: 3, message: expect.stringContaining('resident_age') }]]);
    expect(t.hub.store.households.count()).toBe(before);
    expect((await post('grid,address,resident_name\n第一网格,x,y\n', await t.login('grid1'))).status).toBe(403);
    expect((await post('{"csv":"grid"}', leader, 'application/json')).body.error.code).toBe('E_UNSUPPORTED_MEDIA');
    expect((await post('grid,address\n"open', leader)).body.error.message).toMatch(/not a CSV file/);
    expect((await post('网格,地址,老人姓名\n', leader)).body.error.message).toMatch(/no households/);
    const outside = await post('网格,地址,老人姓名\n城东路街道,1号,甲\n'); // above the leader's community
    expect(outside.body.error.rows[0].message).toMatch(/no such grid node in your area/);
    const big = await post(`网格,地址,老人姓名\n${'x'.repeat(5 * 1024 * 1024)}`);
    expect([big.status, big.body.error.code]).toEqual([413, 'E_TOO_LARGE']);
    expect(t.hub.store.households.count()).toBe(before);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });

  it('one address in one grid is one household, for single registrations and edits too', async () => {
    const hhId = t.hub.store.devices.householdOf('demo-0001')!;
    const hh = t.hub.store.households.get(hhId)!;
    const body = { gridId: hh.gridId, address: `  ${hh.address}  `, residents: [{ name: '又一位' }], contacts: [] };
    const twin = await t.api('POST', '/api/households', leader, body);
    expect([twin.status, twin.body.error.code, twin.body.error.householdId]).toEqual([409, 'E_CONFLICT', hhId]);
    const other = t.hub.store.households.get(t.hub.store.devices.householdOf('demo-0002')!)!;
    const move = await t.api('PUT', `/api/households/${other.id}`, leader, { ...other, id: undefined, address: hh.address });
    expect(move.status).toBe(409);
    expect((await t.api('PUT', `/api/households/${hhId}`, leader, { ...hh, id: undefined, accessNote: '钥匙在物业' })).status).toBe(200); // its own address
  });

  it('an address registered by hand while a file is being imported fails the import with its line; never two households at one address', async () => {
    const before = t.hub.store.households.count();
    const n = 4000; // 16 chunks: the hand registration lands between two of them
    const rows = Array.from({ length: n }, (_, i) => `第一网格,商城花园40号楼${i + 1}室,住户${i + 1}`);
    const last = `商城花园40号楼${n}室`;
    const importing = post(['网格,地址,老人姓名', ...rows].join('\n'));
    // Once the first chunk is in, register the file's last address by hand.
    while (t.hub.store.households.count() === before) await new Promise((r) => setImmediate(r));
    const gridId = t.hub.store.grid.list().find((g) => g.name === '第一网格')!.id;
    const byHand = await t.api('POST', '/api/households', leader, { gridId, address: last, residents: [{ name: '手工登记' }], contacts: [] });
    const imported = await importing;
    const at = t.hub.store.households.idAt(gridId, last);
    expect(at).toBeDefined();
    if (imported.status === 201) {
      // The import reached the last chunk first: the hand registration was the twin, and refused.
      expect(byHand.status).toBe(409);
    } else {
      expect(byHand.status).toBe(201);
      expect([imported.status, imported.body.error.code, imported.body.error.line]).toEqual([409, 'E_CONFLICT', n + 1]);
      expect(imported.body.error.message).toMatch(/while the file was being imported: nothing was imported/);
      expect(t.hub.store.households.count()).toBe(before + 1);
      expect(at).toBe(byHand.body.household.id);
    }
    const same = t.hub.store.db.prepare('SELECT count(*) AS n FROM households WHERE grid_id = ? AND address = ?').get(gridId, last) as { n: number };
    expect(same.n).toBe(1);
  });
});

describe('GET /api/households as CSV', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub(); });
  afterAll(async () => { await t?.stop(); });

  it('writes the import\'s columns, so an exported sheet reads back as the same households', async () => {
    const leader = await t.login('community');
    const hh = t.hub.store.households.get(t.hub.store.devices.householdOf('demo-0004')!)!;
    // A couple, a phone a spreadsheet would run as a formula, and a quote in a note.
    const couple = { ...hh, id: undefined, residents: [...hh.residents, { name: '老伴', age: 79, phone: '+86 139 0000 0004', medicalNote: '说"腿疼"' }] };
    expect((await t.api('PUT', `/api/households/${hh.id}`, leader, couple)).status).toBe(200);
    const res = await fetch(`${t.httpUrl}/api/households`, { headers: { authorization: `Bearer ${leader}`, accept: 'text/csv' } });
    expect(res.headers.get('content-disposition')).toContain('households.csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the byte-order mark Excel needs to read UTF-8
    const text = bytes.toString('utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFF网格,地址,进门方式,老人姓名,年龄,老人电话,健康情况,老人2姓名,年龄2,老人2电话,健康情况2,联系人,关系,联系人电话,联系人2,关系2,联系人2电话,按钮编号');
    expect(text.split('\r\n').find((l) => l.includes("'+86 139 0000 0004"))).toMatch(/,demo-0004$/); // its button
    expect(text).toContain("'+86 139 0000 0004");
    const nodes = t.hub.store.grid.list();
    const back = planImport({ rows: parseCsv(text), gridOf: gridFinder(nodes, (id) => nodes.find((n) => n.id === id)!.path.startsWith(nodes.find((n) => n.name === '商城花园社区')!.path)), registered: () => undefined, devices: { allowed: true, taken: () => new Map() } });
    expect(back.errors).toEqual([]);
    const stored = t.hub.store.householdLists.list(null).map(({ id: _id, ...h }) => h);
    expect(back.households.map((x) => x.household)).toEqual(stored);
    // Sent back unchanged, every row says what its record says: nothing is written, nothing twice.
    const post = sheetPoster(() => t, '/api/households/import', () => leader);
    const again = await post(text);
    expect([again.status, again.body.created, again.body.updated, again.body.unchanged]).toEqual([200, 0, 0, stored.length]);
    expect(t.hub.store.householdLists.list(null).map(({ id: _id, ...h }) => h)).toEqual(stored);

    // Corrected offline, with a household added at the bottom: the correction updates its record and
    // redraws its open call on the consoles; the new row adds a household; the rest stay as they were.
    const c = await t.console('community');
    const call = (await (await t.device('demo-0004')).send('press')).alertId!;
    const first = await c.waitFor((f) => f.type === 'change' && f.alert?.id === call);
    const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    const at = lines.findIndex((l) => l.includes("'+86 139 0000 0004"));
    lines[at] = lines[at].replace("'+86 139 0000 0004", '13900009999');
    const added = lines[at].replace(/^([^,]*),[^,]*,/, '$1,新加的5号楼9室,').replace(/,[^,]*$/, ','); // a new household, no button yet
    const fixed = await post([...lines, added].join('\r\n'));
    expect([fixed.status, fixed.body.created, fixed.body.updated, fixed.body.unchanged]).toEqual([201, 1, 1, stored.length - 1]);
    expect(fixed.body.updatedHouseholds).toEqual([{ line: at + 1, id: hh.id }]);
    expect(t.hub.store.households.get(hh.id)!.residents[1]).toMatchObject({ name: '老伴', phone: '13900009999', medicalNote: '说"腿疼"' });
    const redrawn = await c.waitFor((f) => f.type === 'change' && f.alert?.id === call && f.alert.version > first.alert.version);
    expect(redrawn.alert.household.residents[1].phone).toBe('13900009999');
    c.close();
    // A grid worker's sheet has their grid's households only.
    const mine = await (await fetch(`${t.httpUrl}/api/households?q=${encodeURIComponent('1号楼')}`, { headers: { authorization: `Bearer ${await t.login('grid2')}`, accept: 'text/csv' } })).text();
    expect(mine.trim().split('\r\n').slice(1).every((l) => l.startsWith('管城区/城东路街道/商城花园社区/第二网格,'))).toBe(true);
  });
});
