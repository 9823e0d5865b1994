/** Decoders for device protocol v1 payloads. Pure: bytes in, typed value or a reason out. */
import { EVENT_TYPES, type DeviceEventType, type HeartbeatPayload } from './protocol.ts';

export const MAX_PAYLOAD_BYTES = 1024;

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseObject(buf: Buffer): Decoded<Record<string, unknown>> {
  if (buf.length > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload of ${buf.length} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    return { ok: false, reason: 'payload is not valid JSON' };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: 'payload is not a JSON object' };
  return { ok: true, value: v as Record<string, unknown> };
}

export interface DecodedEvent { seq: number; type: DeviceEventType; ts: number | null }

export function decodeEvent(buf: Buffer): Decoded<DecodedEvent> {
  const o = parseObject(buf);
  if (!o.ok) return o;
  const { seq, type, ts } = o.value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return { ok: false, reason: 'seq must be a non-negative integer' };
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return { ok: false, reason: `unknown event type ${JSON.stringify(type)}` };
  }
  if (ts !== undefined && (typeof ts !== 'number' || !Number.isFinite(ts))) return { ok: false, reason: 'ts must be a number' };
  return { ok: true, value: { seq, type: type as DeviceEventType, ts: typeof ts === 'number' ? ts : null } };
}

/** Best effort: the seq of an unreadable event, so its ack can still carry it. */
export function salvageSeq(buf: Buffer): number | null {
  if (buf.length > MAX_PAYLOAD_BYTES) return null;
  const m = /"seq"\s*:\s*(\d{1,15})/.exec(buf.toString('utf8'));
  return m ? Number(m[1]) : null;
}

export function decodeHeartbeat(buf: Buffer): Decoded<HeartbeatPayload> {
  if (buf.length === 0) return { ok: true, value: {} };
  const o = parseObject(buf);
  if (!o.ok) return o;
  const out: HeartbeatPayload = {};
  const { battery, rssi, fw } = o.value;
  if (battery !== undefined) {
    if (typeof battery !== 'number' || battery < 0 || battery > 100) return { ok: false, reason: 'battery must be 0..100' };
    out.battery = Math.round(battery);
  }
  if (rssi !== undefined) {
    if (typeof rssi !== 'number' || rssi < -200 || rssi > 50) return { ok: false, reason: 'rssi out of range' };
    out.rssi = Math.round(rssi);
  }
  if (fw !== undefined) {
    if (typeof fw !== 'string' || fw.length > 32) return { ok: false, reason: 'fw must be a short string' };
    out.fw = fw;
  }
  return { ok: true, value: out };
}

export function decodeState(buf: Buffer): Decoded<'online' | 'offline'> {
  const s = buf.toString('utf8').trim();
  if (s === 'online' || s === 'offline') return { ok: true, value: s };
  return { ok: false, reason: 'state must be "online" or "offline"' };
}
