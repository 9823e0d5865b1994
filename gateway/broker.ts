/**
 * The embedded MQTT broker that faces devices: aedes on a TCP server, with explicit limits
 * (packet size, connect timeout, not-yet-authenticated connections) and presence events.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { guardSocket } from './frame-guard.ts';
import { installDeviceHooks } from './device-hooks.ts';
import { topics, type NotifyPayload } from './protocol.ts';
import type { AuthLimiter, DeviceDirectory, HubCommand, HubSink } from './events.ts';
import { listenOrExplain } from './listen.ts';
import { Outbox } from './outbox.ts';
import { publishFrameQos0 } from './publish-frame.ts';
import { downFilters } from './acl.ts';
import { skipUnreadEventForwards } from './event-forward.ts';

/** A device whose connection holds more unsent bytes than this is not reading: its acks are dropped (it re-sends). */
const ACK_BACKLOG_BYTES = 64 * 1024;

interface LiveClient { connected?: boolean; conn: { writableLength: number; write(b: Buffer): boolean }; subscriptions: Record<string, unknown> }

/** A connected device's ack topic, encoded once, and the filters that deliver it (acl.ts downFilters). */
interface AckRoute { topic: Buffer; filters: [string, string, string] }
const ackRoute = (deviceId: string): AckRoute => ({ topic: Buffer.from(topics.ack(deviceId)), filters: downFilters(deviceId, 'ack') });

export interface BrokerOptions {
  host: string;
  port: number;
  /** Largest MQTT packet (remaining length) a device may send. */
  maxPacketBytes: number;
  connectTimeoutMs: number;
  /** Cap on TCP connections that have not completed CONNECT/auth. */
  maxPendingConnections: number;
  keepaliveLimitS: number;
  /** Brute-force guard for device logins (per source IP and per device id). */
  limiter?: AuthLimiter;
  /** A second listener for MQTT over TLS (same limits and hooks). */
  tls?: { port: number; cert: Buffer; key: Buffer };
}

export const DEFAULT_BROKER_LIMITS = {
  maxPacketBytes: 4096,
  connectTimeoutMs: 10_000,
  maxPendingConnections: 2000,
  keepaliveLimitS: 1200,
};

export class DeviceBroker {
  private aedes: Aedes | null = null;
  private server: Server | null = null;
  private tlsServer: Server | null = null;
  private pending = 0;
  private readonly sockets = new Set<Socket>();
  boundPort = 0;
  boundTlsPort = 0;
  rejectedFrames = 0;
  /** Acks not written because the device had stopped reading. */
  acksDropped = 0;
  /** Per connection (aedes client): what sendAck needs of its device, made at its first ack. */
  private readonly ackRoutes = new WeakMap<object, AckRoute>();
  /** Paces hub → device publishes (see outbox.ts). */
  readonly outbox = new Outbox((topic, payload, qos, done) => this.publishNow(topic, payload, qos, done));

