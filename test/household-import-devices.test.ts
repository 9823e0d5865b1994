/**
 * An administrator's household sheet may name each household's call button (device_id / 按钮编号):
 * the import registers it with the household and a secret the hub makes, answered once. The row
 * checks (pure), then POST /api/households/import on a real hub: the button logs in with its secret
 * and its press shows the household; leaders may not register buttons; a failure part way removes
 * the buttons too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../dispatcher/reports/csv.ts';
import { gridFinder, planImport } from '../dispatcher/domain/household-import.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { sheetPoster } from './helpers/sheet-post.ts';

const NODES = [{ id: 1, parentId: null, name: '区' }, { id: 2, parentId: 1, name: '第一网格' }];

describe('planImport with a device_id column', () => {
  const plan = (csv: string, allowed = true, taken = (ids: readonly string[]) => new Map(ids.filter((id) => id === 'old-1').map((id) => [id, 99] as [string, number | null]))) =>
    planImport({ rows: parseCsv(csv), gridOf: gridFinder(NODES), registered: () => undefined, devices: { allowed, taken } });

  it('gives each row its buttons, apart by 、 or ;, and an empty cell none', () => {
    const p = plan('网格,地址,老人姓名,按钮编号\n第一网格,1号,甲,btn-1\n第一网格,2号,乙,\n第一网格,3号,丙,btn-3a、btn-3b\n第一网格,4号,丁, btn-4a ；btn-4b;btn-4c\n');
    expect(p.errors).toEqual([]);
    expect(p.households.map((x) => x.deviceIds)).toEqual([['btn-1'], [], ['btn-3a', 'btn-3b'], ['btn-4a', 'btn-4b', 'btn-4c']]);
    expect(plan('网格,地址,老人姓名,按钮编号\n第一网格,1号,甲,b-1、b-1\n').errors).toEqual([{ line: 2, message: expect.stringContaining('device_id b-1: also on line 2') }]);
  });

  it('refuses a malformed id, one named twice, one already registered, and any button from a non-administrator, each with its line', () => {
    const p = plan('grid,address,resident_name,device_id\n第一网格,1号,甲,bad id\n第一网格,2号,乙,dup\n第一网格,3号,丙,dup\n第一网格,4号,丁,old-1\n');
    expect(p.errors.map((e) => [e.line, e.message])).toEqual([
      [2, expect.stringContaining('letters, digits')],
      [4, expect.stringContaining('also on line 3')],
      [5, expect.stringContaining('already registered')],
    ]);
    expect(p.households.map((x) => x.line)).toEqual([3]); // the first to name "dup" is fine in itself; the route writes nothing while errors stand
    const leader = plan('网格,地址,老人姓名,按钮编号\n第一网格,1号,甲,btn-1\n第一网格,2号,乙,\n', false);
    expect(leader.errors).toEqual([{ line: 2, message: expect.stringContaining('only an administrator') }]);
    // Without the devices input (a caller that registers none), a named button is refused likewise.
    expect(planImport({ rows: parseCsv('网格,地址,老人姓名,按钮编号\n第一网格,1号,甲,btn-1\n'), gridOf: gridFinder(NODES), registered: () => undefined }).errors).toHaveLength(1);
  });
});

describe('POST /api/households/import with buttons', () => {
  let t: TestHub;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = await t.login('admin');
  });
  afterAll(async () => { await t?.stop(); });
  const deviceCount = () => (t.hub.store.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
  const post = sheetPoster(() => t, '/api/households/import', () => admin);

  it('registers each named button with its household; the secret answered once logs it in, and its press shows the household', async () => {
    const r = await post('网格,地址,老人姓名,按钮编号\n第一网格,商城花园50号楼1室,孙玉兰,inst-0001\n第一网格,商城花园50号楼2室,周德福,\n第二网格,商城花园50号楼3室,吴凤英,inst-0003\n');
    expect([r.status, r.body.created]).toEqual([201, 3]);
    expect(r.body.devices.map((d: { line: number; id: string }) => [d.line, d.id])).toEqual([[2, 'inst-0001'], [4, 'inst-0003']]);
    for (const d of r.body.devices) {
      expect(d.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(t.hub.store.devices.householdOf(d.id)).toBe(d.householdId);
    }
    expect(r.body.households.find((h: { line: number }) => h.line === 2).id).toBe(r.body.devices[0].householdId);
    const c = await t.console('grid1');
    const { alertId } = await (await t.device('inst-0001', r.body.devices[0].secret)).send('press');
    const f = await c.waitFor((x) => x.type === 'change' && x.alert?.id === alertId);
    expect(f.alert.household).toMatchObject({ address: '商城花园50号楼1室', residents: [{ name: '孙玉兰' }] });
    c.close();
    // The secret is kept only as its hash: the device list does not give it again.
    expect(JSON.stringify((await t.api('GET', '/api/devices', admin)).body)).not.toContain(r.body.devices[0].secret);
  });

  it('a leader imports households but not buttons; a button already registered fails the sheet with its line', async () => {
    const leader = await t.login('community');
    const before = [t.hub.store.households.count(), deviceCount()];
    const named = await post('网格,地址,老人姓名,按钮编号\n第一网格,商城花园51号楼1室,甲,inst-0100\n', leader);
    expect([named.status, named.body.error.rows[0]]).toEqual([400, { line: 2, message: expect.stringContaining('only an administrator') }]);
    const taken = await post('网格,地址,老人姓名,按钮编号\n第一网格,商城花园51号楼2室,乙,demo-0001\n');
    expect([taken.status, taken.body.error.rows[0].line]).toEqual([400, 2]);
    expect([t.hub.store.households.count(), deviceCount()]).toEqual(before);
    const plain = await post('网格,地址,老人姓名,按钮编号\n第一网格,商城花园51号楼3室,丙,\n', leader); // the template's empty column
    expect([plain.status, plain.body.devices]).toEqual([201, []]);
  });

  it('a button registered by hand while the sheet is being written fails the import with its line, and removes the buttons it had made', async () => {
    const n = 4000; // 16 chunks: the hand registration lands between two of them
    const rows = Array.from({ length: n }, (_, i) => `第一网格,商城花园60号楼${i + 1}室,住户${i + 1},bulk-${i + 1}`);
    const before = deviceCount();
    const importing = post(['网格,地址,老人姓名,按钮编号', ...rows].join('\n'));
    while (deviceCount() === before) await new Promise((r) => setImmediate(r));
    const hhId = t.hub.store.devices.householdOf('demo-0001')!;
    const byHand = await t.api('POST', '/api/devices', admin, { id: `bulk-${n}`, householdId: hhId });
    const imported = await importing;
    if (imported.status === 201) {
      expect(byHand.status).toBe(409); // the import reached the last chunk first
    } else {
      expect(byHand.status).toBe(201);
      expect([imported.status, imported.body.error.line, imported.body.error.deviceId]).toEqual([409, n + 1, `bulk-${n}`]);
      expect(deviceCount()).toBe(before + 1); // only the one made by hand
      expect(t.hub.store.devices.get('bulk-1')).toBeUndefined();
    }
  });

  it('a registered household\'s row may name its button: already its own is nothing new; a new one is registered with it; a failure after the update puts the record back', async () => {
    const hhId = t.hub.store.devices.householdOf('demo-0002')!;
    const hh = t.hub.store.households.get(hhId)!;
    const grid = t.hub.store.grid.find(hh.gridId)!.name;
    const mine = await post(`网格,地址,老人姓名,按钮编号\n${grid},${hh.address},${hh.residents[0].name},demo-0002\n`);
    expect([mine.status, mine.body.unchanged, mine.body.devices]).toEqual([200, 1, []]);
    const spare = await post(`网格,地址,老人姓名,按钮编号\n${grid},${hh.address},${hh.residents[0].name},spare-0002\n`);
    expect([spare.status, spare.body.updated, spare.body.devices]).toEqual([201, 0, [expect.objectContaining({ line: 2, id: 'spare-0002', householdId: hhId })]]);

    // The record is corrected and a second spare named; that spare is registered by hand once the correction is in: the import fails, the correction is undone.
    const importing = post(`网格,地址,进门方式,老人姓名,按钮编号\n${grid},${hh.address},钥匙在物业,${hh.residents[0].name},spare-0003\n`);
    while (t.hub.store.households.get(hhId)!.accessNote !== '钥匙在物业') await new Promise((r) => setImmediate(r));
    t.hub.store.devices.create({ id: 'spare-0003', kind: 'mqtt-button', householdId: null }, null, Date.now());
    const failed = await importing;
    expect([failed.status, failed.body.error.line, failed.body.error.deviceId]).toEqual([409, 2, 'spare-0003']);
    expect(t.hub.store.households.get(hhId)).toEqual(hh);
  });

  it('the household sheet carries every button of a household, and sent back with one more, registers only that one', async () => {
    const hhId = t.hub.store.devices.householdOf('demo-0002')!;
    const csv = async () => (await (await fetch(`${t.httpUrl}/api/households`, { headers: { authorization: `Bearer ${admin}`, accept: 'text/csv' } })).text()).replace(/^\uFEFF/, '');
    const sheet = await csv();
    // Its own MQTT button, its RF button, and the spare registered above.
    expect(sheet.split('\r\n').find((l) => l.includes(',demo-0002'))).toMatch(/,demo-0002、demo-rf-02、spare-0002$/);
    const again = await post(sheet);
    expect([again.status, again.body.devices]).toEqual([200, []]);
    const more = await post(sheet.replace(',demo-0002、demo-rf-02、spare-0002', ',demo-0002、demo-rf-02、spare-0002；bath-0002'));
    expect([more.status, more.body.devices.map((d: { id: string; householdId: number }) => [d.id, d.householdId])]).toEqual([201, [['bath-0002', hhId]]]);
    expect((await csv()).includes(',demo-0002、demo-rf-02、spare-0002、bath-0002\r\n')).toBe(true);
  });
});
