/** Alerts, their append-only timeline, the numbered change feed, and device event de-duplication. */
import type { Db } from './db.ts';
import type { AlertCore, DeadlineKind, Outcome, AlertState } from '../domain/alert-machine.ts';
import { LiveCache, TimelineWindow, VIEW_TIMELINE_MAX, isOpenState, type LiveTimeline } from './live-cache.ts';
import { AlertSaver } from './alert-save.ts';
import { alertRow, newAlertRow, type NewAlert } from './alert-row.ts';
import { OPEN_LISTED, OpenRefPages, type OpenRef } from './open-ref-pages.ts';
import { runToEnd } from '../time-slicer.ts';

export interface AlertRow extends AlertCore {
  id: string;
  reason: string;
  deviceId: string | null;
  householdId: number | null;
  gridId: number;
  gridPath: string;
  isTest: boolean;
  detail: string;
  version: number;
  updatedAt: number;
}
export interface TimelineEntry { at: number; type: string; staffId: number | null; data: Record<string, unknown> }
export type { OpenRef };
export interface ChangeRow { seq: number; alertId: string; gridPath: string; at: number }

const COLS = `id, kind, reason, device_id AS deviceId, household_id AS householdId, grid_id AS gridId, grid_path AS gridPath, state, level,
  presses, last_press_at AS lastPressAt, is_test AS isTest, detail, raised_at AS raisedAt, accepted_at AS acceptedAt, accepted_by AS acceptedBy, on_site_at AS onSiteAt,
  resolved_at AS resolvedAt, resolved_by AS resolvedBy, cancelled_at AS cancelledAt, outcome, note, deadline_at AS deadlineAt,
  deadline_kind AS deadlineKind, version, updated_at AS updatedAt`;
const OPEN = `state IN ('raised','accepted','on_site','cancelled')`;

type Raw = Omit<AlertRow, 'isTest'> & { isTest: number };
const toRow = (r: Raw): AlertRow => ({ ...r, isTest: r.isTest === 1 });

