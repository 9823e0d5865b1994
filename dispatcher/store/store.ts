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
import { DeviceListRepo } from './device-list-repo.ts';
import { HouseholdListRepo } from './household-list-repo.ts';
import { LoginMemoRepo } from './login-memo-repo.ts';
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
  /** The device lists' rows, read here only when the report worker cannot run (reports/report-runner.ts). */
  readonly deviceLists: DeviceListRepo;
  readonly householdLists: HouseholdListRepo;
  readonly loginMemo: LoginMemoRepo;
  /** Releases work committed without SQLite's own fsync once the WAL is on disk (wal-sync.ts). */
  readonly wal: WalSync;

  /** One transaction wrapper, made once: better-sqlite3's db.transaction() builds a new one per call. */
  private readonly runTx: (fn: () => unknown) => unknown;
  private readonly totalChanges: { get(): unknown };

  constructor(readonly db: Db, walSync?: typeof import('node:fs').fdatasync) {
    this.runTx = db.transaction((fn: () => unknown) => fn());
    this.totalChanges = db.prepare('SELECT total_changes()').pluck();
    this.wal = new WalSync(db.memory ? null : `${db.name}-wal`, walSync, () => this.writeMark(),
      // From now on SQLite syncs every commit itself, and WalSync releases work at once.
      () => db.pragma('synchronous = FULL'));
    // Every commit of this connection leaves its fsync to WalSync (wal-sync.ts): nothing that depends
    // on a commit leaves the hub before an fdatasync covering it has returned.
    if (this.wal.deferrable) db.pragma('synchronous = NORMAL');
    this.grid = new GridRepo(db);
    this.households = new HouseholdRepo(db);
    this.devices = new DeviceRepo(db);
    this.staff = new StaffRepo(db);
    this.rosters = new RosterRepo(db);
    this.alerts = new AlertRepo(db);
    this.reports = new ReportRepo(db);
    this.health = new HealthRepo(db);
    this.deviceLists = new DeviceListRepo(db);
    this.householdLists = new HouseholdListRepo(db);
    this.loginMemo = new LoginMemoRepo(db);
  }

  static open(path: string, walSync?: typeof import('node:fs').fdatasync): Store {
    return new Store(openDb(path), walSync);
  }

  /**
   * How far this connection has written: a number that grows with every row it inserts, updates or
   * deletes (SQLite's total_changes()). `wal.durable(mark)` waits until everything up to it is on disk.
   */
  writeMark(): number {
    return this.totalChanges.get() as number;
  }

  /**
   * Runs `fn` in a transaction (a savepoint when nested). On any rollback the in-memory copies are
   * dropped. The commit is not yet on disk when this returns (wal-sync.ts): whatever depends on it
   * waits for `wal.committedUnsynced` or `wal.durable`, or is redone if lost with the machine.
   */
  tx<T>(fn: () => T): T {
    return this.runOrForget(fn);
  }

  /**
   * tx() for work whose effects the caller releases through `wal.committedUnsynced`. Never inside
   * another transaction: that one's commit is still to come, so nothing could be released after this.
   */
  txUnsynced<T>(fn: () => T): T {
    if (this.db.inTransaction) throw new Error('txUnsynced inside a transaction: its work would be released before the outer commit');
    return this.runOrForget(fn);
  }

  /**
   * A write whose durability may wait for the next group fdatasync because nothing leaves the hub on
   * the strength of it (presence, pruning, audit rows): an fdatasync is asked for off the event loop.
   * Lost with the machine, such a write is redone (the next heartbeat, the next run). Inside another
   * transaction it is an ordinary tx().
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
