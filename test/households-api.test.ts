/** Registering and editing households over the real API, what a call then shows and where it goes, and every bad input refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
let admin: string, grid1: string, community: string;
let gridIds: Record<string, number>;

const household = (over: Record<string, unknown> = {}) => ({
  gridId: gridIds['第一网格'],
  address: ' 商城花园9号楼1单元901室 ',
  accessNote: '钥匙在女儿处',
  residents: [{ name: '赵桂兰', age: 84, phone: '13911112222', medicalNote: '心脏病，药在床头' }],
  contacts: [{ name: '赵敏', relation: '女儿', phone: '13722223333' }],
  ...over,
});

beforeAll(async () => {
  t = await startTestHub();
  gridIds = Object.fromEntries(t.hub.store.grid.list().map((n) => [n.name, n.id]));
  [admin, grid1, community] = await Promise.all(['admin', 'grid1', 'community'].map((u) => t.login(u)));
});
afterAll(async () => { await t?.stop(); });

describe('households API', () => {
  it('a grid worker registers a household; a button bound to it raises calls with its residents and contacts', async () => {
    const made = await t.api('POST', '/api/households', grid1, household());
    expect(made.status).toBe(201);
    const hh = made.body.household;
    expect(hh).toMatchObject({ gridId: gridIds['第一网格'], address: '商城花园9号楼1单元901室', residents: [{ name: '赵桂兰', age: 84 }], contacts: [{ relation: '女儿' }] });
    const dev = await t.api('POST', '/api/devices', admin, { id: 'hh-test-01', householdId: hh.id });
    expect(dev.status).toBe(201);
    const one = await t.api('GET', `/api/households/${hh.id}`, grid1);
    expect(one.body).toMatchObject({ household: { id: hh.id }, grid: { name: '第一网格' }, devices: [{ id: 'hh-test-01', kind: 'mqtt-button', revokedAt: null }] });

    // Found by a contact's phone or name, as a relative on the phone gives them.
    for (const q of ['13722223333', '赵敏']) {
      const found = await t.api('GET', `/api/households?q=${encodeURIComponent(q)}&limit=5`, grid1);
      expect(found.body.households.map((x: { id: number }) => x.id), q).toEqual([hh.id]);
    }
    const console1 = await t.console('grid1');
    const button = await t.device('hh-test-01', dev.body.secret);
    const { alertId } = await button.send('press');
    const seen = await console1.waitFor((f) => f.type === 'change' && f.alert?.id === alertId);
    expect(seen.alert.household).toMatchObject({ address: '商城花园9号楼1单元901室', residents: [{ name: '赵桂兰', medicalNote: '心脏病，药在床头' }], contacts: [{ phone: '13722223333' }] });
    console1.close();
  });

  it('an edit shows on the next call; moving a household to another grid sends its calls there', async () => {
    const hhId = t.hub.store.households.get(t.hub.store.devices.householdOf('demo-0003')!)!.id;
    const before = (await t.api('GET', `/api/households/${hhId}`, grid1)).body.household;
    // The grid worker updates the contact's phone.
    const edited = await t.api('PUT', `/api/households/${hhId}`, grid1, { ...before, id: undefined, contacts: [{ ...before.contacts[0], phone: '13700009999' }] });
    expect(edited.status).toBe(200);
    expect(edited.body.household.contacts[0].phone).toBe('13700009999');

    // The community leader moves it to the second grid: the next press rings grid2, not grid1.
    const moved = await t.api('PUT', `/api/households/${hhId}`, community, { ...edited.body.household, id: undefined, gridId: gridIds['第二网格'] });
    expect(moved.status).toBe(200);
    const [c1, c2] = await Promise.all([t.console('grid1'), t.console('grid2')]);
    const device = await t.device('demo-0003');
    const { alertId } = await device.send('press');
    const at2 = await c2.waitFor((f) => f.type === 'change' && f.alert?.id === alertId);
    expect(at2.alert).toMatchObject({ gridId: gridIds['第二网格'], household: { contacts: [{ phone: '13700009999' }] } });
    expect(c1.frames.some((f: any) => f.alert?.id === alertId)).toBe(false);
    // grid1 no longer sees the household; grid2's worker does.
    expect((await t.api('GET', `/api/households/${hhId}`, grid1)).status).toBe(403);
    expect((await t.api('GET', `/api/households/${hhId}`, await t.login('grid2'))).status).toBe(200);
    c1.close();
    c2.close();
  });

  it('an edit during an open call redraws that call on the consoles with the record as it is now; closed calls keep theirs', async () => {
    const hhId = t.hub.store.devices.householdOf('demo-0005')!;
    const before = (await t.api('GET', `/api/households/${hhId}`, community)).body.household;
    const c = await t.console('community');
    const device = await t.device('demo-0005');
    const closed = (await device.send('press')).alertId!;
    await c.waitFor((f) => f.type === 'change' && f.alert?.id === closed);
    expect((await t.api('POST', `/api/alerts/${closed}/ack`, community)).status).toBe(200);
    expect((await t.api('POST', `/api/alerts/${closed}/resolve`, community, { outcome: 'false_alarm' })).status).toBe(200);
    const open = (await device.send('press')).alertId!;
    const first = await c.waitFor((f) => f.type === 'change' && f.alert?.id === open);
    const closedVersion = t.hub.store.alerts.get(closed)!.version;

    const edited = await t.api('PUT', `/api/households/${hhId}`, community, { ...before, id: undefined, accessNote: '钥匙在对门王阿姨家', contacts: [{ name: '李强', relation: '儿子', phone: '13700008888' }] });
    expect([edited.status, edited.body.openCallsRedrawn]).toEqual([200, 1]);
    const redrawn = await c.waitFor((f) => f.type === 'change' && f.alert?.id === open && f.alert.version > first.alert.version);
    expect(redrawn.alert.household).toMatchObject({ accessNote: '钥匙在对门王阿姨家', contacts: [{ name: '李强', phone: '13700008888' }] });
    expect(redrawn.alert.state).toBe(first.alert.state);
    const who = t.hub.store.staff.byUsername('community')!.id;
    expect(redrawn.alert.timeline.some((e: { type: string; staffId: number | null }) => e.type === 'household_edited' && e.staffId === who)).toBe(true);
    expect(t.hub.store.alerts.get(closed)!.version).toBe(closedVersion);
    // With no call open, an edit redraws nothing.
    expect((await t.api('POST', `/api/alerts/${open}/ack`, community)).status).toBe(200);
    expect((await t.api('POST', `/api/alerts/${open}/resolve`, community, { outcome: 'false_alarm' })).status).toBe(200);
    expect((await t.api('PUT', `/api/households/${hhId}`, community, { ...edited.body.household, id: undefined })).body.openCallsRedrawn).toBe(0);
    c.close();
  });

  it('finds the records that lack what a call needs: a contact\'s phone, how to get in, an age', async () => {
    const ask = async (q: string) => (await t.api('GET', `/api/households?${q}`, community)).body.households as { id: number; missing: string[] }[];
    const complete = await ask('incomplete=1');
    const hh = t.hub.store.households.get(t.hub.store.devices.householdOf('demo-0006')!)!;
    expect(complete.some((x) => x.id === hh.id)).toBe(false);
    expect((await ask(`q=${hh.id}&limit=1`))[0].missing).toEqual([]);
    const bare = { ...hh, id: undefined, accessNote: '', contacts: [], residents: [{ ...hh.residents[0], age: null }] };
    expect((await t.api('PUT', `/api/households/${hh.id}`, community, bare)).status).toBe(200);
    const found = await ask('incomplete=1');
    expect(found.find((x) => x.id === hh.id)?.missing).toEqual(['contact', 'access', 'age']);
    expect(found.every((x) => x.missing.length > 0)).toBe(true);
    expect((await t.api('GET', '/api/households?incomplete=yes', community)).status).toBe(400);
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const hhId = t.hub.store.households.get(t.hub.store.devices.householdOf('demo-0001')!)!.id;
    const before = JSON.stringify(t.hub.store.households.get(hhId));
    const cases: [string, string, string | undefined, unknown, number, string][] = [
      ['no session', 'POST', undefined, household(), 401, 'E_AUTH'],
      ['no resident', 'POST', grid1, household({ residents: [] }), 400, 'E_VALIDATION'],
      ['blank name', 'POST', grid1, household({ residents: [{ name: '   ' }] }), 400, 'E_VALIDATION'],
      ['blank address', 'POST', grid1, household({ address: '  ' }), 400, 'E_VALIDATION'],
      ['phone with letters', 'POST', grid1, household({ contacts: [{ name: '赵敏', phone: 'call me' }] }), 400, 'E_VALIDATION'],
      ['age 200', 'POST', grid1, household({ residents: [{ name: '赵桂兰', age: 200 }] }), 400, 'E_VALIDATION'],
      ['unknown field', 'POST', grid1, household({ floor: 9 }), 400, 'E_VALIDATION'],
      ['no such grid', 'POST', admin, household({ gridId: 99_999 }), 404, 'E_NOT_FOUND'],
      ['another grid', 'POST', grid1, household({ gridId: gridIds['第二网格'] }), 403, 'E_FORBIDDEN'],
      ['move out of scope', `PUT ${hhId}`, grid1, household({ gridId: gridIds['第二网格'] }), 403, 'E_FORBIDDEN'],
      ['no such household', 'PUT 99999', admin, household(), 404, 'E_NOT_FOUND'],
      ['id not a number', 'PUT abc', admin, household(), 400, 'E_VALIDATION'],
      ['not JSON', 'PUT ' + hhId, admin, '{"gridId":', 400, 'E_BAD_REQUEST'],
    ];
    for (const [what, how, token, body, status, code] of cases) {
      const [method, id] = how.split(' ');
      const path = id ? `/api/households/${id}` : '/api/households';
      const r = typeof body === 'string'
        ? await fetch(`${t.httpUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body }).then(async (x) => ({ status: x.status, body: await x.json() }))
        : await t.api(method, path, token, body);
      expect([what, r.status, r.body?.error?.code]).toEqual([what, status, code]);
      expect(r.body.error.message.length, what).toBeGreaterThan(5);
    }
    expect(JSON.stringify(t.hub.store.households.get(hhId))).toBe(before);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });

  it('each edit is in the audit log with who made it', async () => {
    const rows = t.hub.store.db.prepare("SELECT actor, target, outcome FROM audit_log WHERE target LIKE '% /api/households%' ORDER BY id").all() as { actor: string; target: string; outcome: string }[];
    expect(rows).toEqual(expect.arrayContaining([
      { actor: 'grid1', target: 'POST /api/households', outcome: 'ok' },
      { actor: 'community', target: 'PUT /api/households/:id', outcome: 'ok' },
      { actor: 'grid1', target: 'PUT /api/households/:id', outcome: 'E_FORBIDDEN' },
    ]));
  });
});
