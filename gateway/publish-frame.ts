/**
 * Encodes an MQTT 3.1.1 PUBLISH at QoS 0 (no packet id, no retain, no dup). Pure.
 * The hub writes down/ack this way, straight onto a device's connection (broker.ts), with the
 * device's topic already encoded and the payload as a string (one buffer per ack, not three).
 */
export function publishFrameQos0(topic: string | Buffer, payload: Buffer | string): Buffer {
  const topicLen = typeof topic === 'string' ? Buffer.byteLength(topic) : topic.length;
  if (topicLen > 0xffff) throw new RangeError('topic longer than 65,535 bytes');
  const payloadLen = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const remaining = 2 + topicLen + payloadLen;
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
  i += typeof topic === 'string' ? out.write(topic, i, 'utf8') : topic.copy(out, i);
  if (typeof payload === 'string') out.write(payload, i, 'utf8');
  else payload.copy(out, i);
  return out;
}
