/**
 * MQTT 3.1.1 conformance of the embedded broker, in the spirit of the Eclipse Paho
 * interoperability scenarios (written afresh): retained messages, QoS 0/1/2 delivery,
 * keepalive, Will messages, overlapping subscriptions, a refused subscription (0x80), session
 * persistence, and an empty client id with clean session off (CONNACK 0x02).
 *
 * The device ACL (DESIGN.md invariant 3) shapes what can be tested: a device may publish only
 * under its own up/ and state topics and subscribe only to its own down/ topics, so no device
 * can receive what another device publishes. Delivery to subscribers is therefore exercised
 * with messages the hub publishes into the broker (as it does for acks and notifies), and
 * device-to-broker publishes are checked from the broker's side (its 'publish' event). Not
 * testable under the ACL: device-to-device routing, wildcard subscriptions across devices,
 * retained messages set by one client and read by another client, "$SYS" topics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import type { Aedes, PublishPacket } from 'aedes';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { RawClient, PT, subscribePacket, pingreq } from './helpers/raw-mqtt.ts';

let t: TestHub;
let aedes: Aedes;
const open: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestHub();
  aedes = (t.hub.broker as unknown as { aedes: Aedes }).aedes;
}, 60_000);

afterAll(async () => {
  for (const c of open) c.end(true);
  await t?.stop();
});

const down = (id: string, ch = 'notify') => `anxin/v1/dev/${id}/down/${ch}`;

async function client(id: string, o: Partial<IClientOptions> = {}): Promise<MqttClient> {
  const c = mqtt.connect(t.mqttUrl, { clientId: id, username: id, password: 'demo-secret', protocolVersion: 4, reconnectPeriod: 0, keepalive: 60, ...o });
  open.push(c);
  await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
  return c;
}

/** The hub publishing into its broker, as it does for acks and notifies. */
function hubPublish(topic: string, payload: string, qos: 0 | 1 | 2, retain = false): Promise<void> {
  return new Promise((resolve, reject) => aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false }, (err) => (err ? reject(err) : resolve())));
}

function messages(c: MqttClient): { topic: string; payload: string; packet: IPublishPacket }[] {
  const got: { topic: string; payload: string; packet: IPublishPacket }[] = [];
  c.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), packet }));
  return got;
}

const brokerSaw = (pred: (p: PublishPacket, clientId: string | undefined) => boolean, timeoutMs = 5000) => new Promise<PublishPacket>((resolve, reject) => {
  const timer = setTimeout(() => { aedes.off('publish', on); reject(new Error('broker did not see the publish')); }, timeoutMs);
  const on = (p: PublishPacket, c: { id: string } | null) => { if (pred(p, c?.id)) { clearTimeout(timer); aedes.off('publish', on); resolve(p); } };
  aedes.on('publish', on);
});

