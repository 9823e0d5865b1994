/** Queries behind device health: overdue heartbeats, low batteries, overdue monthly tests. */
import type { Db } from './db.ts';

/** Batteries below this are in the index devices_battery_low (migration 13); a higher threshold scans every device. */
const LOW_BATTERY_INDEXED = 50;

export interface OverdueQuery { now: number; graceS: number; aliveCutoff: number; startedAt: number }

export class HealthRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      // A device silent for longer than 2 x heartbeat + grace. A device that was still healthy when the
      // hub last ran (last_seen >= aliveCutoff) gets a full interval from this start-up to reconnect.
      // The first range term is implied by the last one; it is there so SQLite walks devices_silent_due
      // (migration 13) instead of every device.
      offline: db.prepare(`SELECT id, last_seen AS lastSeen FROM devices WHERE revoked_at IS NULL AND kind != 'rf-button' AND last_seen IS NOT NULL
        AND last_seen + 2000 * heartbeat_s < @now - @graceS * 1000
        AND max(last_seen, CASE WHEN last_seen >= @aliveCutoff THEN @startedAt ELSE 0 END) < @now - (2 * heartbeat_s + @graceS) * 1000`),
      lowBattery: db.prepare(`SELECT id, battery FROM devices WHERE revoked_at IS NULL AND battery < ${LOW_BATTERY_INDEXED} AND battery < ?`),
      lowBatteryScan: db.prepare('SELECT id, battery FROM devices WHERE revoked_at IS NULL AND battery IS NOT NULL AND battery < ?'),
      testOverdue: db.prepare('SELECT id, coalesce(last_test_at, created_at) AS lastTest FROM devices WHERE revoked_at IS NULL AND coalesce(last_test_at, created_at) < ?'),
      // The NOT IN term repeats the partial index's condition so SQLite may use alerts_open (without it: a scan of every alert ever raised).
      openTech: db.prepare(`SELECT id, device_id AS deviceId, reason FROM alerts WHERE kind = 'technical' AND state IN ('raised','accepted') AND state NOT IN ('resolved','closed')`),
      // Hub-wide technical alerts have no device: the (device_id, state) index finds them without
      // walking every open call (the walk made each call cost O(open calls) while nobody was online).
      openHubWide: db.prepare(`SELECT id FROM alerts WHERE device_id IS NULL AND state IN ('raised','accepted') AND kind = 'technical' AND reason = ? LIMIT 1`),
      getState: db.prepare('SELECT value FROM hub_state WHERE key = ?'),
      setState: db.prepare('INSERT INTO hub_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  overdue(q: OverdueQuery): { id: string; lastSeen: number }[] {
    return this.s.offline.all(q) as { id: string; lastSeen: number }[];
  }

  lowBattery(below: number): { id: string; battery: number }[] {
    const stmt = below <= LOW_BATTERY_INDEXED ? this.s.lowBattery : this.s.lowBatteryScan;
    return stmt.all(below) as { id: string; battery: number }[];
  }

  testOverdue(before: number): { id: string; lastTest: number }[] {
    return this.s.testOverdue.all(before) as { id: string; lastTest: number }[];
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