  constructor(
    private readonly opts: BrokerOptions,
    private readonly directory: DeviceDirectory,
    private readonly sink: HubSink,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  async start(): Promise<number> {
    const aedes = new Aedes({
      connectTimeout: this.opts.connectTimeoutMs,
      keepaliveLimit: this.opts.keepaliveLimitS,
      maxClientsIdLength: 64,
      drainTimeout: 30_000,
      heartbeatInterval: 60_000,
      concurrency: 1000,
    });
    await aedes.listen();
    this.aedes = aedes;
    skipUnreadEventForwards(aedes);
    installDeviceHooks(aedes, {
      directory: this.directory,
      sink: this.sink,
      log: this.log,
      now: this.now,
      sendAck: (deviceId, seq, alertId) => this.sendAck(deviceId, seq, alertId),
      limiter: this.opts.limiter,
    });
    aedes.on('clientReady', (client) => {
      Object.assign(client.conn, { authed: true, deviceId: client.id });
      this.pending--;
      this.sink.observe({ kind: 'presence', deviceId: client.id, online: true, at: this.now(), cause: 'connected' });
    });
    aedes.on('clientDisconnect', (client) => {
      // aedes also fires this for a client that was taken over by a newer connection of the same id.
      if (this.isConnected(client.id)) return;
      this.sink.observe({ kind: 'presence', deviceId: client.id, online: false, at: this.now(), cause: 'disconnected' });
    });
    aedes.on('clientError', (client, err) => this.log.debug({ deviceId: client?.id, err: err.message }, 'device connection error'));
    aedes.on('connectionError', (client, err) => this.log.debug({ clientId: client?.id, err: err.message }, 'connection refused'));

    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    this.boundPort = await listenOrExplain(server, this.opts.host, this.opts.port, 'ANXIN_MQTT_PORT', 'MQTT');
    if (this.opts.tls) {
      // The TLS handshake runs before accept(), so a stalled handshake is bounded by the same timeout.
      const tlsServer = createTlsServer({ cert: this.opts.tls.cert, key: this.opts.tls.key, handshakeTimeout: this.opts.connectTimeoutMs }, (s) => this.accept(s));
      // Node emits a handshake timeout here but leaves a silent socket open: close it ourselves.
      tlsServer.on('tlsClientError', (err, s) => { s.destroy(); this.log.debug({ err: err.message }, 'MQTT TLS handshake failed'); });
      this.tlsServer = tlsServer;
      this.boundTlsPort = await listenOrExplain(tlsServer, this.opts.host, this.opts.tls.port, 'ANXIN_MQTT_TLS_PORT', 'MQTT over TLS');
    }
    return this.boundPort;
  }

  private accept(socket: Socket): void {
    if (this.pending >= this.opts.maxPendingConnections) {
      this.log.warn({ remote: socket.remoteAddress }, 'too many unauthenticated connections: dropping');
      socket.destroy();
      return;
    }
    this.pending++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const conn: Socket & { authed?: boolean; deviceId?: string } = guardSocket(socket, this.opts.maxPacketBytes, (reason) => {
      this.rejectedFrames++;
      this.log.warn({ remote: socket.remoteAddress, deviceId: conn.deviceId, reason }, 'MQTT stream rejected');
      // An authenticated device that sent something unreadable is never dropped in silence.
      if (conn.deviceId) {
        this.sink.commitEvent({ kind: 'unreadable-event', deviceId: conn.deviceId, seq: null, reason, raw: '', receivedAt: this.now(), via: 'mqtt' })
          .catch((err: Error) => this.log.error({ err, deviceId: conn.deviceId }, 'could not record an unreadable packet'));
      }
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (!conn.authed) this.pending--;
    });
    this.aedes!.handle(conn);
  }

  isConnected(deviceId: string): boolean {
    const clients = (this.aedes as unknown as { clients: Record<string, { connected?: boolean }> } | null)?.clients;
    return !!clients && Object.prototype.hasOwnProperty.call(clients, deviceId);
  }

  /** Closes a device's live connection (e.g. when it is revoked). */
  disconnect(deviceId: string): void {
    const clients = (this.aedes as unknown as { clients: Record<string, { close(): void }> } | null)?.clients;
    if (clients && Object.prototype.hasOwnProperty.call(clients, deviceId)) clients[deviceId].close();
  }

  /**
   * down/ack, written straight onto the device's connection in the tick its event became durable,
   * so it leaves in the same write as the broker's PUBACK (issue 6: through aedes' publish path
   * and the outbox it took two more turns of the event loop, a topic match and a second socket
   * write per device). QoS 0: the ack is idempotent and the device's re-send of its event is the
   * retry. Delivered only to a device subscribed to it, as a broker would.
   */
  private sendAck(deviceId: string, seq: number, alertId: string | null): void {
    const clients = (this.aedes as unknown as { clients: Record<string, LiveClient> } | null)?.clients;
    const client = clients && Object.prototype.hasOwnProperty.call(clients, deviceId) ? clients[deviceId] : undefined;
    if (!client?.connected) return; // gone: it re-sends the event when it is back, and is acked then
    let route = this.ackRoutes.get(client);
    if (!route) this.ackRoutes.set(client, route = ackRoute(deviceId));
    // The three filters that deliver down/ack (acl.ts downFilters), looked up, instead of every filter
    // of the connection walked with for-in (aedes keeps them in a dictionary object) at each ack.
    const subs = client.subscriptions;
    const [all, any, ack] = route.filters;
    if (!(all in subs || any in subs || ack in subs)) return;
    if (client.conn.writableLength > ACK_BACKLOG_BYTES) {
      this.acksDropped++;
      return;
    }
    // JSON.stringify({ seq, alertId } satisfies AckPayload), written out: seq is a safe integer (codec.ts).
    client.conn.write(publishFrameQos0(route.topic, `{"seq":${seq},"alertId":${alertId === null ? 'null' : JSON.stringify(alertId)}}`));
  }

  send(cmd: HubCommand): void {
    if (cmd.kind === 'notify') {
      this.publish(topics.notify(cmd.deviceId), { alertId: cmd.alertId, status: cmd.status } satisfies NotifyPayload, 1);
    }
  }

  private publish(topic: string, body: unknown, qos: 0 | 1): void {
    const deviceId = topic.split('/')[3] ?? '';
    this.outbox.push(deviceId, topic, Buffer.from(JSON.stringify(body)), qos);
  }

  private publishNow(topic: string, payload: Buffer, qos: 0 | 1, done: () => void): void {
    if (!this.aedes || this.aedes.closed) return done();
    this.aedes.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => {
      if (err) this.log.warn({ err, topic }, 'publish to device failed');
      done();
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.tlsServer?.close();
    this.tlsServer = null;
    if (server) {
      server.close();
      for (const s of this.sockets) s.destroy();
    }
    const aedes = this.aedes;
    this.aedes = null;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}
