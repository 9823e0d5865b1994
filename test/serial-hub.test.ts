/**
 * Issue 5 end to end: a simulated receiver serves TCP, a real hub connects to it as
 * tcp://127.0.0.1:PORT (ANXIN_SERIAL), and the consoles are real WebSocket clients.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { SimReceiver } from '../simulator/receiver.ts';

const FAST = 'retry_ms=100&retry_max_ms=500&grace_ms=500';
let t: TestHub | null = null;
const receivers: SimReceiver[] = [];
afterEach(async () => {
  await t?.stop();
  t = null;
  for (const r of receivers.splice(0)) await r.stop();
});

async function rx(opts: Parameters<typeof SimReceiver.tcp>[1] = {}): Promise<SimReceiver> {
  const r = await SimReceiver.tcp(0, opts);
  receivers.push(r);
  return r;
}

async function hubWith(serial: string, env: Record<string, string> = {}): Promise<TestHub> {
  t = await startTestHub({ env: { ANXIN_SERIAL: serial, ...env } });
  return t;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(fn: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}

async function alertsFor(hub: TestHub, token: string, deviceId: string): Promise<any[]> {
  const r = await hub.api('GET', '/api/alerts?state=all&limit=500', token);
  return r.body.alerts.filter((a: any) => a.deviceId === deviceId);
}

describe('RF buttons through a TCP receiver', () => {
  it('a held button makes exactly one call on the right grid console; a new press after the window is a repeat press', async () => {
    const r = await rx();
    const hub = await hubWith(`tcp://127.0.0.1:${r.where().split(':').pop()}?name=rx1&${FAST}`);
    const grid1 = await hub.console('grid1');
    const grid2 = await hub.console('grid2');
    await r.waitConnected();
    const admin = await hub.login('admin');

    const t0 = performance.now();
    const holding = r.hold(0x10001, 1, 3000); // held for 3 s: ~30 repeated frames
    const f = await grid1.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-01', 5000);
    const pressToConsole = performance.now() - t0;
    const frames = await holding;
    console.log(`RF press → grid1 console: ${pressToConsole.toFixed(1)} ms (button held 3 s, ${frames} frames)`);
    expect(f.alert.kind).toBe('call');
    expect(f.alert.gridName).toBe('第一网格');
    expect(f.alert.householdId).toBe(1);
    expect(f.alert.household.address).toContain('商城花园');
    await sleep(300);
    let mine = await alertsFor(hub, admin, 'demo-rf-01');
    expect(mine).toHaveLength(1);
    expect(mine[0].presses).toBe(1);
    expect(mine[0].timeline.find((e: any) => e.type === 'raised').data.via).toBe('rf:rx1');
    expect(grid2.alertIds().has(f.alert.id)).toBe(false);

    await sleep(1700); // released for longer than the 1.5 s repeat window
    await r.press(0x10001);
    await grid1.change(f.alert.id, (a) => a.presses === 2, 5000);
    mine = await alertsFor(hub, admin, 'demo-rf-01');
    expect(mine).toHaveLength(1);
    const st = await hub.api('GET', '/api/rf/receivers', admin);
    expect(st.body.receivers[0]).toMatchObject({ name: 'rx1', online: true, degraded: false, errorsTotal: 0, deviceId: 'rx:rx1' });
    expect(st.body.counters.presses).toBe(2);
    expect(st.body.counters.repeats).toBeGreaterThan(20);
  }, 60_000);

  it('press-to-console time for the four demo buttons; each reaches its own grid; test and cancel keys', async () => {
    const r = await rx();
    const hub = await hubWith(`tcp://127.0.0.1:${r.where().split(':').pop()}?name=rx1&${FAST}`);
    const grids = { 1: await hub.console('grid1'), 2: await hub.console('grid2') } as const;
    await r.waitConnected();
    const times: number[] = [];
    const expected = [[0x10001, 'demo-rf-01', 1], [0x10002, 'demo-rf-02', 1], [0x10003, 'demo-rf-03', 2], [0x10004, 'demo-rf-04', 2]] as const;
    for (const [code, id, g] of expected) {
      const t0 = performance.now();
      void r.press(code);
      const f = await grids[g].waitFor((x) => x.type === 'change' && x.alert?.deviceId === id, 5000);
      times.push(performance.now() - t0);
      expect(f.alert.gridName).toBe(g === 1 ? '第一网格' : '第二网格');
      expect(grids[g === 1 ? 2 : 1].alertIds().has(f.alert.id)).toBe(false);
    }
    console.log(`RF press → console, 4 demo buttons: ${times.map((x) => x.toFixed(1)).join(', ')} ms`);

    const grid1 = grids[1];
    const call = grid1.frames.find((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-01')!.alert;
    await r.cancel(0x10001);
    await grid1.change(call.id, (a) => a.state === 'cancelled', 5000);

    const token = await hub.login('grid1');
    const before = await hub.api('GET', '/api/rf/buttons', token);
    expect(before.body.supervised).toBe(false);
    expect(before.body.note).toMatch(/cannot supervise/);
    expect(before.body.buttons.map((b: any) => b.deviceId)).toEqual(['demo-rf-01', 'demo-rf-02']); // grid1 sees its own only
    await r.test(0x10002);
    const tested = await until(async () => {
      const b = (await hub.api('GET', '/api/rf/buttons', token)).body.buttons.find((x: any) => x.deviceId === 'demo-rf-02');
      return b.lastTest ? b : null;
    });
    expect(tested).toMatchObject({ supervised: false, householdId: 2 });
    expect(tested.lastHeard).toBeGreaterThan(0);
    expect(tested.codes).toEqual([
      { address: 0x10002, addressHex: '0x10002', key: 1, action: 'press' },
      { address: 0x10002, addressHex: '0x10002', key: 2, action: 'cancel' },
      { address: 0x10002, addressHex: '0x10002', key: 4, action: 'test' },
    ]);
    expect((await alertsFor(hub, token, 'demo-rf-02'))).toHaveLength(1); // the test press made no call
  }, 60_000);

  it('two receivers hearing one press make one call', async () => {
    const a = await rx();
    const b = await rx();
    const hub = await hubWith([a, b].map((r, i) => `tcp://127.0.0.1:${r.where().split(':').pop()}?name=rx${i + 1}&${FAST}`).join(','));
    const grid2 = await hub.console('grid2');
    await a.waitConnected();
    await b.waitConnected();
    const h1 = a.hold(0x10003, 1, 1000);
    await sleep(40);
    const h2 = b.hold(0x10003, 1, 1000);
    await Promise.all([h1, h2]);
    await grid2.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-03', 5000);
    await sleep(500);
    const calls = await alertsFor(hub, await hub.login('admin'), 'demo-rf-03');
    expect(calls).toHaveLength(1);
    expect(calls[0].presses).toBe(1);
  }, 60_000);

  it('an unknown code goes to the admin list, never to a call; learn mode binds it to a household', async () => {
    const r = await rx();
    const hub = await hubWith(`tcp://127.0.0.1:${r.where().split(':').pop()}?name=rx1&${FAST}`);
    await r.waitConnected();
    const admin = await hub.login('admin');
    const staff = await hub.login('grid1');
    await r.press(0x2abcd);
    const listed = await until(async () => (await hub.api('GET', '/api/rf/unknown', admin)).body.transmitters.find((x: any) => x.address === 0x2abcd));
    expect(listed).toMatchObject({ receiver: 'rx1', key: 1, count: 1, addressHex: '0x2abcd' });
    expect(listed.text).toContain('heard on receiver rx1');
    expect((await hub.api('GET', '/api/rf/unknown', staff)).status).toBe(403);
    expect((await hub.api('POST', '/api/rf/learn', staff, { householdId: 5 })).status).toBe(403);
    expect((await hub.api('POST', '/api/rf/learn', admin, { householdId: 9999 })).status).toBe(404);
    expect((await hub.api('POST', '/api/rf/learn', admin, { householdId: 'x' })).status).toBe(400);
    expect((await hub.api('GET', '/api/alerts?state=all', admin)).body.alerts).toHaveLength(0);

    const open = await hub.api('POST', '/api/rf/learn', admin, { householdId: 5 });
    expect(open.status).toBe(201);
    expect(open.body.session.expiresAt - open.body.session.openedAt).toBe(60_000);
    expect((await hub.api('POST', '/api/rf/learn', admin, { householdId: 6 })).status).toBe(409);
    await sleep(1600);
    await r.press(0x2abcd);
    const learn = await until(async () => {
      const s = (await hub.api('GET', '/api/rf/learn', admin)).body;
      return s.last?.outcome === 'bound' ? s : null;
    });
    expect(learn.open).toBeNull();
    expect(learn.last).toMatchObject({ householdId: 5, deviceId: 'rf-2abcd', addressHex: '0x2abcd', key: 1, receiver: 'rx1' });
    expect((await hub.api('GET', '/api/rf/unknown', admin)).body.transmitters).toHaveLength(0);
    expect((await hub.api('GET', '/api/alerts?state=all', admin)).body.alerts).toHaveLength(0); // enrolling is not a call

    const grid1 = await hub.console('grid1');
    await sleep(1600);
    await r.press(0x2abcd);
    const f = await grid1.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'rf-2abcd', 5000);
    expect(f.alert.householdId).toBe(5);
    const devices = (await hub.api('GET', '/api/devices', admin)).body.devices;
    expect(devices.find((d: any) => d.id === 'rf-2abcd')).toMatchObject({ kind: 'rf-button', householdId: 5 });

    // An installer who knows the address adds a button directly; a taken code is refused.
    const made = await hub.api('POST', '/api/rf/buttons', admin, { householdId: 3, address: 0x30001 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ deviceId: 'rf-30001', supervised: false });
    expect(made.body.codes.map((c: any) => `${c.key}:${c.action}`)).toEqual(['1:press', '2:cancel', '4:test']);
    expect((await hub.api('POST', '/api/rf/buttons', admin, { householdId: 3, address: 0x10001 })).status).toBe(409);
    expect((await hub.api('POST', '/api/rf/buttons', staff, { householdId: 3, address: 0x30002 })).status).toBe(403);
    expect((await hub.api('POST', '/api/rf/buttons', admin, { householdId: 3, address: 0x100000 })).status).toBe(400);
    expect((await hub.api('POST', '/api/rf/learn', admin, { householdId: 6 })).status).toBe(201);
    expect((await hub.api('DELETE', '/api/rf/learn', admin)).body).toEqual({ cancelled: true });
    expect((await hub.api('GET', '/api/rf/learn', admin)).body.last.outcome).toBe('cancelled');
  }, 60_000);

  it('closing the TCP server raises receiver offline within 10 s on the served node, and it clears when the link is back', async () => {
    const r = await rx();
    const port = r.where().split(':').pop();
    const hub = await hubWith(`tcp://127.0.0.1:${port}?name=office&node=4&${FAST}`);
    const admin = await hub.console('admin');
    const grid1 = await hub.console('grid1'); // node 4 is 第一网格
    const grid2 = await hub.console('grid2');
    await r.waitConnected();
    await sleep(200);
    const t0 = performance.now();
    await r.drop();
    const f = await admin.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'rx:office' && x.alert.state === 'raised', 10_000);
    const offlineAfter = performance.now() - t0;
    expect(f.alert).toMatchObject({ kind: 'technical', reason: 'receiver_offline', gridName: '第一网格' });
    expect(f.alert.detail).toContain('office offline');
    await grid1.change(f.alert.id, () => true, 5000);
    expect(grid2.alertIds().has(f.alert.id)).toBe(false);
    const down = (await hub.api('GET', '/api/rf/receivers', await hub.login('admin'))).body.receivers[0];
    expect(down).toMatchObject({ online: false, link: expect.stringMatching(/down|connecting/) });

    const t1 = performance.now();
    await r.up();
    await admin.change(f.alert.id, (a) => a.state === 'resolved' && a.outcome === 'cleared', 10_000);
    console.log(`receiver offline alert ${offlineAfter.toFixed(0)} ms after the link dropped (grace 500 ms); cleared ${(performance.now() - t1).toFixed(0)} ms after it came back`);
    await r.waitConnected();
    await r.press(0x10001);
    await grid1.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-01', 5000);
  }, 60_000);

  it('a noise flood, a 0x00 flood and a cut frame/line: the next press still gets through; buffers bounded; degraded is raised', async () => {
    const bin = await rx();
    const sdr = await rx({ framing: 'json-lines' });
    const hub = await hubWith([
      `tcp://127.0.0.1:${bin.where().split(':').pop()}?name=bin&degrade_after=5&${FAST}`,
      `tcp://127.0.0.1:${sdr.where().split(':').pop()}?name=sdr&framing=json-lines&degrade_after=5&${FAST}`,
    ].join(','));
    const grid1 = await hub.console('grid1');
    const grid2 = await hub.console('grid2');
    const adminWs = await hub.console('admin');
    await bin.waitConnected();
    await sdr.waitConnected();
    for (const r of [bin, sdr]) {
      for (let i = 0; i < 40; i++) r.noise(1024);
      r.zeros(64 * 1024);
      r.cut();
    }
    await sleep(100);
    void bin.press(0x10001);
    void sdr.press(0x10003);
    await grid1.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-01', 10_000);
    await grid2.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-03', 10_000);
    const deg = await adminWs.waitFor((x) => x.type === 'change' && x.alert?.reason === 'receiver_degraded', 10_000);
    expect(deg.alert.kind).toBe('technical');
    const st = (await hub.api('GET', '/api/rf/receivers', await hub.login('admin'))).body.receivers;
    for (const s of st) {
      expect(s.errorsTotal).toBeGreaterThan(5);
      expect(s.buffered).toBeLessThanOrEqual(s.maxBuffer);
      expect(s.online).toBe(true);
    }
  }, 60_000);
});
