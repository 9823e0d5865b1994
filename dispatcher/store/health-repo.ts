/** Queries behind device health: overdue heartbeats, low batteries, overdue monthly tests. */
import type { Db } from './db.ts';

/** Batteries below this are in the index devices_battery_low (migration 13); a higher threshold scans every device. */
const LOW_BATTERY_INDEXED = 50;

export interface OverdueQuery { now: number; graceS: number; aliveCutoff: number; startedAt: number }
/** An open technical alert whose device no longer has the problem. */
export interface Ended { alertId: string; deviceId: string }

/**
 * The open technical alerts for one reason, through alerts_technical_open (migration 16), which holds
 * all this needs: the query repeats the index's condition word for word, or SQLite ignores it.
 */
const OPEN_TECHNICAL = `a.kind = 'technical' AND a.state IN ('raised','accepted')`;
/** A device's open alert for one reason. */
const openFor = (reason: string, device: string) => `SELECT 1 FROM alerts a WHERE ${OPEN_TECHNICAL} AND a.reason = '${reason}' AND a.device_id = ${device}`;
/**
 * Staff resolved this problem of the device in an alert raised at or after `since`, when the problem
 * began: it has not ended since (the device not heard from, no test press), so the sweep does not
 * raise it again five seconds later. The sweep's own clearing (outcome 'cleared') does not count.
 * Through alerts_device_open (device_id, state): a device's resolved alerts.
 */
const resolvedSince = (reason: string, device: string, since: string) => `SELECT 1 FROM alerts r WHERE r.device_id = ${device} AND r.state = 'resolved'
  AND r.kind = 'technical' AND r.reason = '${reason}' AND r.outcome IS NOT 'cleared' AND r.raised_at >= ${since}`;
/** A low battery has no time it began (devices keep the latest reading only): resolved by staff, it is raised again a day later if still low. */
const LOW_BATTERY_QUIET = `@now - ${24 * 3600 * 1000}`;
/** Neither an open low-battery alert nor one staff resolved in the past day. */
const LOW_BATTERY_NOT_ALERTED = `NOT EXISTS (${openFor('low_battery', 'devices.id')}) AND NOT EXISTS (${resolvedSince('low_battery', 'devices.id', LOW_BATTERY_QUIET)})`;
/** Open alerts for one reason, each with its device's row (null when the device is gone). */
const openWithDevice = (reason: string) => `SELECT a.id AS alertId, a.device_id AS deviceId FROM alerts a LEFT JOIN devices d ON d.id = a.device_id
  WHERE ${OPEN_TECHNICAL} AND a.reason = '${reason}' AND a.device_id IS NOT NULL`;

/**
 * What makes a device offline, low on battery or overdue for its monthly test, written once for
 * both uses: `p` is '' in the reads of devices that must match an index word for word (migration
 * 13), 'd.' where a device is joined to its open alert.
 */
const OVERDUE = (p: string) => `${p}revoked_at IS NULL AND ${p}kind != 'rf-button' AND ${p}last_seen IS NOT NULL
  AND ${p}last_seen + 2000 * ${p}heartbeat_s < @now - @graceS * 1000
  AND max(${p}last_seen, CASE WHEN ${p}last_seen >= @aliveCutoff THEN @startedAt ELSE 0 END) < @now - (2 * ${p}heartbeat_s + @graceS) * 1000`;
const TEST_DUE = (p: string) => `${p}revoked_at IS NULL AND coalesce(${p}last_test_at, ${p}created_at) < @before`;

