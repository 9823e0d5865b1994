/** Duty rosters: weekly shifts and one-off overrides per grid node. */
import type { Db } from './db.ts';
import type { Override, Shift } from '../domain/roster.ts';

export interface ShiftRow extends Shift { id: number; nodeId: number }
export interface OverrideRow extends Override { id: number; nodeId: number }

/** A node's roster as last read: its shifts, and its overrides that had not ended at `loadedAt`. */
interface NodeRoster { shifts: ShiftRow[]; overrides: OverrideRow[]; loadedAt: number }

export class RosterRepo {
  private readonly shiftsStmt;
  private readonly overridesStmt;
  /** Prepared once: an import writes thousands of shifts. */
  private readonly addShiftStmt;
  private readonly removeShiftStmt;
  /**
   * Rosters by node, read for every level a call is placed at (three or four per call raised; issue 6,
   * benchmark 2). This repository is the only writer of the roster tables in the hub process: each
   * write drops its node, and a rollback drops them all (Store.forgetCaches).
   */
  private readonly cache = new Map<number, NodeRoster>();
  constructor(private readonly db: Db) {
    this.shiftsStmt = db.prepare('SELECT id, node_id AS nodeId, staff_id AS staffId, weekdays, start_min AS startMin, end_min AS endMin FROM roster_shifts WHERE node_id = ? ORDER BY id');
    this.addShiftStmt = db.prepare('INSERT INTO roster_shifts (node_id, staff_id, weekdays, start_min, end_min) VALUES (?, ?, ?, ?, ?)');
    this.removeShiftStmt = db.prepare('DELETE FROM roster_shifts WHERE id = ? AND node_id = ?');
    this.overridesStmt = db.prepare('SELECT id, node_id AS nodeId, staff_id AS staffId, starts_at AS startsAt, ends_at AS endsAt, on_duty AS onDuty FROM roster_overrides WHERE node_id = ? AND ends_at > ? ORDER BY starts_at');
  }

  addShift(nodeId: number, s: Shift): number {
    this.cache.delete(nodeId);
    return Number(this.addShiftStmt.run(nodeId, s.staffId, s.weekdays, s.startMin, s.endMin).lastInsertRowid);
  }

  addOverride(nodeId: number, o: Override): number {
    this.cache.delete(nodeId);
    return Number(this.db.prepare('INSERT INTO roster_overrides (node_id, staff_id, starts_at, ends_at, on_duty) VALUES (?, ?, ?, ?, ?)')
      .run(nodeId, o.staffId, o.startsAt, o.endsAt, o.onDuty ? 1 : 0).lastInsertRowid);
  }

  removeShift(nodeId: number, id: number): boolean {
    this.cache.delete(nodeId);
    return this.removeShiftStmt.run(id, nodeId).changes > 0;
  }

  removeOverride(nodeId: number, id: number): boolean {
    this.cache.delete(nodeId);
    return this.db.prepare('DELETE FROM roster_overrides WHERE id = ? AND node_id = ?').run(id, nodeId).changes > 0;
  }

  /** Every weekly shift of every node, by node, in the order they were added (the staff sheet). */
  allShifts(): ShiftRow[] {
    return this.db.prepare('SELECT id, node_id AS nodeId, staff_id AS staffId, weekdays, start_min AS startMin, end_min AS endMin FROM roster_shifts ORDER BY node_id, id').all() as ShiftRow[];
  }

  shifts(nodeId: number): ShiftRow[] {
    return this.shiftsStmt.all(nodeId) as ShiftRow[];
  }

  overrides(nodeId: number, after: number): OverrideRow[] {
    return (this.overridesStmt.all(nodeId, after) as (Omit<OverrideRow, 'onDuty'> & { onDuty: number })[]).map((o) => ({ ...o, onDuty: o.onDuty === 1 }));
  }

  /** The node's shifts and its overrides not ended at `at`, from memory when possible. Read-only: do not change them. */
  current(nodeId: number, at: number): { shifts: readonly ShiftRow[]; overrides: readonly OverrideRow[] } {
    let r = this.cache.get(nodeId);
    if (!r || at < r.loadedAt) {
      r = { shifts: this.shifts(nodeId), overrides: this.overrides(nodeId, at), loadedAt: at };
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(nodeId, r);
    }
    const overrides = r.overrides.some((o) => o.endsAt <= at) ? r.overrides.filter((o) => o.endsAt > at) : r.overrides;
    return { shifts: r.shifts, overrides };
  }

  forgetCache(): void {
    this.cache.clear();
  }
}
