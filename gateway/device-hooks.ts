/**
 * aedes policy hooks for devices: identity, Will topic, publish/subscribe ACL, and the
 * durable ingest of up/event. The commit happens inside authorizePublish because aedes
 * writes the QoS 1 PUBACK before its `published` hook runs (DESIGN.md invariant 1).
 */
import type { Aedes, Client, PublishPacket, Subscription, AuthenticateError } from 'aedes';
import type { Logger } from 'pino';
import { checkIdentity, checkPublish, checkSubscribe } from './acl.ts';
import { decodeEvent, decodeHeartbeat, decodeState, salvageSeq } from './codec.ts';
import { topics } from './protocol.ts';
import type { AuthLimiter, DeviceDirectory, HubSink } from './events.ts';

export interface HookDeps {
  directory: DeviceDirectory;
  sink: HubSink;
  log: Logger;
  now: () => number;
  /** Publishes down/ack after the commit. */
  sendAck: (deviceId: string, seq: number, alertId: string | null) => void;
  /** Brute-force guard (per source IP and per device id); none means unlimited. */
  limiter?: AuthLimiter;
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export function installDeviceHooks(broker: Aedes, deps: HookDeps): void {
  const { directory, sink, log, now } = deps;

  broker.preConnect = (client, packet, done) => {
    // mqtt-packet accepts "MQIsdp" with level 4 (and "MQTT" with level 3): refuse the mismatch.
    // Unknown levels fall through to aedes, which answers CONNACK 0x01.
    if ((packet.protocolId === 'MQIsdp') !== (packet.protocolVersion === 3)) {
      log.warn({ clientId: packet.clientId, protocol: packet.protocolId, level: packet.protocolVersion }, 'refused: protocol name does not match its level');
      return done(authError('protocol name does not match the protocol level', 1), false);
    }
    const will = packet.will;
    if (will && packet.username && will.topic !== topics.state(packet.username)) {
      log.warn({ clientId: packet.clientId, willTopic: will.topic }, 'refused: Will on a foreign topic');
      return done(authError('Will topic must be the device\'s own state topic', 5), false);
    }
    done(null, true);
  };

  broker.authenticate = (client, username, password, done) => {
    const source = (client.conn as { remoteAddress?: string }).remoteAddress ?? 'unknown';
    const account = String(username ?? '').slice(0, 64);
    const limit = deps.limiter?.check(source, account);
    if (limit && !limit.ok) {
      log.warn({ source, deviceId: account, reason: limit.reason, retryAfterMs: limit.retryAfterMs }, 'device refused: too many failed logins');
      return done(authError('too many failed logins: try later', 5), false);
    }
    const problem = checkIdentity(client.id, username);
    if (problem) {
      log.warn({ clientId: client.id, username, reason: problem }, 'device refused');
      deps.limiter?.failure(source, account);
      return done(authError(problem, problem.startsWith('client id') ? 2 : 4), false);
    }
    directory.verifySecret(username!, password ?? Buffer.alloc(0)).then(
      (ok) => {
        if (!ok) {
          log.warn({ deviceId: username, source }, 'device refused: bad credentials');
          deps.limiter?.failure(source, account);
          return done(authError('bad device id or secret', 4), false);
        }
        deps.limiter?.success(source, account);
        done(null, true);
      },
      (err: Error) => {
        log.error({ err, deviceId: username }, 'device directory failed');
        done(authError('hub unavailable', 3), false);
      },
    );
  };

  broker.authorizeSubscribe = (client: Client, sub: Subscription, done) => {
    if (checkSubscribe(client.id, sub.topic)) return done(null, sub);
    log.warn({ deviceId: client.id, filter: sub.topic }, 'subscription refused');
    done(null, null); // SUBACK 0x80 for this filter, connection stays up
  };

  broker.authorizePublish = (client: Client | null, packet: PublishPacket, done) => {
    if (!client) {
      // aedes re-publishing a stored Will with no live client: only a device's offline state.
      if (!packet.topic.endsWith('/state')) return done(new Error('orphan publish refused'));
      packet.retain = false;
      return done(null);
    }
    const verdict = checkPublish(client.id, packet.topic, packet.retain);
    if (!verdict.ok) {
      log.warn({ deviceId: client.id, topic: packet.topic, reason: verdict.reason }, 'publish refused');
      return done(new Error(verdict.reason));
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const at = now();
    switch (verdict.channel) {
      case 'up/event':
        return ingestEvent(client.id, payload, at, done);
      case 'up/heartbeat': {
        const hb = decodeHeartbeat(payload);
        if (!hb.ok) log.warn({ deviceId: client.id, reason: hb.reason }, 'unreadable heartbeat (counted as seen)');
        sink.observe({ kind: 'heartbeat', deviceId: client.id, at, data: hb.ok ? hb.value : {} });
        return done(null);
      }
      case 'state': {
        const st = decodeState(payload);
        if (!st.ok) return done(new Error(st.reason));
        // Not kept as a retained message: only the hub reads state topics (devices may subscribe to
        // nothing but their own down/ topics), and aedes matches every new subscription against every
        // retained message, so one per device made a reconnect storm quadratic (issue 6 profile).
        packet.retain = false;
        sink.observe({ kind: 'presence', deviceId: client.id, online: st.value === 'online', at, cause: 'state topic' });
        return done(null);
      }
    }
  };

  function ingestEvent(deviceId: string, payload: Buffer, at: number, done: (err?: Error | null) => void): void {
    const dec = decodeEvent(payload);
    const input = dec.ok
      ? { kind: 'device-event' as const, deviceId, seq: dec.value.seq, type: dec.value.type, deviceTs: dec.value.ts, receivedAt: at, via: 'mqtt' }
      : { kind: 'unreadable-event' as const, deviceId, seq: salvageSeq(payload), reason: dec.reason, raw: payload.subarray(0, 256).toString('utf8'), receivedAt: at, via: 'mqtt' };
    if (!dec.ok) log.warn({ deviceId, reason: dec.reason }, 'unreadable event from device: raising an alert');
    sink.commitEvent(input).then(
      (res) => {
        done(null); // aedes now writes the PUBACK: the event is already committed
        if (input.seq !== null) deps.sendAck(deviceId, input.seq, res.alertId);
      },
      (err: Error) => {
        // No PUBACK and no ack: the device keeps re-sending until the store takes it.
        log.error({ err, deviceId }, 'storage fault: event not committed, not acknowledged');
        done(new Error('storage fault'));
      },
    );
  }
}