export class HealthRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      // What the sweep raises: devices that match and have no open alert for the reason yet, and what it
      // clears: open alerts whose device no longer matches. Both found by SQLite, so that the devices already
      // alerted are not read into the hub each time: 10,000 devices known to be untested took 23 ms a sweep
      // as rows (bench/sweep-cost.ts).
      // A device silent for longer than 2 x heartbeat + grace. A device that was still healthy when the
      // hub last ran (last_seen >= aliveCutoff) gets a full interval from this start-up to reconnect.
      // The first range term is implied by the last one; it is there so SQLite walks devices_silent_due
      // (migration 13) instead of every device.
      offline: db.prepare(`SELECT id, last_seen AS lastSeen FROM devices WHERE ${OVERDUE('')} AND NOT EXISTS (${openFor('offline', 'devices.id')})
        AND NOT EXISTS (${resolvedSince('offline', 'devices.id', 'devices.last_seen')})`),
      offlineOver: db.prepare(`${openWithDevice('offline')} AND NOT coalesce(${OVERDUE('d.')}, 0)`),
      lowBattery: db.prepare(`SELECT id, battery FROM devices WHERE revoked_at IS NULL AND battery < ${LOW_BATTERY_INDEXED} AND battery < @below
        AND ${LOW_BATTERY_NOT_ALERTED}`),
      lowBatteryScan: db.prepare(`SELECT id, battery FROM devices WHERE revoked_at IS NULL AND battery IS NOT NULL AND battery < @below
        AND ${LOW_BATTERY_NOT_ALERTED}`),
      // Cleared only 10 points above the threshold (hysteresis), and never while the battery is unknown.
      lowBatteryOver: db.prepare(`${openWithDevice('low_battery')} AND d.battery >= @below + 10`),
      testOverdue: db.prepare(`SELECT id, coalesce(last_test_at, created_at) AS lastTest FROM devices WHERE ${TEST_DUE('')}
        AND NOT EXISTS (${openFor('test_overdue', 'devices.id')})
        AND NOT EXISTS (${resolvedSince('test_overdue', 'devices.id', 'coalesce(devices.last_test_at, devices.created_at)')})`),
      testOverdueOver: db.prepare(`${openWithDevice('test_overdue')} AND NOT coalesce(${TEST_DUE('d.')}, 0)`),
      // The NOT IN term repeats the partial index's condition so SQLite may use alerts_open (without it: a scan of every alert ever raised).
      openTech: db.prepare(`SELECT id, device_id AS deviceId, reason FROM alerts WHERE kind = 'technical' AND state IN ('raised','accepted') AND state NOT IN ('resolved','closed')`),
      // Hub-wide technical alerts have no device: the (device_id, state) index finds them without
      // walking every open call (the walk made each call cost O(open calls) while nobody was online).
      openHubWide: db.prepare(`SELECT id FROM alerts WHERE device_id IS NULL AND state IN ('raised','accepted') AND kind = 'technical' AND reason = ? LIMIT 1`),
      getState: db.prepare('SELECT value FROM hub_state WHERE key = ?'),
      setState: db.prepare('INSERT INTO hub_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** Overdue devices without an open "offline" alert, nor one staff resolved since the device was last heard. */
  overdue(q: OverdueQuery): { id: string; lastSeen: number }[] {
    return this.s.offline.all(q) as { id: string; lastSeen: number }[];
  }

  /** Open "offline" alerts whose device is no longer overdue (heard again, revoked, gone). */
  overdueOver(q: OverdueQuery): Ended[] {
    return this.s.offlineOver.all(q) as Ended[];
  }

  /** Devices with a battery under `below` % and no open "low_battery" alert, nor one staff resolved in the day before `now`. */
  lowBattery(below: number, now: number): { id: string; battery: number }[] {
    const stmt = below <= LOW_BATTERY_INDEXED ? this.s.lowBattery : this.s.lowBatteryScan;
    return stmt.all({ below, now }) as { id: string; battery: number }[];
  }

  lowBatteryOver(below: number): Ended[] {
    return this.s.lowBatteryOver.all({ below }) as Ended[];
  }

  /** Devices not test-pressed since `before` (nor installed since), without an open "test_overdue" alert, nor one staff resolved since their last test. */
  testOverdue(before: number): { id: string; lastTest: number }[] {
    return this.s.testOverdue.all({ before }) as { id: string; lastTest: number }[];
  }

  testOverdueOver(before: number): Ended[] {
    return this.s.testOverdueOver.all({ before }) as Ended[];
  }

  openTechnical(): { id: string; deviceId: string | null; reason: string }[] {
    return this.s.openTech.all() as { id: string; deviceId: string | null; reason: string }[];
  }

  /** The open hub-wide technical alert (no device) for `reason`, if any. */
  openHubWide(reason: string): string | null {
    return (this.s.openHubWide.get(reason) as { id: string } | undefined)?.id ?? null;
  }

  getState(key: string): number | null {
    return (this.s.getState.get(key) as { value: number } | undefined)?.value ?? null;
  }

  setState(key: string, value: number): void {
    this.s.setState.run(key, value);
  }
}
