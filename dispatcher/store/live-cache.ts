/**
 * In-memory copies of what the alarm path reads on every press: open alerts by id and by
 * (device, kind, reason), their live timelines, and each device's highest event seq.
 *
 * Written through by AlertRepo, the only writer of those tables in the hub process (one
 * process owns the database file). Anything written inside a transaction that rolls back
 * may be wrong here, so Store.tx drops the whole cache on any rollback; it refills from
 * the database on the next reads. Open alerts handed out from here are frozen: a caller that
 * tried to change one in place would corrupt every later read, and now throws instead.
 *
 * Why: before this, each press ran about twelve statements; the profile of benchmark 1
 * (issue 6) showed statement execution as the largest share of the hub's CPU.
 */
import type { AlertRow, TimelineEntry } from './alert-repo.ts';

/** Beyond these sizes a map is cleared and refills: memory stays bounded on a hub with many alerts or devices. */
const MAX_ALERTS = 20_000;
const MAX_DEVICES = 200_000;

export const isOpenState = (s: string): boolean => s === 'raised' || s === 'accepted' || s === 'on_site' || s === 'cancelled';

export class LiveCache {
  private readonly alerts = new Map<string, Readonly<AlertRow>>();
  /** `${deviceId}\0${kind}\0${reason}` → id of the open alert, or null when there is none. */
  private readonly openByDevice = new Map<string, string | null>();
  private readonly timelines = new Map<string, TimelineEntry[]>();
  private readonly maxSeq = new Map<string, number | null>();

  static deviceKey(deviceId: string, kind: string, reason: string): string {
    return `${deviceId}\0${kind}\0${reason}`;
  }

  alert(id: string): Readonly<AlertRow> | undefined {
    return this.alerts.get(id);
  }

  /** Caches an open alert; forgets a closed one (and its timeline). */
  putAlert(a: AlertRow): Readonly<AlertRow> {
    if (!isOpenState(a.state)) {
      this.alerts.delete(a.id);
      this.timelines.delete(a.id);
      if (a.deviceId !== null) this.openByDevice.delete(LiveCache.deviceKey(a.deviceId, a.kind, a.reason));
      return a;
    }
    if (this.alerts.size >= MAX_ALERTS) this.alerts.clear();
    const row = Object.freeze({ ...a });
    this.alerts.set(a.id, row);
    return row;
  }

  /** undefined: not known; null: known to have no open alert. */
  openFor(key: string): string | null | undefined {
    return this.openByDevice.get(key);
  }

  setOpenFor(key: string, id: string | null): void {
    if (this.openByDevice.size >= MAX_DEVICES) this.openByDevice.clear();
    this.openByDevice.set(key, id);
  }

  forgetOpenFor(key: string): void {
    this.openByDevice.delete(key);
  }

  timeline(alertId: string): TimelineEntry[] | undefined {
    return this.timelines.get(alertId);
  }

  setTimeline(alertId: string, entries: TimelineEntry[]): void {
    if (this.timelines.size >= MAX_ALERTS) this.timelines.clear();
    this.timelines.set(alertId, entries);
  }

  /** A new timeline event (repeat presses are not logged: see AlertRepo.timeline). */
  appendTimeline(alertId: string, e: TimelineEntry): void {
    this.timelines.get(alertId)?.push(e);
  }

  /** undefined: not known; null: the device has no event with a seq. */
  maxSeqOf(deviceId: string): number | null | undefined {
    return this.maxSeq.get(deviceId);
  }

  setMaxSeq(deviceId: string, seq: number | null): void {
    if (this.maxSeq.size >= MAX_DEVICES) this.maxSeq.clear();
    this.maxSeq.set(deviceId, seq);
  }

  /** A device event with this seq was written: raises the known maximum (unknown stays unknown). */
  noteSeq(deviceId: string, seq: number): void {
    const m = this.maxSeq.get(deviceId);
    if (m === undefined) return;
    if (m === null || seq > m) this.maxSeq.set(deviceId, seq);
  }

  clear(): void {
    this.alerts.clear();
    this.openByDevice.clear();
    this.timelines.clear();
    this.maxSeq.clear();
  }
}
