/**
 * Device presence: online/offline and last seen. Heartbeats are frequent, so observations
 * are batched and written once a second in one transaction. Offline detection for missed
 * heartbeats runs from the store (see the health sweep), not from broker memory.
 */
import type { Logger } from 'pino';
import type { HubEvent } from '../../gateway/events.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';

type Obs = { id: string; at: number; online: boolean | null; battery?: number; rssi?: number; fw?: string };

export class PresenceTracker {
  private pending = new Map<string, Obs>();
  private timer: unknown = null;
  private listeners: ((deviceId: string, online: boolean, at: number) => void)[] = [];

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly log: Logger, private readonly flushMs = 1000) {}

  onChange(fn: (deviceId: string, online: boolean, at: number) => void): void {
    this.listeners.push(fn);
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

  flush(): void {
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    try {
      // Deferred durability: a presence write lost with the machine is redone by the next heartbeat.
      this.store.txDeferred(() => this.store.devices.applySeen(batch));
    } catch (err) {
      this.log.error({ err, devices: batch.length }, 'could not store presence; will retry');
      for (const b of batch) if (!this.pending.has(b.id)) this.pending.set(b.id, b);
      this.timer = this.clock.setTimeout(() => this.flush(), this.flushMs * 5);
    }
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.flush();
  }
}
