/**
 * What the report worker (report-worker.ts) builds off the event loop: a report's figures, and the
 * supervisors' device and household lists as JSON text (the devices health list and the households as CSV too). The same function builds them on the event loop when the
 * worker cannot run (an in-memory database), so both paths give the same answer.
 */
import type { ReportRepo } from '../store/report-repo.ts';
import type { DeviceListRepo } from '../store/device-list-repo.ts';
import type { HealthRepo } from '../store/health-repo.ts';
import type { HouseholdListRepo } from '../store/household-list-repo.ts';
import { reportFigures, type ReportFigures } from './report-figures.ts';
import { searchHouseholds, type HouseholdSearch } from './household-search.ts';
import { deviceHealthCsv } from './device-health-csv.ts';
import { gridPathNames, householdsCsv } from './household-csv.ts';
import { WHOLE_LIST } from './device-health-page.ts';
import { deviceHealthList, deviceList, type DeviceHealthQuery, type DeviceListQuery } from './device-lists.ts';

export interface FiguresQuery { path: string; from: number; to: number; now: number; timeZone: string }
export type ReadJob =
  | ({ kind: 'figures' } & FiguresQuery)
  | ({ kind: 'devices' } & DeviceListQuery)
  | ({ kind: 'device-health' } & DeviceHealthQuery)
  | ({ kind: 'households'; scopePath: string | null; csv?: boolean } & HouseholdSearch);
/** A list's answer: its JSON, already UTF-8, in a buffer of its own that the worker hands over without a copy. */
export type ReadResult = ReportFigures | Uint8Array;

const utf8 = new TextEncoder();
const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value));
export interface Readers { reports: ReportRepo; deviceLists: DeviceListRepo; health: HealthRepo; householdLists: HouseholdListRepo }

export function runReadJob(r: Readers, job: ReadJob): ReadResult {
  switch (job.kind) {
    case 'figures': return reportFigures(r.reports.calls(job.path, job.from, job.to), job.now, job.timeZone);
    case 'devices': return json(deviceList(r.deviceLists, job));
    case 'device-health': {
      const list = deviceHealthList(r.deviceLists, r.health, job);
      return job.csv ? utf8.encode(deviceHealthCsv(list.devices, (job.page ?? WHOLE_LIST).lowBatteryPct)) : json(list);
    }
    case 'households': {
      const found = searchHouseholds(r.householdLists.list(job.scopePath), job);
      if (!job.csv) return json(found);
      const grids = r.householdLists.gridNames();
      const buttons = r.householdLists.buttons(job.scopePath);
      return utf8.encode(householdsCsv(found.households, (id) => gridPathNames(grids, id), (id) => buttons.get(id) ?? []));
    }
  }
}
