/**
 * The embedded MQTT broker that faces devices: aedes on a TCP server, with explicit limits
 * (packet size, connect timeout, not-yet-authenticated connections) and presence events.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { GuardedConnection } from './frame-guard.ts';
import { installDeviceHooks } from './device-hooks.ts';
import { topics, type AckPayload, type NotifyPayload } from './protocol.ts';
import type { DeviceDirectory, HubCommand, HubSink } from './events.ts';
import { listenOrExplain } from './listen.ts';

export interface BrokerOptions {
  host: string;
  port: number;
  /** Largest MQTT packet (remaining length) a device may send. */
  maxPacketBytes: number;
  connectTimeoutMs: number;
  /** Cap on TCP connections that have not completed CONNECT/auth. */
  maxPendingConnections: number;
  keepaliveLimitS: number;
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
  private pending = 0;
  private readonly sockets = new Set<Socket>();
  boundPort = 0;
  rejectedFrames = 0;

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
    installDeviceHooks(aedes, {
      directory: this.directory,
      sink: this.sink,
      log: this.log,
      now: this.now,
      sendAck: (deviceId, seq, alertId) => this.publish(topics.ack(deviceId), { seq, alertId } satisfies AckPayload),
    });
    aedes.on('clientReady', (client) => {
      (client.conn as GuardedConnection & { authed?: boolean }).authed = true;
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
    const conn = new GuardedConnection(socket, this.opts.maxPacketBytes, (reason) => {
      this.rejectedFrames++;
      this.log.warn({ remote: socket.remoteAddress, reason }, 'MQTT stream rejected');
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (!(conn as GuardedConnection & { authed?: boolean }).authed) this.pending--;
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

  send(cmd: HubCommand): void {
    if (cmd.kind === 'notify') {
      this.publish(topics.notify(cmd.deviceId), { alertId: cmd.alertId, status: cmd.status } satisfies NotifyPayload);
    }
  }

  private publish(topic: string, body: unknown): void {
    if (!this.aedes || this.aedes.closed) return;
    this.aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, retain: false, dup: false },
      (err) => { if (err) this.log.warn({ err, topic }, 'publish to device failed'); },
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.close();
      for (const s of this.sockets) s.destroy();
    }
    const aedes = this.aedes;
    this.aedes = null;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}
