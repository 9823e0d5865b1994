/** Issue: hub core. End to end over real sockets: MQTT device → store → console WebSocket. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { ConsoleClient } from './helpers/console-client.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { topics } from '../gateway/protocol.ts';

let t: TestHub;
beforeEach(async () => { t = await startTestHub(); });
afterEach(async () => { await t.stop(); });

function rawClient(opts: mqtt.IClientOptions): Promise<{ client: mqtt.MqttClient; error?: Error }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(t.mqttUrl, { reconnectPeriod: 0, connectTimeout: 3000, ...opts });
    client.once('connect', () => resolve({ client }));
    client.once('error', (error) => { client.end(true); resolve({ client, error }); });
  });
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function storedEvents(deviceId: string): number {
  return (t.hub.store.db.prepare('SELECT count(*) AS n FROM device_events WHERE device_id = ?').get(deviceId) as { n: number }).n;
}

describe('a press reaches the right console', () => {
  it('demo-0003 reaches grid1 with the address, not grid2; ack, received, help_coming', async () => {
    const grid1 = await t.console('grid1');
    const grid2 = await t.console('grid2');
    const dev = await t.device('demo-0003');
    const acks: number[] = [];
    dev.on('ack', (a) => acks.push(a.seq));
    const r = await dev.send('press');
    expect(r.alertId).toBeTruthy();
    expect(acks).toEqual([r.seq]);
    const alert = await grid1.change(r.alertId!);
    expect(alert.deviceId).toBe('demo-0003');
    expect(alert.household.address).toContain('商城花园');
    expect(alert.household.residents[0].name).toBeTruthy();
    expect(alert.gridName).toBe('第一网格');
    expect(alert.level).toBe(0);
    expect(alert.state).toBe('raised');
    const received = await dev.waitForNotify('received', r.alertId!);
    expect(received.alertId).toBe(r.alertId);

    const token = await t.login('grid1');
    const list = await t.api('GET', '/api/alerts', token);
    expect(list.status).toBe(200);
    expect(list.body.alerts.map((a: any) => a.id)).toContain(r.alertId);
    const a0 = list.body.alerts.find((a: any) => a.id === r.alertId);
    for (const k of ['id', 'deviceId', 'householdId', 'gridId', 'state', 'raisedAt']) expect(a0).toHaveProperty(k);

    const ack = await t.api('POST', `/api/alerts/${r.alertId}/ack`, token);
    expect(ack.status).toBe(200);
    expect(ack.body.alert.state).toBe('accepted');
    await dev.waitForNotify('help_coming', r.alertId!);
    await grid1.change(r.alertId!, (a) => a.state === 'accepted');

    await new Promise((res) => setTimeout(res, 200));
    expect(grid2.alertIds().has(r.alertId!)).toBe(false);
    const list2 = await t.api('GET', '/api/alerts', await t.login('grid2'));
    expect(list2.body.alerts.map((a: any) => a.id)).not.toContain(r.alertId);
  });

  it('the community leader and admin see it; grid2 gets 403 acting on it', async () => {
    const dev = await t.device('demo-0004');
    const r = await dev.send('press');
    const community = await t.console('community');
    expect(community.frames.find((f) => f.type === 'snapshot')!.alerts!.map((a) => a.id)).toContain(r.alertId);
    const g2 = await t.login('grid2');
    const res = await t.api('POST', `/api/alerts/${r.alertId}/ack`, g2);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('E_FORBIDDEN');
  });

  it('recent alerts (state=all) for a grid worker are the newest of their grid, however many newer ones are elsewhere', async () => {
    const own = await (await t.device('demo-0012')).send('press');
    for (const id of ['demo-0005', 'demo-0006']) await (await t.device(id)).send('press');
    const g2 = await t.api('GET', '/api/alerts?state=all&limit=1', await t.login('grid2'));
    expect(g2.body.alerts.map((a: any) => a.id)).toEqual([own.alertId]);
    const admin = await t.api('GET', '/api/alerts?state=all&limit=2', await t.login('admin'));
    expect(admin.body.alerts.map((a: any) => a.deviceId).sort()).toEqual(['demo-0005', 'demo-0006']);
  });
});

describe('device identity and ACL', () => {
  it('refuses a wrong password, an unknown device and a client id that differs from the username', async () => {
    const wrong = await rawClient({ clientId: 'demo-0001', username: 'demo-0001', password: 'nope' });
    expect(wrong.error?.message).toMatch(/Bad username or password/);
    const unknown = await rawClient({ clientId: 'ghost-1', username: 'ghost-1', password: 'demo-secret' });
    expect(unknown.error?.message).toMatch(/Bad username or password/);
    const mismatch = await rawClient({ clientId: 'demo-0002', username: 'demo-0001', password: 'demo-secret' });
    expect(mismatch.error?.message).toMatch(/Identifier rejected/);
  });

  it('refuses publishing for another device, retained alarms and a # subscription; nothing stored or delivered', async () => {
    const grid1 = await t.console('grid1');
    const before = grid1.frames.length;
    const { client } = await rawClient({ clientId: 'demo-0001', username: 'demo-0001', password: 'demo-secret' });
    // mqtt.js reports a SUBACK return code of 0x80 as an error on the subscribe call.
    const subErr = await new Promise<Error | null>((res) => client.subscribe('#', { qos: 1 }, (err) => res(err ?? null)));
    expect(subErr).toBeTruthy();
    expect((subErr as any).packet?.granted).toEqual([128]);
    const closed = new Promise<void>((res) => client.once('close', () => res()));
    client.publish(topics.upEvent('demo-0002'), '{"seq":1,"type":"press"}', { qos: 1 });
    await closed;
    client.end(true);
    const { client: c2 } = await rawClient({ clientId: 'demo-0005', username: 'demo-0005', password: 'demo-secret' });
    const closed2 = new Promise<void>((res) => c2.once('close', () => res()));
    c2.publish(topics.upEvent('demo-0005'), '{"seq":1,"type":"press"}', { qos: 1, retain: true });
    await closed2;
    c2.end(true);
    await new Promise((res) => setTimeout(res, 200));
    expect(storedEvents('demo-0002') + storedEvents('demo-0001') + storedEvents('demo-0005')).toBe(0);
    expect(grid1.frames.slice(before).filter((f) => f.type === 'change')).toHaveLength(0);
  });
});

describe('durability and de-duplication', () => {
  it('a re-sent press (same seq) and a QoS 1 redelivery make exactly one alert and the same ack', async () => {
    const dev = await t.device('demo-0006');
    const first = await dev.send('press');
    const acks: any[] = [];
    dev.on('ack', (a) => acks.push(a));
    dev.resend(first.seq);
    // A QoS 1 redelivery: same packet with the DUP flag, as after a lost PUBACK.
    dev.client!.publish(topics.upEvent('demo-0006'), `{"seq":${first.seq},"type":"press","ts":1}`, { qos: 1, dup: true });
    await new Promise((res) => setTimeout(res, 400));
    expect(acks.length).toBe(2);
    for (const a of acks) expect(a).toEqual({ seq: first.seq, alertId: first.alertId });
    const n = t.hub.store.db.prepare("SELECT count(*) AS n FROM alerts WHERE device_id = 'demo-0006'").get() as { n: number };
    expect(n.n).toBe(1);
    expect(storedEvents('demo-0006')).toBe(1);
  });

  it('an acked alert survives a hard stop and is in the next console snapshot', async () => {
    const dev = await t.device('demo-0007');
    const r = await dev.send('press');
    // Hard stop: drop the process state without any graceful flush of our own.
    await t.restart();
    const c = await t.console('grid1');
    const snap = c.frames.find((f) => f.type === 'snapshot')!;
    const a = snap.alerts!.find((x) => x.id === r.alertId);
    expect(a?.state).toBe('raised');
    expect(a?.household.address).toBeTruthy();
  });
});

describe('bad input from an authenticated device', () => {
  it('malformed JSON and an unknown type raise an "unreadable call" alert; oversized drops the link; the hub keeps serving', async () => {
    const grid1 = await t.console('grid1');
    const dev = await t.device('demo-0008');
    const acks: any[] = [];
    dev.on('ack', (a) => acks.push(a));
    dev.client!.publish(topics.upEvent('demo-0008'), '{"seq":77,"type":"press"', { qos: 1 });
    const unreadable = await grid1.waitFor((f) => f.type === 'change' && f.alert?.reason === 'unreadable');
    expect(unreadable.alert.detail).toMatch(/unreadable call from device demo-0008/);
    expect(unreadable.alert.household.address).toBeTruthy();
    dev.client!.publish(topics.upEvent('demo-0008'), '{"seq":78,"type":"explode"}', { qos: 1 });
    await grid1.waitFor((f) => f.type === 'change' && f.alert?.presses === 2 && f.alert?.reason === 'unreadable');
    await until(() => acks.length >= 2);
    expect(acks.map((a) => a.seq)).toEqual(expect.arrayContaining([77, 78]));

    const closed = new Promise<void>((res) => dev.client!.once('close', () => res()));
    dev.client!.publish(topics.upEvent('demo-0008'), Buffer.alloc(64 * 1024, 0x41), { qos: 1 });
    await closed;
    await dev.close(false);
    // The oversized packet is refused at its header, and still recorded on the device's unreadable call.
    await grid1.waitFor((f) => f.type === 'change' && f.alert?.reason === 'unreadable' && f.alert?.presses === 3);
    const tooBig = t.hub.store.db.prepare("SELECT detail FROM device_events WHERE device_id = 'demo-0008' AND detail LIKE '%exceeds%'").get() as { detail: string } | undefined;
    expect(tooBig?.detail).toMatch(/exceeds the 4096-byte limit/);

    const good = await t.device('demo-0009');
    const r = await good.send('press');
    expect(r.alertId).toBeTruthy();
    await grid1.change(r.alertId!);
    const health = await t.api('GET', '/healthz');
    expect(health.body.ok).toBe(true);
  });
});

describe('console resume', () => {
  it('a reconnecting client that gives its last number gets the current state of each alert it missed, once', async () => {
    const c1 = await t.console('grid1');
    const d1 = await t.device('demo-0001');
    const a1 = await d1.send('press');
    await c1.change(a1.alertId!);
    const seen = c1.lastSeq();
    c1.close();
    const d2 = await t.device('demo-0002');
    const a2 = await d2.send('press');
    const token = await t.login('grid1');
    await t.api('POST', `/api/alerts/${a1.alertId}/ack`, token);
    await d2.send('press'); // a second change of a2 while away
    const grid1Path = t.hub.store.grid.get(t.hub.store.households.get(1)!.gridId).path;
    const missed = t.hub.store.alerts.changesSince(seen, 100).filter((c) => c.gridPath.startsWith(grid1Path));
    const lastOf = (id: string) => Math.max(...missed.filter((m) => m.alertId === id).map((m) => m.seq));
    const c2 = await t.console('grid1', { since: seen, token });
    const changes = c2.frames.filter((f) => f.type === 'change');
    expect(missed.length).toBeGreaterThan(changes.length); // a2 changed twice: sent once
    expect(changes.map((f) => f.alert.id)).toEqual([a1.alertId, a2.alertId]);
    expect(changes.map((f) => f.seq)).toEqual([lastOf(a1.alertId!), lastOf(a2.alertId!)]);
    expect(changes[0].alert.state).toBe('accepted');
    expect(changes[1].alert.presses).toBe(2);
    expect(changes.every((f) => f.seq! > seen)).toBe(true);
    expect(c2.frames.find((f) => f.type === 'resumed')?.seq).toBe(t.hub.store.alerts.lastChangeSeq());
    expect(c2.frames.some((f) => f.type === 'snapshot')).toBe(false);
  });

  it('a number from another epoch (or none) gets a snapshot: numbers lost with the machine must not hide new changes', async () => {
    const c1 = await t.console('grid1');
    const hello = c1.frames.find((f) => f.type === 'hello')!;
    expect(hello.epoch).toBe(t.hub.socket.epoch);
    const d = await t.device('demo-0003');
    const a = await d.send('press');
    await c1.change(a.alertId!);
    const seen = c1.lastSeq();
    c1.close();
    const token = await t.login('grid1');
    const url = `ws://127.0.0.1:${t.hub.ports.http}/ws`;
    for (const epoch of ['not-this-boot', '']) {
      const c = await ConsoleClient.open(url, token, seen, epoch);
      expect(c.frames.some((f) => f.type === 'resumed')).toBe(false);
      const snap = c.frames.find((f) => f.type === 'snapshot')!;
      expect(snap.alerts!.some((x) => x.id === a.alertId)).toBe(true);
      c.close();
    }
    const same = await ConsoleClient.open(url, token, seen, t.hub.socket.epoch);
    expect(same.frames.some((f) => f.type === 'resumed')).toBe(true);
    same.close();
  });
});
