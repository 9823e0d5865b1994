/** Who is on duty at a grid node now (roster) and who is connected (console presence). */
import type { Store } from '../store/store.ts';
import { onDutyAt } from '../domain/roster.ts';

export class DutyDesk {
  private readonly connected = new Map<number, number>();
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly store: Store, private readonly defaultTz: string) {}

  onDuty(nodeId: number, at: number): number[] {
    const tz = this.store.grid.timeZoneOf(nodeId, this.defaultTz);
    const { shifts, overrides } = this.store.rosters.current(nodeId, at);
    return onDutyAt(shifts, overrides, at, tz).filter((id) => !this.store.staff.get(id)?.disabled);
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
    if (before !== this.isOnline(staffId)) this.changed(); // a second tab of someone online changes nothing
  }

  /** Told when the board may read differently: someone came online or went, or (changed()) a roster, node or account was edited. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  changed(): void {
    for (const fn of this.listeners) fn();
  }

  onlineStaff(): number[] {
    return [...this.connected.keys()];
  }
}
