/**
 * Encodes an MQTT 3.1.1 PUBLISH at QoS 0 (no packet id, no retain, no dup). Pure.
 * The hub writes down/ack this way, straight onto a device's connection (broker.ts).
 */
export function publishFrameQos0(topic: string, payload: Buffer): Buffer {
  const topicLen = Buffer.byteLength(topic);
  if (topicLen > 0xffff) throw new RangeError('topic longer than 65,535 bytes');
  const remaining = 2 + topicLen + payload.length;
  if (remaining > 268_435_455) throw new RangeError('packet larger than MQTT allows');
  let lenBytes = 1;
  for (let r = remaining; r >= 128; r = Math.floor(r / 128)) lenBytes++;
  const out = Buffer.allocUnsafe(1 + lenBytes + remaining);
  out[0] = 0x30;
  let i = 1;
  let r = remaining;
  do {
    let b = r % 128;
    r = Math.floor(r / 128);
    if (r > 0) b |= 0x80;
    out[i++] = b;
  } while (r > 0);
  out.writeUInt16BE(topicLen, i);
  i += 2;
  i += out.write(topic, i, 'utf8');
  payload.copy(out, i);
  return out;
}
