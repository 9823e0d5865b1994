/**
 * The simulator's own encoder and decoder for device protocol v1, written independently of
 * the gateway's codec so that a codec bug cannot cancel itself out in tests. Only topic
 * names and types come from gateway/protocol.ts.
 */
import type { AckPayload, DeviceEventType, HeartbeatPayload, NotifyPayload } from '../gateway/protocol.ts';

export function encodeEvent(seq: number, type: DeviceEventType, ts: number): Buffer {
  return Buffer.from(`{"seq":${seq},"type":"${type}","ts":${ts}}`);
}

export function encodeHeartbeat(h: HeartbeatPayload): Buffer {
  const parts: string[] = [];
  if (h.battery !== undefined) parts.push(`"battery":${h.battery}`);
  if (h.rssi !== undefined) parts.push(`"rssi":${h.rssi}`);
  if (h.fw !== undefined) parts.push(`"fw":${JSON.stringify(h.fw)}`);
  return Buffer.from(`{${parts.join(',')}}`);
}

export type Downlink = { kind: 'ack'; ack: AckPayload } | { kind: 'notify'; notify: NotifyPayload } | { kind: 'unknown'; topic: string; text: string };

export function decodeDownlink(topic: string, payload: Buffer): Downlink {
  const text = payload.toString('utf8');
  let body: Record<string, unknown> = {};
  try { body = JSON.parse(text) as Record<string, unknown>; } catch { return { kind: 'unknown', topic, text }; }
  if (topic.endsWith('/down/ack') && typeof body.seq === 'number') {
    return { kind: 'ack', ack: { seq: body.seq, alertId: typeof body.alertId === 'string' ? body.alertId : null } };
  }
  if (topic.endsWith('/down/notify') && typeof body.alertId === 'string' && typeof body.status === 'string') {
    return { kind: 'notify', notify: { alertId: body.alertId, status: body.status as NotifyPayload['status'] } };
  }
  return { kind: 'unknown', topic, text };
}
