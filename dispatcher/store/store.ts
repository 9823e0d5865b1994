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

  constructor(readonly db: Db) {
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

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
