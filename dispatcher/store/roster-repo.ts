/** Duty rosters: weekly shifts and one-off overrides per grid node. */
import type { Db } from './db.ts';
import type { Override, Shift } from '../domain/roster.ts';

export interface ShiftRow extends Shift { id: number; nodeId: number }
export interface OverrideRow extends Override { id: number; nodeId: number }

export class RosterRepo {
  private readonly shiftsStmt;
  private readonly overridesStmt;
  constructor(private readonly db: Db) {
    this.shiftsStmt = db.prepare('SELECT id, node_id AS nodeId, staff_id AS staffId, weekdays, start_min AS startMin, end_min AS endMin FROM roster_shifts WHERE node_id = ? ORDER BY id');
    this.overridesStmt = db.prepare('SELECT id, node_id AS nodeId, staff_id AS staffId, starts_at AS startsAt, ends_at AS endsAt, on_duty AS onDuty FROM roster_overrides WHERE node_id = ? AND ends_at > ? ORDER BY starts_at');
  }

  addShift(nodeId: number, s: Shift): number {
    return Number(this.db.prepare('INSERT INTO roster_shifts (node_id, staff_id, weekdays, start_min, end_min) VALUES (?, ?, ?, ?, ?)')
      .run(nodeId, s.staffId, s.weekdays, s.startMin, s.endMin).lastInsertRowid);
  }

  addOverride(nodeId: number, o: Override): number {
    return Number(this.db.prepare('INSERT INTO roster_overrides (node_id, staff_id, starts_at, ends_at, on_duty) VALUES (?, ?, ?, ?, ?)')
      .run(nodeId, o.staffId, o.startsAt, o.endsAt, o.onDuty ? 1 : 0).lastInsertRowid);
  }

  removeShift(nodeId: number, id: number): boolean {
    return this.db.prepare('DELETE FROM roster_shifts WHERE id = ? AND node_id = ?').run(id, nodeId).changes > 0;
  }

  removeOverride(nodeId: number, id: number): boolean {
    return this.db.prepare('DELETE FROM roster_overrides WHERE id = ? AND node_id = ?').run(id, nodeId).changes > 0;
  }

  shifts(nodeId: number): ShiftRow[] {
    return this.shiftsStmt.all(nodeId) as ShiftRow[];
  }

  overrides(nodeId: number, after: number): OverrideRow[] {
    return (this.overridesStmt.all(nodeId, after) as (Omit<OverrideRow, 'onDuty'> & { onDuty: number })[]).map((o) => ({ ...o, onDuty: o.onDuty === 1 }));
  }
}
