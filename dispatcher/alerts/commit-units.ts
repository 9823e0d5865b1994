/**
 * The transactions every alert change is made in. A unit is one transaction: the changes it recorded
 * in the change feed go to the consoles the moment it commits, and the jobs queued with afterDurable()
 * (device notifications) once an fdatasync covering the commit returns. A unit that throws leaves
 * neither behind. Inside another transaction a unit is a savepoint, and its effects go out with the
 * enclosing unit's.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { ChangeFeed } from './change-feed.ts';

export class CommitUnits {
  private after: (() => void)[] = [];

  constructor(private readonly store: Store, private readonly feed: ChangeFeed, private readonly log: Logger) {}

  /** Runs `job` once the enclosing unit's commit is durable; dropped with the unit if it rolls back. */
  afterDurable(job: () => void): void {
    this.after.push(job);
  }

  /**
   * Runs `fn` in one transaction. Its changes go to the consoles at once (see takeEffects); its device
   * notifications once an fdatasync covering it returns (store/wal-sync.ts), dropped and logged if
   * that fails. Used for work the clock, a sweep or a receiver starts (escalation steps, health and
   * receiver alerts): lost with the machine, such work is redone (a deadline still due fires again
   * after the restart, the next sweep finds the same devices). Inside another transaction it is a
   * savepoint, and its effects go out with the enclosing unit's.
   */
  unit<T>(fn: () => T): T {
    if (this.store.db.inTransaction) return this.savepoint(fn);
    return this.unitUnsynced(fn, () => {}, (err) => this.log.error({ err }, 'a commit could not be synced: its device notifications were dropped'));
  }

  /**
   * The device-event and staff-action path: one transaction. Its changes go to the consoles at once
   * (see takeEffects); its device notifications, then `durable`, run once an fdatasync covering it
   * returns, or `refused` instead if that fails.
   */
  unitUnsynced<T>(fn: () => T, durable: (out: T) => void, refused: (err: Error) => void): T {
    const out = this.inTx(fn);
    const effects = this.takeEffects();
    this.store.wal.committedUnsynced(() => { effects(); durable(out); }, refused);
    return out;
  }

  private inTx<T>(fn: () => T): T {
    return this.undoneIfThrows(() => this.store.txUnsynced(() => {
      const r = fn();
      this.feed.seal();
      return r;
    }));
  }

  /** Runs `fn` inside an enclosing transaction as a savepoint; its effects are dropped if it throws. */
  savepoint<T>(fn: () => T): T {
    return this.undoneIfThrows(() => this.store.tx(fn));
  }

  /** Runs `tx`; if it throws (its transaction or savepoint rolled back), drops the changes and jobs it queued. */
  private undoneIfThrows<T>(tx: () => T): T {
    const mark = this.feed.mark();
    const afterMark = this.after.length;
    try {
      return tx();
    } catch (err) {
      this.feed.rollbackTo(mark);
      this.after.length = afterMark;
      throw err;
    }
  }

  /**
   * Pushes the committed transaction's changes to the consoles now, in commit order, and returns
   * its device notifications, to send once the commit is durable. Staff may see a call a fraction
   * of a millisecond before its fsync returns (issue 6, benchmark 2); the device hears nothing
   * before it. Should the machine lose power in between, the call is gone from the store but not
   * lost: its device was not acked and re-sends it, and consoles that saw the lost change get a
   * snapshot after the reboot (push/change-epoch.ts).
   */
  private takeEffects(): () => void {
    this.feed.deliver(this.feed.take());
    const jobs = this.after;
    this.after = [];
    return () => {
      for (const j of jobs) {
        try { j(); } catch (err) { this.log.error({ err }, 'post-commit job failed'); }
      }
    };
  }
}