describe('MQTT 3.1.1 conformance of the embedded broker', () => {
  it('retained messages: delivered on subscribe with the retain flag, replaced, and cleared by an empty payload', async () => {
    const id = 'demo-0002';
    await hubPublish(down(id), 'first', 1, true);
    await hubPublish(down(id), 'second', 1, true);
    const c = await client(id);
    const got = messages(c);
    await c.subscribeAsync(down(id), { qos: 1 });
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toMatchObject({ payload: 'second', packet: { retain: true, qos: 1 } });
    await hubPublish(down(id), 'live', 1, false); // a live message is not flagged retained
    await expect.poll(() => got.length).toBe(2);
    expect(got[1].packet.retain).toBe(false);
    await hubPublish(down(id), '', 1, true); // clears the retained message
    c.end(true);
    const again = await client(id);
    const got2 = messages(again);
    await again.subscribeAsync(down(id), { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(got2.filter((m) => m.packet.retain)).toEqual([]);
    // A device's retained state is accepted but not kept: only the hub reads state topics, and aedes
    // would match every later subscription against one retained message per device (reconnect storms).
    const saw = brokerSaw((p) => p.topic === `anxin/v1/dev/${id}/state`);
    await again.publishAsync(`anxin/v1/dev/${id}/state`, 'online', { qos: 1, retain: true });
    expect((await saw).retain).toBe(false);
    again.end(true);
  });

  it('QoS 0, 1 and 2 delivery, down to the subscription\'s granted QoS', async () => {
    const id = 'demo-0003';
    const c = await client(id);
    const got = messages(c);
    const granted = await c.subscribeAsync(down(id), { qos: 2 });
    expect(granted[0].qos).toBe(2);
    for (const q of [0, 1, 2] as const) await hubPublish(down(id), `q${q}`, q);
    await expect.poll(() => got.length).toBe(3);
    expect(got.map((m) => [m.payload, m.packet.qos])).toEqual([['q0', 0], ['q1', 1], ['q2', 2]]);
    await c.unsubscribeAsync(down(id));
    const low = messages(c);
    await c.subscribeAsync(down(id), { qos: 0 }); // downgraded to QoS 0
    await hubPublish(down(id), 'q2-to-0', 2);
    await expect.poll(() => low.length).toBe(1);
    expect(low[0].packet.qos).toBe(0);
    // Device to broker at each QoS (QoS 1 gets PUBACK, QoS 2 completes PUBREC/PUBREL/PUBCOMP).
    for (const q of [0, 1, 2] as const) {
      const saw = brokerSaw((p, cid) => cid === id && p.topic.endsWith('/up/heartbeat') && p.payload.toString().includes(`"rssi":-${q + 50}`));
      await c.publishAsync(`anxin/v1/dev/${id}/up/heartbeat`, `{"rssi":-${q + 50}}`, { qos: q });
      expect((await saw).qos).toBe(q);
    }
    c.end(true);
  });

  it('keepalive: PINGREQ gets PINGRESP; a silent client is dropped after 1.5 x keepalive and its Will is published', async () => {
    const id = 'demo-0004';
    const r = await RawClient.open(t.hub.ports.mqtt);
    expect(await r.connect({ clientId: id, username: id, password: 'demo-secret', keepalive: 1, will: { topic: `anxin/v1/dev/${id}/state`, payload: 'offline', qos: 1, retain: true } })).toBe(0);
    r.send(pingreq());
    expect(await r.next(PT.PINGRESP, 2000)).not.toBeNull();
    const will = brokerSaw((p) => p.topic === `anxin/v1/dev/${id}/state` && p.payload.toString() === 'offline', 6000);
    const t0 = Date.now();
    expect(await r.waitClosed(5000)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    await will;
  });

  it('Will messages: published on an abrupt disconnect, not after a clean DISCONNECT', async () => {
    const id = 'demo-0005';
    const willOpt = { topic: `anxin/v1/dev/${id}/state`, payload: Buffer.from('offline'), qos: 1 as const, retain: true };
    const c = await client(id, { will: willOpt });
    const abrupt = brokerSaw((p) => p.topic === willOpt.topic && p.payload.toString() === 'offline');
    c.stream.destroy();
    await abrupt;
    const c2 = await client(id, { will: willOpt });
    let seen = false;
    const on = (p: PublishPacket) => { if (p.topic === willOpt.topic && p.payload.toString() === 'offline') seen = true; };
    aedes.on('publish', on);
    await c2.endAsync();
    await new Promise((r) => setTimeout(r, 800));
    aedes.off('publish', on);
    expect(seen).toBe(false);
  });

  async function overlapping(id: string): Promise<{ qos: number }[]> {
    const c = await client(id);
    const got = messages(c);
    const g = await c.subscribeAsync({ [`anxin/v1/dev/${id}/down/#`]: { qos: 0 }, [down(id)]: { qos: 2 }, [`anxin/v1/dev/${id}/down/+`]: { qos: 1 } });
    expect(g.map((x) => x.qos)).toEqual([0, 2, 1]);
    await hubPublish(down(id), 'overlap', 2);
    await expect.poll(() => got.length).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 300));
    c.end(true);
    return got.map((m) => m.packet);
  }

  it('overlapping subscriptions: the message is delivered (once: aedes de-duplicates per client)', async () => {
    expect((await overlapping('demo-0006')).length).toBe(1);
  });

  // MQTT-3.3.5-1 requires the copy to respect the MAXIMUM QoS of all matching subscriptions.
  // aedes (1.x) keeps only the first matching subscription's copy, here QoS 0. Devices are told
  // to subscribe once, to down/# at QoS 1 (docs/security.md). This flips when aedes is fixed.
  it.fails('overlapping subscriptions: the copy respects the maximum granted QoS (known aedes gap)', async () => {
    expect(Math.max(...(await overlapping('demo-0008')).map((p) => p.qos))).toBe(2);
  });

  it('a refused subscription returns 0x80 and the rest of the SUBSCRIBE is granted', async () => {
    const id = 'demo-0007';
    const r = await RawClient.open(t.hub.ports.mqtt);
    expect(await r.connect({ clientId: id, username: id, password: 'demo-secret' })).toBe(0);
    r.send(subscribePacket(42, [{ topic: down('demo-0008'), qos: 1 }, { topic: down(id), qos: 1 }, { topic: '#', qos: 0 }, { topic: `anxin/v1/dev/${id}/up/event`, qos: 1 }]));
    const ack = await r.next(PT.SUBACK);
    expect(ack!.body.readUInt16BE(0)).toBe(42);
    expect([...ack!.body.subarray(2)]).toEqual([0x80, 0x01, 0x80, 0x80]);
    expect(r.closed).toBe(false);
    r.destroy();
  });

  it('session persistence: with clean session off, QoS 1 messages sent while offline arrive on reconnect', async () => {
    const id = 'demo-0009';
    const c = await client(id, { clean: false });
    await c.subscribeAsync(down(id), { qos: 1 });
    await c.endAsync();
    await hubPublish(down(id), 'while-away', 1);
    const back = mqtt.connect(t.mqttUrl, { clientId: id, username: id, password: 'demo-secret', protocolVersion: 4, reconnectPeriod: 0, clean: false });
    open.push(back);
    const got = messages(back);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve) => back.once('connect', (p) => resolve(p)));
    expect(connack.sessionPresent).toBe(true);
    await expect.poll(() => got.map((m) => m.payload)).toContain('while-away');
    back.end(true);
  });

  it('an empty client id with clean session off is refused with CONNACK 0x02', async () => {
    const r = await RawClient.open(t.hub.ports.mqtt);
    expect(await r.connect({ clientId: '', clean: false, username: 'demo-0010', password: 'demo-secret' })).toBe(2);
    expect(await r.waitClosed(3000)).toBe(true);
    const r2 = await RawClient.open(t.hub.ports.mqtt); // clean session on: the id must still equal the username
    expect(await r2.connect({ clientId: '', clean: true, username: 'demo-0010', password: 'demo-secret' })).toBe(2);
  });
});
