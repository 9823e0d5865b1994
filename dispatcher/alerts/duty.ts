/** Who is on duty at a grid node now (roster) and who is connected (console presence). */
import type { Store } from '../store/store.ts';
import { onDutyAt } from '../domain/roster.ts';
import { isWithin } from '../domain/grid.ts';
import type { Staff } from '../store/staff-repo.ts';

export class DutyDesk {
  private readonly connected = new Map<number, number>();
  private readonly listeners: ((area: string | null, edited: boolean) => void)[] = [];

  constructor(private readonly store: Store, private readonly defaultTz: string) {}

  /**
   * Who is on duty at a node, among those who can act there: an account that is disabled, or whose
   * area does not contain the node, is not counted. Such a person would be told of calls their
   * console cannot show, and the call would wait for them until it escalates; not counted, the call
   * goes on to a level where someone can take it (the roster API refuses such shifts; older ones may remain).
   */
  onDuty(nodeId: number, at: number): number[] {
    const tz = this.store.grid.timeZoneOf(nodeId, this.defaultTz);
    const { shifts, overrides } = this.store.rosters.current(nodeId, at);
    const on = onDutyAt(shifts, overrides, at, tz);
    return on.length ? on.filter((id) => this.canActAt(id, nodeId)) : on;
  }

  /** The account exists, is not disabled, and its area contains the node (an admin of the whole tree: every node). */
  canActAt(staffId: number, nodeId: number): boolean {
    const s = this.store.staff.get(staffId);
    const node = this.store.grid.find(nodeId)?.path;
    return !!s && !s.disabled && node !== undefined && this.canSee(s, node);
  }

  /**
   * Whether `staff` sees the calls raised at `gridPath` (and so may be on duty there): the one rule
   * for consoles, the API and the rosters (AlertService.canSee asks here).
   */
  canSee(staff: Staff, gridPath: string): boolean {
    const scope = this.scopeOf(staff);
    return scope === null || (scope !== undefined && isWithin(gridPath, scope));
  }

  /** The grid path under which `staff` sees calls and devices: null for everything (an unscoped admin), undefined for nothing. */
  scopeOf(staff: Staff): string | null | undefined {
    if (staff.role === 'admin' && staff.scopeNodeId === null) return null;
    return staff.scopeNodeId === null ? undefined : this.store.grid.find(staff.scopeNodeId)?.path;
  }

  isOnline(staffId: number): boolean {
    return (this.connected.get(staffId) ?? 0) > 0;
  }

  /** Called by the WebSocket push when a console opens (+1) or closes (-1). */
  consoleDelta(staffId: number, delta: 1 | -1): void {
    const before = this.isOnline(staffId);
    const n = (this.connected.get(staffId) ?? 0) + delta;
    if (n > 0) this.connected.set(staffId, n);
    else this.connected.delete(staffId);
    if (before !== this.isOnline(staffId)) for (const fn of this.listeners) fn(this.areaOf(staffId), false); // a second tab of someone online changes nothing
  }

  /**
   * Told when the board may read differently: someone came online or went, or (changed()) a roster,
   * node or account was edited; with the area (a grid path) where it happened, or null: anywhere.
   * Someone's presence shows on boards of their own area and of the areas above and below it (they
   * are on duty only inside it); an edit, on those of the editor's area (nobody edits outside theirs).
   */
  onChange(fn: (area: string | null, edited: boolean) => void): void {
    this.listeners.push(fn);
  }

  changed(area: string | null = null): void {
    for (const fn of this.listeners) fn(area, true);
  }

  /** A staff member's area as a grid path; null for an admin of the whole tree (or an account with none). */
  private areaOf(staffId: number): string | null {
    const s = this.store.staff.get(staffId);
    return (s && this.scopeOf(s)) ?? null;
  }

  onlineStaff(): number[] {
    return [...this.connected.keys()];
  }
}