export class AlertRepo {
  private readonly s;
  /** Open alerts, live timelines and device seqs the alarm path reads on every press (live-cache.ts). */
  readonly live = new LiveCache();
  private readonly saver: AlertSaver;
  /** The open alerts' refs a page at a time (a console's snapshot, /api/alerts). */
  readonly openPages: OpenRefPages;
  constructor(private readonly db: Db) {
    this.saver = new AlertSaver(db);
    this.openPages = new OpenRefPages(db);
    this.s = {
      get: db.prepare(`SELECT ${COLS} FROM alerts WHERE id = ?`),
      // The kind is written into the SQL, not bound: SQLite weighs a bound value against the partial index
      // alerts_technical_open's `kind = 'technical'` and re-prepares the statement at every new binding
      // (the lookup took 205-222 µs of a new call's transaction, 32-34 µs without; test/statement-reprepare.test.ts).
      openCallForDevice: db.prepare(`SELECT ${COLS} FROM alerts WHERE device_id = ? AND kind = 'call' AND reason = ? AND ${OPEN} ORDER BY raised_at DESC LIMIT 1`),
      openTechnicalForDevice: db.prepare(`SELECT ${COLS} FROM alerts WHERE device_id = ? AND kind = 'technical' AND reason = ? AND ${OPEN} ORDER BY raised_at DESC LIMIT 1`),
      openCount: db.prepare(`SELECT count(*) AS n FROM alerts INDEXED BY alerts_open WHERE ${OPEN_LISTED}`),
      // Through the open alerts (few, and no index to keep up on the alarm path), for an edited household.
      openOfHousehold: db.prepare(`SELECT id FROM alerts INDEXED BY alerts_open WHERE ${OPEN_LISTED} AND household_id = ?`).pluck(),
      // Likewise for a renamed grid node (every open alert at or under it) and a renamed staff member (those naming them).
      openOnPath: db.prepare(`SELECT id, grid_id AS gridId, grid_path AS gridPath, level FROM alerts INDEXED BY alerts_open WHERE ${OPEN_LISTED} AND instr(grid_path, ?) > 0`),
      openNaming: db.prepare(`SELECT id FROM alerts INDEXED BY alerts_open WHERE ${OPEN_LISTED} AND (accepted_by = @staff OR resolved_by = @staff
        OR EXISTS (SELECT 1 FROM alert_events e WHERE e.alert_id = alerts.id AND e.staff_id = @staff))`).pluck(),
      recent: db.prepare(`SELECT ${COLS} FROM alerts INDEXED BY alerts_recent ORDER BY raised_at DESC LIMIT ?`),
      recentIn: db.prepare(`SELECT ${COLS} FROM alerts WHERE grid_path >= ? AND grid_path < ? ORDER BY raised_at DESC LIMIT ?`),
      insert: db.prepare(`INSERT INTO alerts (id, kind, reason, device_id, household_id, grid_id, grid_path, state, level, presses, is_test, detail,
        raised_at, deadline_at, deadline_kind, version, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`),
      event: db.prepare('INSERT INTO alert_events (alert_id, at, type, staff_id, data) VALUES (?, ?, ?, ?, ?)'),
      // Every event but repeat presses, plus the latest repeat press: two index ranges around 'repeat_press' and
      // one lookup, so the cost does not grow with the presses. Since migration 10 a repeat press is no longer
      // logged here (it is a device_events row; the view shows the count from the alert), so only alerts from
      // before it have such rows.
      timeline: db.prepare(`SELECT id, at, type, staff_id AS staffId, data FROM alert_events INDEXED BY alert_events_type WHERE alert_id = @id AND type < 'repeat_press'
        UNION ALL SELECT id, at, type, staff_id AS staffId, data FROM alert_events INDEXED BY alert_events_type WHERE alert_id = @id AND type > 'repeat_press'
        UNION ALL SELECT id, at, type, staff_id AS staffId, data FROM alert_events WHERE id = (SELECT max(id) FROM alert_events WHERE alert_id = @id AND type = 'repeat_press')
        ORDER BY id`),
      handedBack: db.prepare(`SELECT DISTINCT coalesce(json_extract(data, '$.heldBy'), staff_id) FROM alert_events INDEXED BY alert_events_type
        WHERE alert_id = ? AND type = 'released'`).pluck(),
      fullTimeline: db.prepare('SELECT at, type, staff_id AS staffId, data FROM alert_events WHERE alert_id = ? ORDER BY id'),
      callPresses: db.prepare(`SELECT received_at AS at FROM device_events WHERE device_id = ? AND alert_id = ? AND type IN ('press', 'fall', 'unreadable')
        ORDER BY received_at, id`),
      change: db.prepare('INSERT INTO changes (alert_id, grid_path, at) VALUES (?, ?, ?)'),
      since: db.prepare('SELECT seq, alert_id AS alertId, grid_path AS gridPath, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?'),
      lastSeq: db.prepare("SELECT coalesce(max(seq), 0) AS seq FROM changes"),
      firstSeq: db.prepare("SELECT coalesce(min(seq), 0) AS seq FROM changes"),
      devEventBySeq: db.prepare('SELECT alert_id AS alertId FROM device_events WHERE device_id = ? AND seq = ?'),
      devMaxSeq: db.prepare('SELECT max(seq) AS m FROM device_events WHERE device_id = ?'),
      devEvent: db.prepare('INSERT INTO device_events (device_id, seq, type, device_ts, received_at, via, alert_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      nextDeadline: db.prepare(`SELECT min(deadline_at) AS at FROM alerts WHERE deadline_at IS NOT NULL AND ${OPEN}`),
      pruneChanges: db.prepare('DELETE FROM changes WHERE seq IN (SELECT seq FROM changes WHERE at < ? ORDER BY at LIMIT ?)'),
      due: db.prepare(`SELECT id FROM alerts WHERE deadline_at IS NOT NULL AND deadline_at <= ? AND ${OPEN} ORDER BY deadline_at LIMIT ?`),
    };
  }

  get(id: string): AlertRow | undefined {
    const hit = this.live.alert(id);
    if (hit) return hit;
    const r = this.s.get.get(id) as Raw | undefined;
    if (!r) return undefined;
    const row = toRow(r);
    // Only open alerts are kept; reading a closed one (history, exports) leaves the copies alone.
    return isOpenState(row.state) ? this.live.putAlert(row) : row;
  }

  openForDevice(deviceId: string, kind: 'call' | 'technical', reason: string): AlertRow | undefined {
    const key = LiveCache.deviceKey(deviceId, kind, reason);
    const known = this.live.openFor(key);
    if (known === null) return undefined;
    if (known !== undefined) {
      const a = this.get(known);
      if (a && isOpenState(a.state)) return a;
    }
    const r = (kind === 'call' ? this.s.openCallForDevice : this.s.openTechnicalForDevice).get(deviceId, reason) as Raw | undefined;
    this.live.setOpenFor(key, r ? r.id : null);
    return r && this.live.putAlert(toRow(r));
  }

  /** The `limit` most recently raised alerts, hub-wide or (scopePath) in one grid subtree. */
  recent(limit: number, scopePath: string | null = null): AlertRow[] {
    const rows = scopePath === null ? this.s.recent.all(limit) : this.s.recentIn.all(scopePath, `${scopePath}\uffff`, limit);
    return (rows as Raw[]).map(toRow);
  }

  openCount(): number {
    return (this.s.openCount.get() as { n: number }).n;
  }

  /** Every open ref under `scopePath` (null: all) at once, in index order: for tools and tests; the hub reads them in pages (openPages). */
  openRefs(scopePath: string | null = null): OpenRef[] {
    return runToEnd(this.openPages.all(scopePath));
  }

  /** Inserts a new alert and returns it as get() would read it back (kept in memory while open, without reading it back). */
  insert(a: NewAlert): AlertRow {
    // Positional, not a spread of the row into named parameters: a spread of a row took V8's slow path
    // and allocated kilobytes per call on the alarm path (alert-row.ts; bench/README.md, item 72).
    this.s.insert.run(a.id, a.kind, a.reason, a.deviceId, a.householdId, a.gridId, a.gridPath, a.state, a.level, a.presses, a.isTest ? 1 : 0,
      a.detail, a.raisedAt, a.deadlineAt, a.deadlineKind, a.raisedAt);
    this.live.setTimeline(a.id, new TimelineWindow(VIEW_TIMELINE_MAX));
    const row = newAlertRow(a);
    const open = isOpenState(row.state);
    // The device's open alert for the reason is now this one (the latest raised, as openForDevice reads it):
    // known here, so the device's next press needs no read of the row back, nor a second copy of its strings.
    if (a.deviceId !== null) {
      const key = LiveCache.deviceKey(a.deviceId, a.kind, a.reason);
      if (open) this.live.setOpenFor(key, a.id);
      else this.live.forgetOpenFor(key);
    }
    return open ? this.live.putAlert(row) : row;
  }

  /** Optimistic save: false when someone else changed the alert since `a.version`. With `prev`, writes only what changed. */
  save(a: AlertRow, now: number, prev?: AlertRow): boolean {
    if (!this.saver.save(a, now, prev)) return false;
    this.live.putAlert(alertRow(a, a, a.version + 1, now));
    return true;
  }

  /** The ids of a household's open alerts. */
  openIdsOfHousehold(householdId: number): string[] {
    return this.s.openOfHousehold.all(householdId) as string[];
  }

  /** The open alerts raised at or under a grid node, with where each was raised and the level it is at. */
  openUnder(nodeId: number): { id: string; gridId: number; gridPath: string; level: number }[] {
    return this.s.openOnPath.all(`/${nodeId}/`) as { id: string; gridId: number; gridPath: string; level: number }[];
  }

  /** The ids of the open alerts whose record names a staff member (accepted, resolved, or an entry of theirs). */
  openIdsNaming(staffId: number): string[] {
    return this.s.openNaming.all({ staff: staffId }) as string[];
  }

  appendEvent(alertId: string, at: number, type: string, staffId: number | null, data: Record<string, unknown> = {}): void {
    const json = JSON.stringify(data);
    this.s.event.run(alertId, at, type, staffId, json);
    this.live.appendTimeline(alertId, { at, type, staffId, data: JSON.parse(json) as Record<string, unknown> });
  }

  /** Whoever held the call each time it was handed back (its 'released' entries): they cannot go. */
  handedBackBy(alertId: string): number[] {
    return (this.s.handedBack.all(alertId) as (number | null)[]).filter((id): id is number => id !== null);
  }

  /** Every logged event but repeat presses (the latest of those from before migration 10 excepted), oldest first. */
  timeline(alertId: string): TimelineEntry[] {
    return (this.s.timeline.all({ id: alertId }) as { at: number; type: string; staffId: number | null; data: string }[])
      .map((e) => ({ at: e.at, type: e.type, staffId: e.staffId, data: JSON.parse(e.data) as Record<string, unknown> }));
  }

  /** What the live view shows of the timeline (live-cache.ts), kept in memory while the alert is open. */
  liveTimeline(alertId: string): LiveTimeline {
    const hit = this.live.timeline(alertId);
    if (hit) return hit;
    const w = new TimelineWindow(VIEW_TIMELINE_MAX, this.timeline(alertId));
    if (this.live.alert(alertId)) this.live.setTimeline(alertId, w);
    return w.snapshot();
  }

  /**
   * Every event of the alert, each repeat press included (for the timeline export). Repeat presses
   * come from device_events (every press after the first that raised the call); alerts from before
   * migration 10 also have them in alert_events, and those are not counted twice.
   */
  fullTimeline(a: AlertRow): TimelineEntry[] {
    const logged = (this.s.fullTimeline.all(a.id) as { at: number; type: string; staffId: number | null; data: string }[])
      .map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
    if (a.kind !== 'call' || a.deviceId === null) return logged;
    const already = new Map<number, number>();
    for (const e of logged) if (e.type === 'repeat_press') already.set(e.at, (already.get(e.at) ?? 0) + 1);
    const presses = (this.s.callPresses.all(a.deviceId, a.id) as { at: number }[]).slice(1);
    const derived: TimelineEntry[] = [];
    presses.forEach((p, i) => {
      const n = already.get(p.at) ?? 0;
      if (n > 0) already.set(p.at, n - 1);
      else derived.push({ at: p.at, type: 'repeat_press', staffId: null, data: { presses: i + 2 } });
    });
    if (derived.length === 0) return logged;
    // Merged by time; at equal times the logged event first (a press never precedes what it follows).
    const out: TimelineEntry[] = [];
    let j = 0;
    for (const e of logged) {
      while (j < derived.length && derived[j].at < e.at) out.push(derived[j++]);
      out.push(e);
    }
    return out.concat(derived.slice(j));
  }

  recordChange(alertId: string, gridPath: string, at: number): number {
    return Number(this.s.change.run(alertId, gridPath, at).lastInsertRowid);
  }

  changesSince(seq: number, limit: number): ChangeRow[] {
    return this.s.since.all(seq, limit) as ChangeRow[];
  }

  lastChangeSeq(): number {
    return (this.s.lastSeq.get() as { seq: number }).seq;
  }

  firstChangeSeq(): number {
    return (this.s.firstSeq.get() as { seq: number }).seq;
  }

  /** Deletes up to `limit` change rows older than `before`, oldest first; returns how many. */
  pruneChanges(before: number, limit: number): number {
    return this.s.pruneChanges.run(before, limit).changes;
  }

  /** The stored event with this (device, seq), if any. A seq above the device's highest needs no lookup. */
  deviceEventAlert(deviceId: string, seq: number): { alertId: string | null } | undefined {
    let max = this.live.maxSeqOf(deviceId);
    if (max === undefined) {
      max = (this.s.devMaxSeq.get(deviceId) as { m: number | null }).m;
      this.live.setMaxSeq(deviceId, max);
    }
    if (max === null || seq > max) return undefined;
    return this.s.devEventBySeq.get(deviceId, seq) as { alertId: string | null } | undefined;
  }

  insertDeviceEvent(e: { deviceId: string; seq: number | null; type: string; deviceTs: number | null; receivedAt: number; via: string; alertId: string | null; detail: string | null }): void {
    this.s.devEvent.run(e.deviceId, e.seq, e.type, e.deviceTs, e.receivedAt, e.via, e.alertId, e.detail);
    if (e.seq !== null) this.live.noteSeq(e.deviceId, e.seq);
  }

  nextDeadline(): number | null {
    return (this.s.nextDeadline.get() as { at: number | null }).at;
  }

  /** The ids of up to `limit` open alerts whose deadline is at or before `now`, earliest first. */
  dueIds(now: number, limit: number): string[] {
    return (this.s.due.all(now, limit) as { id: string }[]).map((r) => r.id);
  }
}

export type { DeadlineKind, Outcome, AlertState };
