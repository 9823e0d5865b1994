/**
 * Device presence: online/offline and last seen. Heartbeats are frequent, so observations
 * are batched and written once a second, PRESENCE_CHUNK devices per transaction and one
 * transaction per turn of the event loop. Offline detection for missed heartbeats runs from
 * the store (see the health sweep), not from broker memory.
 */
import type { Logger } from 'pino';
import type { HubEvent } from '../../gateway/events.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';

export type Obs = { id: string; at: number; online: boolean | null; battery?: number; rssi?: number; fw?: string };

/**
 * Devices written per transaction. 50,000 devices heart-beating once a minute are 833 a second: in
 * one transaction that held the event loop for 6 ms every second (1.7 ms for 10,000 devices; bench
 * README item 37), and a press arriving meanwhile waited for it. 100 take about 1 ms, 1.2–1.7 ms
 * since last_seen is indexed for the health sweep (item 41).
 */
export const PRESENCE_CHUNK = 100;

export class PresenceTracker {
  private pending = new Map<string, Obs>();
  /** Taken from `pending` by a flush and not yet written: the rest of its chunks, in order. */
  private writing: Obs[] = [];
  private timer: unknown = null;
  private listeners: ((deviceId: string, online: boolean, at: number) => void)[] = [];
  private written: ((batch: readonly Readonly<Obs>[]) => void)[] = [];

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly log: Logger, private readonly flushMs = 1000) {}

  onChange(fn: (deviceId: string, online: boolean, at: number) => void): void {
    this.listeners.push(fn);
  }

  /** Told of each chunk of observations once it is in the store (the health sweep acts on a low battery from it). */
  onWritten(fn: (batch: readonly Readonly<Obs>[]) => void): void {
    this.written.push(fn);
  }

  observe(e: Extract<HubEvent, { kind: 'heartbeat' | 'presence' }>): void {
    const prev = this.pending.get(e.deviceId);
    const o: Obs = { ...(prev ?? {}), id: e.deviceId, at: Math.max(prev?.at ?? 0, e.at), online: prev?.online ?? null };
    if (e.kind === 'heartbeat') {
      o.online = true;
      Object.assign(o, e.data);
    } else {
      o.online = e.online;
      for (const l of this.listeners) l(e.deviceId, e.online, e.at);
    }
    this.pending.set(e.deviceId, o);
    if (this.timer === null) this.timer = this.clock.setTimeout(() => this.flush(), this.flushMs);
  }

  /**
   * A device event arrived: the device was heard. Written with the next flush, as a heartbeat is,
   * not in the event's own commit (issue 6: an UPDATE of the devices table in every group commit
   * was 2.4 % of the hub's time at full ingest, and dirtied a devices page per commit). A disconnect
   * observed before this keeps the device offline: the event was received before it.
   */
  heard(deviceId: string, at: number): void {
    const o = this.pending.get(deviceId);
    if (o) o.at = Math.max(o.at, at);
    else this.pending.set(deviceId, { id: deviceId, at, online: true });
    if (this.timer === null) this.timer = this.clock.setTimeout(() => this.flush(), this.flushMs);
  }

  /**
   * Writes what was observed: the first chunk now, the rest one chunk per turn of the event loop. A
   * flush while chunks are still being written waits for them (a newer observation must never be
   * written before an older one of the same device: online/offline is not a maximum).
   */
  flush(): void {
    this.timer = null;
    if (this.writing.length) return this.rearm(this.flushMs);
    if (this.pending.size === 0) return;
    this.writing = [...this.pending.values()];
    this.pending.clear();
    this.writeChunk();
  }

  private writeChunk(): void {
    const chunk = this.writing.splice(0, PRESENCE_CHUNK);
    if (chunk.length === 0) return; // stop() wrote the rest meanwhile
    try {
      // Deferred durability: a presence write lost with the machine is redone by the next heartbeat.
      this.store.txDeferred(() => this.store.devices.applySeen(chunk));
    } catch (err) {
      const back = chunk.concat(this.writing);
      this.writing = [];
      this.log.error({ err, devices: back.length }, 'could not store presence; will retry');
      for (const b of back) if (!this.pending.has(b.id)) this.pending.set(b.id, b);
      return this.rearm(this.flushMs * 5);
    }
    // After the commit: a listener that fails must not make the chunk look unwritten, nor stop the rest.
    for (const fn of this.written) {
      try { fn(chunk); } catch (err) { this.log.error({ err }, 'a presence listener failed'); }
    }
    if (this.writing.length) setImmediate(() => this.writeChunk());
  }

  private rearm(ms: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.flush(), ms);
  }

  /** Writes everything still to write, now (at shutdown). */
  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const rest = this.writing.concat([...this.pending.values()]);
    this.writing = [];
    this.pending.clear();
    if (rest.length === 0) return;
    try {
      this.store.txDeferred(() => this.store.devices.applySeen(rest));
    } catch (err) {
      this.log.error({ err, devices: rest.length }, 'could not store presence at shutdown; the next heartbeats will');
    }
  }
}
