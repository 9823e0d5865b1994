/**
 * The devices health list as CSV, for a maintenance round: the devices a supervisor filtered (all,
 * with problems, or what a search found), most urgent first, one line each. Times in ISO 8601 (UTC)
 * and in milliseconds, as the response-time report has them.
 */
import { csvRow } from './csv.ts';
import { healthFlags, type HealthRow } from './device-health-page.ts';

export interface HealthCsvRow extends HealthRow {
  kind: string; householdId: number | null; lastSeen: number | null; lastTestAt: number | null; rssi: number | null; fw: string | null;
}

const HEAD = ['device', 'kind', 'status', 'offline', 'never_connected', 'low_battery', 'test_overdue', 'open_problems', 'battery_pct', 'rssi',
  'last_seen_iso', 'last_seen_ms', 'last_test_iso', 'last_test_ms', 'household', 'address', 'resident', 'firmware'];

const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());
const yes = (b: boolean) => (b ? 'yes' : '');

export function deviceHealthCsv(devices: readonly HealthCsvRow[], lowBatteryPct: number): string {
  const lines = [HEAD.join(',')];
  for (const d of devices) {
    const f = healthFlags(d, lowBatteryPct);
    lines.push(csvRow([d.id, d.kind, d.status, yes(f.offline), yes(f.neverConnected), yes(f.lowBattery), yes(f.testOverdue), d.problems.join(' '),
      d.battery, d.rssi, iso(d.lastSeen), d.lastSeen, iso(d.lastTestAt), d.lastTestAt, d.householdId, d.address, d.residentName, d.fw]));
  }
  return lines.join('\n') + '\n';
}
