/**
 * down/ack goes straight onto the device's connection once its event is durable (gateway/broker.ts):
 * in the same write as the broker's PUBACK, and only to a device subscribed to it, as a broker would.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Aedes } from 'aedes';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { PT, publishPacket, rawDevice, subscribePacket, type RawClient } from './helpers/raw-mqtt.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t.stop(); });

const press = (c: RawClient, id: string, seq: number, msgId: number) =>
  c.send(publishPacket(`anxin/v1/dev/${id}/up/event`, JSON.stringify({ seq, type: 'press', ts: Date.now() }), { qos: 1, id: msgId }));
const stored = (id: string, seq: number) => t.hub.store.alerts.deviceEventAlert(id, seq) !== undefined;
const acks = (c: RawClient, id: string) => c.packets.filter((p) => p.type === PT.PUBLISH && p.body.toString('latin1').includes(`${id}/down/ack`));

describe('down/ack', () => {
  it('leaves in the same write as the PUBACK', async () => {
    const id = 'demo-0005';
    const c = await rawDevice(t.hub.ports.mqtt, id);
    const chunks: Buffer[] = [];
    c.socket.on('data', (d: Buffer) => chunks.push(d));
    c.send(subscribePacket(1, [{ topic: `anxin/v1/dev/${id}/down/#`, qos: 1 }]));
    await c.next(PT.SUBACK);
    for (let i = 1; i <= 5; i++) {
      chunks.length = 0;
      press(c, id, 100 + i, i);
      await c.next(PT.PUBACK);
      await expect.poll(() => acks(c, id).length).toBe(i);
      // The PUBACK for this message id and the ack's QoS 0 PUBLISH arrive in one chunk, one after the other
      // (the call's QoS 1 "received" notify may come before or after them).
      const withPuback = chunks.find((ch) => ch.indexOf(Buffer.from([0x40, 0x02, 0x00, i])) >= 0)!;
      const at = withPuback.indexOf(Buffer.from([0x40, 0x02, 0x00, i]));
      expect(withPuback[at + 4]).toBe(0x30);
    }
    const body = acks(c, id)[0].body;
    const json = JSON.parse(body.subarray(2 + body.readUInt16BE(0)).toString());
    expect(json).toMatchObject({ seq: 101 });
    expect(typeof json.alertId).toBe('string');
    expect(body.subarray(2 + body.readUInt16BE(0)).toString()).toBe(JSON.stringify({ seq: 101, alertId: json.alertId }));
    c.destroy();
  });

  it('reaches a device subscribed to down/+ or down/ack, not one subscribed only to down/notify or to nothing', async () => {
    const cases: [string, string | null, boolean][] = [
      ['demo-0006', 'down/+', true], ['demo-0007', 'down/ack', true], ['demo-0008', 'down/notify', false], ['demo-0009', null, false],
    ];
    for (const [id, filter, getsAck] of cases) {
      const c = await rawDevice(t.hub.ports.mqtt, id);
      if (filter) {
        c.send(subscribePacket(1, [{ topic: `anxin/v1/dev/${id}/${filter}`, qos: 1 }]));
        await c.next(PT.SUBACK);
      }
      press(c, id, 500, 7);
      await c.next(PT.PUBACK); // stored either way: the PUBACK is sent after the commit
      expect(stored(id, 500)).toBe(true);
      if (getsAck) await expect.poll(() => acks(c, id).length).toBe(1);
      else {
        await new Promise((r) => setTimeout(r, 200));
        expect(acks(c, id)).toHaveLength(0);
      }
      if (filter === 'down/notify') {
        await expect.poll(() => c.packets.some((p) => p.type === PT.PUBLISH && p.body.toString('latin1').includes('down/notify'))).toBe(true);
      }
      c.destroy();
    }
  });

  it("a device's up/event is not forwarded by aedes while nothing could receive it, and is while a 'publish' listener is on", async () => {
    const aedes = (t.hub.broker as unknown as { aedes: Aedes }).aedes;
    const mq = (aedes as unknown as { mq: { emit(p: { topic: string }, cb?: () => void): void } }).mq;
    const emitted: string[] = [];
    const emit = mq.emit.bind(mq);
    mq.emit = (p, cb) => { emitted.push(p.topic); emit(p, cb); };
    try {
      const id = 'demo-0010';
      const c = await rawDevice(t.hub.ports.mqtt, id);
      c.send(subscribePacket(1, [{ topic: `anxin/v1/dev/${id}/down/#`, qos: 1 }]));
      await c.next(PT.SUBACK);
      press(c, id, 700, 1);
      await c.next(PT.PUBACK);
      await expect.poll(() => acks(c, id).length).toBe(1);
      c.send(publishPacket(`anxin/v1/dev/${id}/up/heartbeat`, JSON.stringify({ battery: 90 }), { qos: 1, id: 2 }));
      await c.next(PT.PUBACK);
      await expect.poll(() => emitted.includes(`anxin/v1/dev/${id}/up/heartbeat`)).toBe(true);
      expect(emitted).not.toContain(`anxin/v1/dev/${id}/up/event`);
      const seen: string[] = [];
      const on = (p: { topic: string }) => seen.push(p.topic);
      aedes.on('publish', on);
      press(c, id, 701, 3);
      await expect.poll(() => seen.includes(`anxin/v1/dev/${id}/up/event`)).toBe(true);
      aedes.off('publish', on);
      expect(emitted).toContain(`anxin/v1/dev/${id}/up/event`);
      expect(stored(id, 700) && stored(id, 701)).toBe(true);
      await expect.poll(() => acks(c, id).length).toBe(2);
      c.destroy();
    } finally {
      mq.emit = emit;
    }
  });
});
