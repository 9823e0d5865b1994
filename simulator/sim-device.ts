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
  /** Reconnect as real devices do: exponential backoff with jitter (replaces reconnectMs). */
  backoff?: { baseMs: number; maxMs: number };
  /** Spread heartbeats: each interval is heartbeatMs × (1 ± jitter), the first one random. */
  heartbeatJitter?: number;
}

export interface PressResult { seq: number; alertId: string | null; rttMs: number; sends: number }

export class SimDevice extends EventEmitter {
  client: MqttClient | null = null;
  private seq: number;
  private readonly waiting = new Map<number, { resolve: (r: PressResult) => void; started: number; sends: number; timer: NodeJS.Timeout; payload: Buffer }>();
  private hbTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private blockedUntil = 0;
  private closing = false;
  /** Connections made (the first plus every reconnect). */
  connects = 0;
  readonly notifications: NotifyPayload[] = [];

  constructor(readonly opts: SimDeviceOptions) {
    super();
    this.seq = opts.firstSeq ?? Date.now() % 1_000_000_000;
  }

  connect(): Promise<void> {
    const { id, secret, url } = this.opts;
    const client = mqtt.connect(url, {
      clientId: id, username: id, password: secret, clean: true, keepalive: 60, protocolVersion: 4,
      reconnectPeriod: this.opts.backoff ? 0 : this.opts.reconnectMs ?? 1000, connectTimeout: 10_000,
      will: { topic: topics.state(id), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (topic, payload) => this.downlink(topic, payload));
    client.on('connect', () => {
      client.publish(topics.state(id), 'online', { qos: 1, retain: true });
      client.subscribe(topics.downAll(id), { qos: 1 });
      this.attempts = 0;
      this.connects++;
      // A device that comes back re-sends what the hub has not acked yet, at once.
      for (const w of this.waiting.values()) this.publishEvent(w.payload, w);
      this.emit('online');
    });
    client.on('error', (err) => this.emit('mqtt-error', err));
    if (this.opts.backoff) client.on('close', () => { this.emit('offline'); this.scheduleReconnect(); });
    if (this.opts.heartbeatMs) this.scheduleHeartbeat(true);
    return new Promise((resolve, reject) => {
      const onErr = (err: Error & { code?: unknown }) => {
        if (this.opts.backoff && typeof err.code !== 'number') return; // network trouble: keep trying
        client.off('connect', onOk);
        this.closing = true;
        client.end(true);
        reject(err);
      };
      const onOk = () => { client.off('error', onErr); resolve(); };
      client.once('connect', onOk);
      client.on('error', onErr);
    });
  }

  get connected(): boolean {
    return !!this.client?.connected;
  }

  pendingCount(): number {
    return this.waiting.size;
  }

  /** Cuts the link (as a network fault would) and stays away for `forMs` (needs `backoff`). */
  dropLink(forMs: number): void {
    this.blockedUntil = Date.now() + forMs;
    this.client?.stream?.destroy();
  }

  private scheduleReconnect(): void {
    const b = this.opts.backoff;
    if (!b || this.closing || this.retryTimer || !this.client) return;
    const step = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(this.attempts++, 16));
    const delay = Math.max(step / 2 + Math.random() * step / 2, this.blockedUntil - Date.now());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closing && this.client && !this.client.connected) this.client.reconnect();
    }, delay);
  }

  private scheduleHeartbeat(first = false): void {
    const base = this.opts.heartbeatMs!;
    const j = this.opts.heartbeatJitter ?? 0;
    const ms = first && j > 0 ? Math.random() * base : base * (1 + (Math.random() * 2 - 1) * j);
    this.hbTimer = setTimeout(() => {
      if (this.client?.connected) this.heartbeat();
      if (!this.closing) this.scheduleHeartbeat();
    }, ms);
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
      const entry = { resolve, started, sends: 0, payload, timer: setInterval(() => this.publishEvent(payload, entry), this.opts.resendMs ?? 3000) };
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
    this.closing = true;
    if (this.hbTimer) clearTimeout(this.hbTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const w of this.waiting.values()) clearInterval(w.timer);
    this.waiting.clear();
    const c = this.client;
    this.client = null;
    if (!c) return;
    if (graceful && c.connected) c.publish(topics.state(this.opts.id), 'offline', { qos: 1, retain: true });
    await c.endAsync(!graceful);
  }
}
