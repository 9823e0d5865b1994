/**
 * One simulated call device, as real hardware behaves: connects with its credentials and a
 * Last Will, announces itself online, heart-beats, presses, and re-sends an un-acked event
 * with the same seq every few seconds until the hub acks it.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { EventEmitter } from 'node:events';
import { topics, type DeviceEventType, type NotifyPayload } from '../gateway/protocol.ts';
import { decodeDownlink, encodeEvent, encodeHeartbeat } from './device-codec.ts';

export interface SimDeviceOptions {
  url: string;
  id: string;
  secret: string;
  resendMs?: number;
  heartbeatMs?: number;
  battery?: number;
  firstSeq?: number;
  reconnectMs?: number;
}

export interface PressResult { seq: number; alertId: string | null; rttMs: number; sends: number }

export class SimDevice extends EventEmitter {
  client: MqttClient | null = null;
  private seq: number;
  private readonly waiting = new Map<number, { resolve: (r: PressResult) => void; started: number; sends: number; timer: NodeJS.Timeout }>();
  private hbTimer: NodeJS.Timeout | null = null;
  readonly notifications: NotifyPayload[] = [];

  constructor(readonly opts: SimDeviceOptions) {
    super();
    this.seq = opts.firstSeq ?? Date.now() % 1_000_000_000;
  }

  connect(): Promise<void> {
    const { id, secret, url } = this.opts;
    const client = mqtt.connect(url, {
      clientId: id, username: id, password: secret, clean: true, keepalive: 60, protocolVersion: 4,
      reconnectPeriod: this.opts.reconnectMs ?? 1000, connectTimeout: 10_000,
      will: { topic: topics.state(id), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (topic, payload) => this.downlink(topic, payload));
    client.on('connect', () => {
      client.publish(topics.state(id), 'online', { qos: 1, retain: true });
      client.subscribe(topics.downAll(id), { qos: 1 });
      this.emit('online');
    });
    client.on('error', (err) => this.emit('mqtt-error', err));
    if (this.opts.heartbeatMs) this.hbTimer = setInterval(() => this.heartbeat(), this.opts.heartbeatMs);
    return new Promise((resolve, reject) => {
      const onErr = (err: Error) => { client.end(true); reject(err); };
      client.once('connect', () => { client.off('error', onErr); resolve(); });
      client.once('error', onErr);
    });
  }

  heartbeat(): void {
    this.client?.publish(topics.heartbeat(this.opts.id), encodeHeartbeat({ battery: this.opts.battery ?? 90, rssi: -60, fw: 'sim-1.0' }), { qos: 0 });
  }

  /** Sends an event and resolves when the hub acks its seq, re-sending until then. */
  send(type: DeviceEventType = 'press'): Promise<PressResult> {
    const seq = ++this.seq;
    const payload = encodeEvent(seq, type, Date.now());
    return new Promise((resolve) => {
      const started = performance.now();
      const entry = { resolve, started, sends: 0, timer: setInterval(() => this.publishEvent(payload, entry), this.opts.resendMs ?? 3000) };
      this.waiting.set(seq, entry);
      this.publishEvent(payload, entry);
    });
  }

  /** The same event again with the same seq (what a device does when it missed the ack). */
  resend(seq: number, type: DeviceEventType = 'press'): void {
    this.client?.publish(topics.upEvent(this.opts.id), encodeEvent(seq, type, Date.now()), { qos: 1 });
  }

  lastSeq(): number {
    return this.seq;
  }

  private publishEvent(payload: Buffer, entry: { sends: number }): void {
    entry.sends++;
    if (this.client?.connected) this.client.publish(topics.upEvent(this.opts.id), payload, { qos: 1 });
  }

  private downlink(topic: string, payload: Buffer): void {
    const d = decodeDownlink(topic, payload);
    if (d.kind === 'ack') {
      const w = this.waiting.get(d.ack.seq);
      this.emit('ack', d.ack);
      if (w) {
        clearInterval(w.timer);
        this.waiting.delete(d.ack.seq);
        w.resolve({ seq: d.ack.seq, alertId: d.ack.alertId, rttMs: performance.now() - w.started, sends: w.sends });
      }
    } else if (d.kind === 'notify') {
      this.notifications.push(d.notify);
      this.emit('notify', d.notify);
    } else {
      this.emit('unknown', d);
    }
  }

  /** Waits for a notify with this status (for an alert, if given). */
  waitForNotify(status: NotifyPayload['status'], alertId?: string, timeoutMs = 5000): Promise<NotifyPayload> {
    const hit = this.notifications.find((n) => n.status === status && (!alertId || n.alertId === alertId));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.off('notify', on); reject(new Error(`${this.opts.id}: no notify ${status} within ${timeoutMs} ms`)); }, timeoutMs);
      const on = (n: NotifyPayload) => {
        if (n.status === status && (!alertId || n.alertId === alertId)) { clearTimeout(timer); this.off('notify', on); resolve(n); }
      };
      this.on('notify', on);
    });
  }

  async close(graceful = true): Promise<void> {
    if (this.hbTimer) clearInterval(this.hbTimer);
    for (const w of this.waiting.values()) clearInterval(w.timer);
    this.waiting.clear();
    const c = this.client;
    this.client = null;
    if (!c) return;
    if (graceful && c.connected) c.publish(topics.state(this.opts.id), 'offline', { qos: 1, retain: true });
    await c.endAsync(!graceful);
  }
}
