/**
 * Open calls drawn again when something they show changed outside them: the household's record
 * (a contact's new phone, how to get in), a grid node's name, a staff member's name. Each such call
 * gets a new version, so every console that holds it receives it again and staff on the way see
 * the record as it is now (a view is kept per version: alert-view.ts). An edited household also
 * gets an entry on each call naming who edited it; a rename does not (it changes no fact of the call).
 *
 * A renamed node redraws only the calls whose card shows its name: raised there, or at its level
 * now. The calls go out 200 to a transaction with the loop free between: renaming a community during
 * a mass event redrew all 11,000 open calls under it in one piece and held the loop 320 ms
 * (bench/household-edit-cost.ts).
 */
import type { Store } from '../store/store.ts';
import type { Staff } from '../store/staff-repo.ts';
import type { ChangeFeed } from './change-feed.ts';
import { chainUp } from '../domain/grid.ts';

const CHUNK = 200;

export class OpenCallRedraw {
  constructor(
    private readonly store: Store,
    private readonly feed: ChangeFeed,
    /** CommitUnits.unit (commit-units.ts): one transaction whose changes go to the consoles once it commits. */
    private readonly unit: <T>(fn: () => T) => T,
  ) {}

  /** A household's record was edited: its open calls, with an entry naming who. The call stays in its grid. */
  household(householdId: number, staff: Staff, now: number): Promise<number> {
    return this.again(this.store.alerts.openIdsOfHousehold(householdId), now, (id) => this.store.alerts.appendEvent(id, now, 'household_edited', staff.id));
  }

  /** A grid node was renamed: the open calls raised there or at its level now (their card names it). */
  nodeRenamed(nodeId: number, now: number): Promise<number> {
    const showing = this.store.alerts.openUnder(nodeId).filter((a) => {
      const chain = chainUp(a.gridPath);
      return a.gridId === nodeId || chain[Math.min(a.level, chain.length - 1)] === nodeId;
    });
    return this.again(showing.map((a) => a.id), now);
  }

  /** A staff member's name changed: the open calls that name them. */
  staffRenamed(staffId: number, now: number): Promise<number> {
    return this.again(this.store.alerts.openIdsNaming(staffId), now);
  }

  private async again(ids: string[], now: number, before?: (id: string) => void): Promise<number> {
    let n = 0;
    for (let from = 0; from < ids.length; from += CHUNK) {
      if (from > 0) await new Promise((r) => setImmediate(r));
      n += this.unit(() => {
        let done = 0;
        for (const id of ids.slice(from, from + CHUNK)) {
          const row = this.store.alerts.get(id);
          if (!row || row.state === 'resolved') continue; // resolved meanwhile
          before?.(id);
          if (this.store.alerts.save(row, now, row)) { this.feed.record(this.store.alerts.get(id)!, now); done++; }
        }
        return done;
      });
    }
    return n;
  }
}
