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

export class Store {
  readonly grid: GridRepo;
  readonly households: HouseholdRepo;
  readonly devices: DeviceRepo;
  readonly staff: StaffRepo;
  readonly rosters: RosterRepo;
  readonly alerts: AlertRepo;
  readonly reports: ReportRepo;
  readonly health: HealthRepo;

  /** One transaction wrapper, made once: better-sqlite3's db.transaction() builds a new one per call. */
  private readonly runTx: (fn: () => unknown) => unknown;

  constructor(readonly db: Db) {
    this.runTx = db.transaction((fn: () => unknown) => fn());
    this.grid = new GridRepo(db);
    this.households = new HouseholdRepo(db);
    this.devices = new DeviceRepo(db);
    this.staff = new StaffRepo(db);
    this.rosters = new RosterRepo(db);
    this.alerts = new AlertRepo(db);
    this.reports = new ReportRepo(db);
    this.health = new HealthRepo(db);
  }

  static open(path: string): Store {
    return new Store(openDb(path));
  }

  /** Runs `fn` in a transaction (a savepoint when nested). On any rollback the in-memory copies are dropped. */
  tx<T>(fn: () => T): T {
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
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
