/**
 * One page of the devices health list, and the counts over all of it. A street office has 20,000
 * devices: the whole list is 6.3 MB, and every open devices view asked for it every 30 s, on duty
 * phones on mobile networks. The view draws 300 rows at a time, problems first, above four counts;
 * so the hub sends those counts and the rows asked for, and nothing else. Pure: runs in the report
 * worker (read-jobs.ts) or, without one, on the event loop.
 */
import type { DeviceStatus } from './device-lists.ts';
import { DEFAULT_HEALTH } from '../alerts/health-sweep.ts';

/** What a health row needs to be counted, ranked and searched. */
export interface HealthRow {
  id: string; status: DeviceStatus; supervised: boolean; problems: string[]; revokedAt: number | null;
  battery: number | null; address: string; residentName: string;
}

/**
 * `limit` rows from `offset`, of the devices that match. `onlyProblems`: devices with at least one
 * problem. `search`: text that the id, the address or the resident's name contains (any case).
 * `lowBatteryPct`: the health sweep's threshold (alerts/health-sweep.ts).
 */
export interface HealthPageQuery { limit: number | null; offset: number; onlyProblems: boolean; search: string; lowBatteryPct: number }
export const WHOLE_LIST: HealthPageQuery = { limit: null, offset: 0, onlyProblems: false, search: '', lowBatteryPct: DEFAULT_HEALTH.lowBatteryPct };

/** Counts over every device in scope that is not revoked, whatever the page and the filters. */
export interface HealthSummary { total: number; offline: number; neverConnected: number; lowBattery: number; testOverdue: number; withProblems: number }

export interface HealthPage<R> { summary: HealthSummary; matched: number; offset: number; devices: R[] }

export interface HealthFlags { offline: boolean; neverConnected: boolean; lowBattery: boolean; testOverdue: boolean }

/**
 * The problems the devices view flags. An RF button is never offline (it cannot be supervised), but
 * its monthly test can be overdue. An overdue test is what the health sweep has raised and not yet
 * cleared; a weak battery is flagged from the last report too, before the next sweep (up to 5 s) raises it.
 */
export function healthFlags(d: HealthRow, lowBatteryPct: number): HealthFlags {
  return {
    offline: d.supervised && (d.status === 'offline' || d.problems.includes('offline')),
    neverConnected: d.status === 'never_connected',
    lowBattery: d.problems.includes('low_battery') || (d.supervised && d.battery !== null && d.battery < lowBatteryPct),
    testOverdue: d.problems.includes('test_overdue'),
  };
}

/** Higher is more urgent: a silent button first, then one never heard, then a weak battery, then a missed test. */
export const urgency = (f: HealthFlags): number => (f.offline ? 4 : 0) + (f.neverConnected ? 3 : 0) + (f.lowBattery ? 2 : 0) + (f.testOverdue ? 1 : 0);

const matches = (d: HealthRow, needle: string) => needle === ''
  || d.id.toLowerCase().includes(needle) || d.address.toLowerCase().includes(needle) || d.residentName.toLowerCase().includes(needle);

/** Revoked devices left out; the rest counted, filtered, ranked most urgent first (then by id), and cut to the page. */
export function healthPage<R extends HealthRow>(rows: readonly R[], q: HealthPageQuery): HealthPage<R> {
  const summary: HealthSummary = { total: 0, offline: 0, neverConnected: 0, lowBattery: 0, testOverdue: 0, withProblems: 0 };
  const needle = q.search.trim().toLowerCase();
  const kept: { row: R; rank: number }[] = [];
  for (const row of rows) {
    if (row.revokedAt !== null) continue;
    const f = healthFlags(row, q.lowBatteryPct);
    const rank = urgency(f);
    summary.total++;
    if (f.offline) summary.offline++;
    if (f.neverConnected) summary.neverConnected++;
    if (f.lowBattery) summary.lowBattery++;
    if (f.testOverdue) summary.testOverdue++;
    if (rank > 0) summary.withProblems++;
    if ((q.onlyProblems && rank === 0) || !matches(row, needle)) continue;
    kept.push({ row, rank });
  }
  kept.sort((a, b) => b.rank - a.rank || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
  const end = q.limit === null ? kept.length : q.offset + q.limit;
  return { summary, matched: kept.length, offset: q.offset, devices: kept.slice(q.offset, end).map((k) => k.row) };
}
