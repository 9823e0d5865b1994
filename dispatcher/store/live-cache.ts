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
import { alertRow } from './alert-row.ts';

/**
 * What the live view needs of a timeline, bounded: the first entry, the latest `keep - 1`, how many
 * were left out between them, and everyone ever notified. A call nobody accepts is re-notified every
 * period, and a whole timeline per open alert grew in memory for as long as it stayed open.
 */
export interface LiveTimeline { entries: TimelineEntry[]; omitted: number; notified: number[] }

/**
 * The most timeline entries the live view carries: the first and the latest 19. A call nobody accepts
 * is re-notified every period, and with every entry in every view the recent-alerts list of a hub
 * whose calls had waited half an hour carried 20,000 entries and held the event loop for 50–100 ms
 * per request (issue 6). The console shows none of them; the export has them all.
 */
export const VIEW_TIMELINE_MAX = 20;

/** Builds or extends a LiveTimeline; `keep` is the most entries it holds. */
export class TimelineWindow {
  private first: TimelineEntry | null = null;
  private readonly recent: TimelineEntry[] = [];
  private omitted = 0;
  private readonly notified = new Set<number>();

  constructor(private readonly keep: number, entries: TimelineEntry[] = []) {
    for (const e of entries) this.push(e);
  }

  push(e: TimelineEntry): void {
    if (Array.isArray(e.data.notified)) for (const s of e.data.notified as number[]) this.notified.add(s);
    if (this.first === null) { this.first = e; return; }
    this.recent.push(e);
    if (this.recent.length > this.keep - 1) { this.recent.shift(); this.omitted++; }
  }

  snapshot(): LiveTimeline {
    return { entries: this.first ? [this.first, ...this.recent] : [], omitted: this.omitted, notified: [...this.notified] };
  }
}

/** Beyond these sizes a map is cleared and refills: memory stays bounded on a hub with many alerts or devices. */
const MAX_ALERTS = 20_000;
const MAX_DEVICES = 200_000;

export const isOpenState = (s: string): boolean => s === 'raised' || s === 'accepted' || s === 'on_site' || s === 'cancelled';

export class LiveCache {
  private readonly alerts = new Map<string, Readonly<AlertRow>>();
  /** `${deviceId}\0${kind}\0${reason}` → id of the open alert, or null when there is none. */
  private readonly openByDevice = new Map<string, string | null>();
  private readonly timelines = new Map<string, TimelineWindow>();
  private readonly maxSeq = new Map<string, number | null>();
  /** An open alert's view as UTF-8 JSON and what it was built from (alert-view.ts alertViewBytes). */
  private readonly views = new Map<string, { stamp: string; json: Buffer }>();

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
      this.views.delete(a.id);
      if (a.deviceId !== null) this.openByDevice.delete(LiveCache.deviceKey(a.deviceId, a.kind, a.reason));
      return a;
    }
    if (this.alerts.size >= MAX_ALERTS) { this.alerts.clear(); this.views.clear(); }
    const row = Object.freeze(alertRow(a));
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

  timeline(alertId: string): LiveTimeline | undefined {
    return this.timelines.get(alertId)?.snapshot();
  }

  setTimeline(alertId: string, w: TimelineWindow): void {
    if (this.timelines.size >= MAX_ALERTS) this.timelines.clear();
    this.timelines.set(alertId, w);
  }

  /** A new timeline event (repeat presses are not logged: see AlertRepo.timeline). */
  appendTimeline(alertId: string, e: TimelineEntry): void {
    this.timelines.get(alertId)?.push(e);
  }

  /** The view built from `stamp` (version and timeline length), if that is the one kept. */
  view(alertId: string, stamp: string): Buffer | undefined {
    const v = this.views.get(alertId);
    return v && v.stamp === stamp ? v.json : undefined;
  }

  /** Keeps an open alert's view (one per alert, the latest built); a closed or unknown alert's is not kept. */
  putView(alertId: string, stamp: string, json: Buffer): void {
    if (this.alerts.has(alertId)) this.views.set(alertId, { stamp, json });
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
    this.views.clear();
  }
}
