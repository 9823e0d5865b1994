/** Topic ACL policy for devices (DESIGN.md invariant 3). Pure: no I/O. */
import { DEVICE_ID_RE, TOPIC_ROOT, type UpChannel } from './protocol.ts';

export type PublishVerdict =
  | { ok: true; channel: UpChannel }
  | { ok: false; reason: string };

/** Parses `anxin/v1/dev/{id}/{channel}` and checks that the publisher owns it. */
export function checkPublish(deviceId: string, topic: string, retain: boolean): PublishVerdict {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return { ok: false, reason: `topic outside ${TOPIC_ROOT}/` };
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'topic has no channel' };
  const owner = rest.slice(0, slash);
  const channel = rest.slice(slash + 1);
  if (owner !== deviceId) return { ok: false, reason: `device ${deviceId} may not publish for ${owner}` };
  if (channel === 'up/event') {
    if (retain) return { ok: false, reason: 'retained events are not allowed' };
    return { ok: true, channel };
  }
  if (channel === 'up/heartbeat') {
    if (retain) return { ok: false, reason: 'retained heartbeats are not allowed' };
    return { ok: true, channel };
  }
  if (channel === 'state') return { ok: true, channel };
  return { ok: false, reason: `unknown channel ${channel}` };
}

/** A device may subscribe only to its own down/ topics (exact or its own down/#, down/+). */
export function checkSubscribe(deviceId: string, filter: string): boolean {
  const own = `${TOPIC_ROOT}/${deviceId}/down/`;
  if (!filter.startsWith(own)) return false;
  const tail = filter.slice(own.length);
  return tail === '#' || tail === '+' || tail === 'ack' || tail === 'notify';
}

/** The filters, of those checkSubscribe allows, that deliver the device's `down/{channel}` messages: exactly these three. */
export function downFilters(deviceId: string, channel: 'ack' | 'notify'): [string, string, string] {
  const own = `${TOPIC_ROOT}/${deviceId}/down/`;
  return [`${own}#`, `${own}+`, `${own}${channel}`];
}

/** The MQTT identity rule: username is the device id, and the client id must equal it. */
export function checkIdentity(clientId: string, username: string | undefined): string | null {
  if (!username) return 'username (device id) is required';
  if (!DEVICE_ID_RE.test(username)) return 'username is not a valid device id';
  if (clientId !== username) return 'client id must equal the username (device id)';
  return null;
}
