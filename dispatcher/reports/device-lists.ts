/**
 * The supervisors' device lists, built from the store's rows (store/device-list-repo.ts) in the report
 * worker: GET /api/devices and GET /api/devices/health. Built on the event loop, 10,000 devices held it
 * for 200 ms (the plain list) and 2.5 s (the health list, with 2,000 devices offline); the health list
 * is what every open devices view asks for every 30 s (bench/device-list-cost.ts).
 */
import type { DeviceListRepo, ListedDevice } from '../store/device-list-repo.ts';
import type { Device } from '../store/device-repo.ts';
import type { HealthRepo } from '../store/health-repo.ts';
import { isWithin } from '../domain/grid.ts';
import { healthPage, WHOLE_LIST, type HealthPageQuery } from './device-health-page.ts';

/**
 * Whose devices: `scopePath` null for an unscoped admin (every device). `unplaced`: devices without a
 * household too (admins only; such a device is in nobody's grid).
 */
export interface DeviceListQuery { scopePath: string | null; unplaced: boolean }
/**
 * `page`: which of the devices, and how many (device-health-page.ts); without it, every one. `csv`: the
 * page's devices as CSV (device-health-csv.ts) instead of the JSON answer.
 */
export interface DeviceHealthQuery { scopePath: string | null; now: number; graceMs: number; page?: HealthPageQuery; csv?: boolean }

const RF_NOTE = 'RF buttons cannot report their health: only last heard and last test are known';

export type DeviceStatus = 'online' | 'offline' | 'never_connected' | 'unsupervised';

const inScope = (d: ListedDevice, scopePath: string | null) => d.gridPath !== null && (scopePath === null || isWithin(d.gridPath, scopePath));
/**
 * The device as the API shows it. Written out field by field: built with rest and spread, each of
 * 10,000 rows became a slow dictionary object, and the list took 230–290 ms instead of 60–110.
 */
const shown = (d: ListedDevice): Device => ({
  id: d.id, kind: d.kind, householdId: d.householdId, heartbeatS: d.heartbeatS, online: d.online, lastSeen: d.lastSeen,
  battery: d.battery, rssi: d.rssi, fw: d.fw, lastTestAt: d.lastTestAt, revokedAt: d.revokedAt,
});

export function deviceList(repo: DeviceListRepo, q: DeviceListQuery) {
  return { devices: repo.devices().filter((d) => inScope(d, q.scopePath) || (q.unplaced && d.householdId === null)).map(shown) };
}

/** Silent for longer than two heartbeats and the grace: what the health sweep calls offline. */
export function deviceStatus(d: Pick<ListedDevice, 'kind' | 'lastSeen' | 'heartbeatS'>, now: number, graceMs: number): DeviceStatus {
  if (d.kind === 'rf-button') return 'unsupervised';
  if (d.lastSeen === null) return 'never_connected';
  return now - d.lastSeen > 2 * d.heartbeatS * 1000 + graceMs ? 'offline' : 'online';
}

/** Device id → the reasons of its open technical alerts (offline, low_battery, test_overdue, tamper). */
function problemsByDevice(health: HealthRepo): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of health.openTechnical()) {
    if (t.deviceId === null) continue;
    const list = out.get(t.deviceId);
    if (list) list.push(t.reason);
    else out.set(t.deviceId, [t.reason]);
  }
  return out;
}

/** The health list: counts over the scope, then the page asked for, most urgent first. */
export function deviceHealthList(repo: DeviceListRepo, health: HealthRepo, q: DeviceHealthQuery) {
  const households = repo.households();
  const problems = problemsByDevice(health);
  const rows = repo.devices().filter((d) => inScope(d, q.scopePath)).map((d) => {
    const hh = households.get(d.householdId!);
    const supervised = d.kind !== 'rf-button';
    return {
      id: d.id, kind: d.kind, householdId: d.householdId, heartbeatS: d.heartbeatS, online: d.online, lastSeen: d.lastSeen,
      battery: d.battery, rssi: d.rssi, fw: d.fw, lastTestAt: d.lastTestAt, revokedAt: d.revokedAt,
      supervised, address: hh?.address ?? '', residentName: hh?.residentName ?? '', problems: problems.get(d.id) ?? [],
      status: deviceStatus(d, q.now, q.graceMs),
      note: supervised ? null : RF_NOTE,
    };
  });
  return healthPage(rows, q.page ?? WHOLE_LIST);
}
