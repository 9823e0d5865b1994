/** The hand-written QoS 0 PUBLISH encoder against mqtt-packet's parser (the one aedes and mqtt.js use). */
import { it, expect } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { publishFrameQos0 } from '../gateway/publish-frame.ts';

function parse(buf: Buffer): mqttPacket.IPublishPacket[] {
  const out: mqttPacket.IPublishPacket[] = [];
  const p = mqttPacket.parser({ protocolVersion: 4 });
  p.on('packet', (pk) => out.push(pk as mqttPacket.IPublishPacket));
  p.on('error', (e) => { throw e; });
  p.parse(buf);
  return out;
}

it('encodes topic and payload across every remaining-length size boundary', () => {
  const topic = 'anxin/v1/dev/设备-0001/down/ack';
  for (const n of [0, 1, 90, 91, 92, 200, 16_000, 16_340, 16_400, 2_097_200]) {
    const payload = Buffer.alloc(n, 0x61);
    const frame = publishFrameQos0(topic, payload);
    const packets = parse(Buffer.concat([frame, frame]));
    expect(packets).toHaveLength(2); // nothing left over, nothing short
    const [pk] = packets;
    expect(pk.topic).toBe(topic);
    expect(Buffer.compare(pk.payload as Buffer, payload)).toBe(0);
    expect(pk).toMatchObject({ cmd: 'publish', qos: 0, retain: false, dup: false });
  }
});

it('two frames back to back parse as two packets', () => {
  const a = publishFrameQos0('t/a', Buffer.from('{"seq":1}'));
  const b = publishFrameQos0('t/b', Buffer.from('{"seq":2}'));
  expect(parse(Buffer.concat([a, b])).map((p) => p.topic)).toEqual(['t/a', 't/b']);
});

it('takes the topic as bytes and the payload as a string, with the same result', () => {
  const topic = 'anxin/v1/dev/设备-0001/down/ack';
  for (const payload of ['', '{"seq":7,"alertId":null}', '{"seq":8,"alertId":"呼叫"}', 'x'.repeat(300)]) {
    const frame = publishFrameQos0(Buffer.from(topic), payload);
    expect(frame.equals(publishFrameQos0(topic, Buffer.from(payload)))).toBe(true);
    const [pk] = parse(frame);
    expect(pk.topic).toBe(topic);
    expect((pk.payload as Buffer).toString()).toBe(payload);
  }
});
