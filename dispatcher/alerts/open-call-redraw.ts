/**
 * Open calls drawn again when something they show changed outside them: the household's record
 * (a contact's new phone, how to get in), a grid node's name, a staff member's name. Each such call
 * gets a new version, so every console that holds it receives it again and staff on the way see
 * the record as it is now (a view is kept per version: alert-view.ts). An edited household also
 * gets an entry on each call naming who edited it; a rename does not (it changes no fact of the call).
 */
import type { Store } from '../store/store.ts';
import type { Staff } from '../store/staff-repo.ts';
import type { ChangeFeed } from './change-feed.ts';

export class OpenCallRedraw {
  constructor(
    private readonly store: Store,
    private readonly feed: ChangeFeed,
    /** AlertService.unit: one transaction whose changes go to the consoles once it commits. */
    private readonly unit: <T>(fn: () => T) => T,
  ) {}

  /** A household's record was edited: its open calls, with an entry naming who. The call stays in its grid. */
  household(householdId: number, staff: Staff, now: number): number {
    return this.again(this.store.alerts.openIdsOfHousehold(householdId), now, (id) => this.store.alerts.appendEvent(id, now, 'household_edited', staff.id));
  }

  /** A grid node was renamed: the open calls raised at or under it (their grid, or the level they are at, may carry its name). */
  nodeRenamed(nodeId: number, now: number): number {
    return this.again(this.store.alerts.openIdsUnder(nodeId), now);
  }

  /** A staff member's name changed: the open calls that name them. */
  staffRenamed(staffId: number, now: number): number {
    return this.again(this.store.alerts.openIdsNaming(staffId), now);
  }

  private again(ids: string[], now: number, before?: (id: string) => void): number {
    if (!ids.length) return 0;
    return this.unit(() => {
      let n = 0;
      for (const id of ids) {
        const row = this.store.alerts.get(id);
        if (!row) continue;
        before?.(id);
        if (this.store.alerts.save(row, now, row)) { this.feed.record(this.store.alerts.get(id)!, now); n++; }
      }
      return n;
    });
  }
}
