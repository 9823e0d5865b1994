/** The store: one SQLite database and the repositories over it. */
import { openDb, type Db } from './db.ts';
import { AlertRepo } from './alert-repo.ts';
import { DeviceRepo } from './device-repo.ts';
import { GridRepo } from './grid-repo.ts';
import { HouseholdRepo } from './household-repo.ts';
import { RosterRepo } from './roster-repo.ts';
import { StaffRepo } from './staff-repo.ts';
import { ReportRepo } from './report-repo.ts';
import { HealthRepo } from './health-repo.ts';
import { WalSync } from './wal-sync.ts';

export class Store {
  readonly grid: GridRepo;
  readonly households: HouseholdRepo;
  readonly devices: DeviceRepo;
  readonly staff: StaffRepo;
  readonly rosters: RosterRepo;
  readonly alerts: AlertRepo;
  readonly reports: ReportRepo;
  readonly health: HealthRepo;
  /** Releases work committed without SQLite's own fsync once the WAL is on disk (wal-sync.ts). */
  readonly wal: WalSync;

  /** One transaction wrapper, made once: better-sqlite3's db.transaction() builds a new one per call. */
  private readonly runTx: (fn: () => unknown) => unknown;
  private readonly syncNormal: { run(): unknown };
  private readonly syncFull: { run(): unknown };
  private syncRestore = false;

  constructor(readonly db: Db, walSync?: typeof import('node:fs').fdatasync) {
    this.runTx = db.transaction((fn: () => unknown) => fn());
    this.syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
    this.syncFull = db.prepare('PRAGMA synchronous = FULL');
    this.wal = new WalSync(db.memory ? null : `${db.name}-wal`, walSync);
    this.grid = new GridRepo(db);
    this.households = new HouseholdRepo(db);
    this.devices = new DeviceRepo(db);
    this.staff = new StaffRepo(db);
    this.rosters = new RosterRepo(db);
    this.alerts = new AlertRepo(db);
    this.reports = new ReportRepo(db);
    this.health = new HealthRepo(db);
  }

  static open(path: string, walSync?: typeof import('node:fs').fdatasync): Store {
    return new Store(openDb(path), walSync);
  }

  /** Runs `fn` in a transaction (a savepoint when nested). On any rollback the in-memory copies are dropped. */
  tx<T>(fn: () => T): T {
    if (this.syncRestore && !this.db.inTransaction) {
      this.syncFull.run();
      this.syncRestore = false;
    }
    return this.runOrForget(fn);
  }

  /**
   * Like tx(), but SQLite does not fsync the WAL at this commit: nothing that depends on the
   * commit may leave the hub until `wal.committedUnsynced` releases it. Falls back to tx() where
   * that is not possible (in-memory database, after a failed fsync). Never inside another
   * transaction: that one's commit is still to come, so nothing could be released after this.
   */
  txUnsynced<T>(fn: () => T): T {
    if (this.db.inTransaction) throw new Error('txUnsynced inside a transaction: its work would be released before the outer commit');
    if (!this.wal.deferrable || this.syncRestore) return this.tx(fn);
    this.syncNormal.run();
    try {
      return this.runOrForget(fn);
    } finally {
      // Every other commit must stay FULL; should this ever fail, the next tx() tries again first.
      try { this.syncFull.run(); } catch { this.syncRestore = true; }
    }
  }

  /**
   * A write whose durability may wait for the next group fdatasync because nothing leaves the hub on
   * the strength of it (presence, pruning): committed without SQLite's own fsync, and an fdatasync is
   * asked for off the event loop. Lost with the machine, such a write is redone (the next heartbeat,
   * the next run). On this project's test machine a small fsync on the event loop took up to 240 ms
   * while the checkpoint worker was syncing the database file (issue 6, benchmark 6). Inside another
   * transaction, or where deferral is not possible, it is an ordinary tx().
   */
  txDeferred<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.tx(fn);
    const out = this.txUnsynced(fn);
    this.wal.committedUnsynced(() => {}, () => {});
    return out;
  }

  private runOrForget<T>(fn: () => T): T {
    try {
      return this.runTx(fn) as T;
    } catch (err) {
      this.forgetCaches();
      throw err;
    }
  }

  /** Drops every repository's in-memory copy; they refill from the database. */
  forgetCaches(): void {
    this.alerts.live.clear();
    this.devices.forgetCache();
    this.households.forgetCache();
    this.staff.forgetCache();
    this.rosters.forgetCache();
  }

  close(): void {
    this.wal.close();
    if (this.db.open) this.db.close();
  }
}
