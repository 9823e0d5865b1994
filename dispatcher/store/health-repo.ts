/**
 * Queries behind device health: overdue heartbeats, low batteries, overdue monthly tests. Each is a walk
 * of one index in pages (Page, Cursor), so that the sweep reads a bounded number of rows per turn of the
 * event loop however many devices have a problem: read whole, 50,000 devices known to be untested held
 * the loop 46 ms every 5 s (bench/sweep-cost.ts).
 */
import type { Db } from './db.ts';

/** Batteries below this are in the index devices_battery_low (migration 13); a higher threshold scans every device. */
const LOW_BATTERY_INDEXED = 50;
/** A low battery is cleared only this many points above the threshold (hysteresis), and never while the battery is unknown. */
export const LOW_BATTERY_CLEAR_GAP = 10;

export interface OverdueQuery { now: number; graceS: number; aliveCutoff: number; startedAt: number }
/** An open technical alert whose device no longer has the problem. */
export interface Ended { alertId: string; deviceId: string }
/**
 * Where a walk stands: the last row's index key and rowid (devices), or device id and alert id (open
 * alerts). The next page starts after it; a row whose key changed meanwhile may be met again or not at
 * all in this sweep. A key only grows (a device heard, a test press), so a row met not at all is no
 * longer due, or due again later; the full sweep, once a minute, reads every row (health-sweep.ts).
 */
export type Cursor = readonly [number | string, number | string];
/** One page of a walk: what the sweep acts on among the rows read (at most the limit), and where the next page starts (null: the walk is done). */
export interface Page<T> { rows: T[]; read: number; next: Cursor | null }

const FIRST_DEVICE: Cursor = [-Number.MAX_VALUE, -1];
const FIRST_ALERT: Cursor = ['', ''];

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
/** Neither an open alert for the reason nor one staff resolved since `since` (1 or 0; the second lookup only when the first finds nothing). */
const notAlerted = (reason: string, since: string) => `CASE WHEN EXISTS (${openFor(reason, 'devices.id')}) THEN 0
  WHEN EXISTS (${resolvedSince(reason, 'devices.id', since)}) THEN 0 ELSE 1 END`;
/** A low battery has no time it began (devices keep the latest reading only): resolved by staff, it is raised again a day later if still low. */
const LOW_BATTERY_QUIET = `@now - ${24 * 3600 * 1000}`;

/**
 * A page of devices in the order of an index on `key`, then rowid: `where` must name the index's
 * expression and condition word for word; `act` is 1 for a device the sweep raises. Two seeks, the rest
 * of the cursor's key (key = k, rowid > r) and the keys after it: SQLite does not seek an expression
 * index by a row value (key, rowid) > (k, r), and walked every device sharing a key from the first
 * (all installed in one batch: each page of 50,000 read them all again, 5.5 ms a page).
 */
const devicePage = (cols: string, key: string, where: string, act: string) => {
  const arm = (range: string, order: string) => `SELECT * FROM (SELECT id, ${cols}, ${key} AS k, rowid AS r, ${act} AS act FROM devices
    WHERE ${where} AND ${range} ORDER BY ${order} LIMIT @limit)`;
  return `${arm(`${key} = @k AND rowid > @r`, 'rowid')} UNION ALL ${arm(`${key} > @k`, `${key}, rowid`)} LIMIT @limit`;
};
/** A page of the open alerts for one reason, each with its device's row (null when the device is gone); `act` is 1 for one the sweep clears. */
const alertPage = (reason: string, act: string) => `SELECT a.id AS alertId, a.device_id AS deviceId, a.device_id AS k, a.id AS r, ${act} AS act
  FROM alerts a LEFT JOIN devices d ON d.id = a.device_id
  WHERE ${OPEN_TECHNICAL} AND a.reason = '${reason}' AND a.device_id IS NOT NULL AND (a.device_id, a.id) > (@k, @r) ORDER BY a.device_id, a.id LIMIT @limit`;

/**
 * What makes a device offline, low on battery or overdue for its monthly test, written once for
 * both uses: `p` is '' in the reads of devices that must match an index word for word (migration
 * 13), 'd.' where a device is joined to its open alert.
 */
const SILENT_DUE = (p: string) => `${p}last_seen + 2000 * ${p}heartbeat_s`;
const SILENT = (p: string) => `${p}revoked_at IS NULL AND ${p}kind != 'rf-button' AND ${p}last_seen IS NOT NULL
  AND ${SILENT_DUE(p)} < @now - @graceS * 1000`;
/** A device that was still healthy when the hub last ran (last_seen >= aliveCutoff) gets a full interval from this start-up to reconnect. */
const PAST_START_GRACE = (p: string) => `max(${p}last_seen, CASE WHEN ${p}last_seen >= @aliveCutoff THEN @startedAt ELSE 0 END) < @now - (2 * ${p}heartbeat_s + @graceS) * 1000`;
const OVERDUE = (p: string) => `${SILENT(p)} AND ${PAST_START_GRACE(p)}`;
const TEST_KEY = (p: string) => `coalesce(${p}last_test_at, ${p}created_at)`;
const TEST_DUE = (p: string) => `${p}revoked_at IS NULL AND ${TEST_KEY(p)} < @before`;

type Stmt = { all(params: object): unknown[] };
/** A page statement's row, raw: its two named columns, then the cursor (k, r) and `act`. Only the rows acted on become objects. */
type Raw = [unknown, unknown, number | string, number | string, number];

function page<T>(stmt: Stmt, params: object, from: Cursor, limit: number, names: readonly [string, string]): Page<T> {
  const read = stmt.all({ ...params, k: from[0], r: from[1], limit }) as Raw[];
  const rows: T[] = [];
  for (const x of read) if (x[4] === 1) rows.push({ [names[0]]: x[0], [names[1]]: x[1] } as T);
  const last = read[read.length - 1];
  return { rows, read: read.length, next: read.length < limit ? null : [last[2], last[3]] };
}

const ENDED = ['alertId', 'deviceId'] as const;

export class HealthRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    const raw = (sql: string) => db.prepare(sql).raw(true);
    this.s = {
      // What the sweep raises: devices that match and have no open alert for the reason yet, and what it
      // clears: open alerts whose device no longer matches. Both decided by SQLite row by row, so that
      // the devices already alerted are not looked up from the hub one by one.
      // A device silent for longer than 2 x heartbeat + grace, through devices_silent_due (migration 13).
      // The start-up grace is decided per row, not in WHERE: after a restart every device may be in the
      // index's range and held back by it, and a page must stay a page.
      offline: raw(devicePage('last_seen AS lastSeen', SILENT_DUE(''), SILENT(''),
        `CASE WHEN coalesce(${PAST_START_GRACE('')}, 0) THEN ${notAlerted('offline', 'devices.last_seen')} ELSE 0 END`)),
      offlineOver: raw(alertPage('offline', `NOT coalesce(${OVERDUE('d.')}, 0)`)),
      lowBattery: raw(devicePage('battery', 'battery', `revoked_at IS NULL AND battery < ${LOW_BATTERY_INDEXED} AND battery < @below`,
        notAlerted('low_battery', LOW_BATTERY_QUIET))),
      // A threshold above what the index holds: every device, by rowid; the condition is decided per row, so a page stays a page.
      lowBatteryScan: raw(devicePage('battery', 'rowid', '1',
        `CASE WHEN revoked_at IS NULL AND battery IS NOT NULL AND battery < @below THEN ${notAlerted('low_battery', LOW_BATTERY_QUIET)} ELSE 0 END`)),
      lowBatteryOver: raw(alertPage('low_battery', `coalesce(d.battery >= @below + ${LOW_BATTERY_CLEAR_GAP}, 0)`)),
      // One device as lowBatteryOver decides it: one its heartbeat just reported recovered.
      batteryRecovered: db.prepare(`SELECT coalesce(battery >= @below + ${LOW_BATTERY_CLEAR_GAP}, 0) FROM devices WHERE id = @id`).pluck(),
      // One device as lowBattery decides it, by its primary key: one its heartbeat just reported low.
      lowBatteryOf: db.prepare(`SELECT battery FROM devices WHERE id = @id AND revoked_at IS NULL AND battery IS NOT NULL AND battery < @below
        AND ${notAlerted('low_battery', LOW_BATTERY_QUIET)} = 1`).pluck(),
      testOverdue: raw(devicePage(`${TEST_KEY('')} AS lastTest`, TEST_KEY(''), TEST_DUE(''), notAlerted('test_overdue', TEST_KEY('devices.')))),
      testOverdueOver: raw(alertPage('test_overdue', `NOT coalesce(${TEST_DUE('d.')}, 0)`)),
      // The NOT IN term repeats the partial index's condition so SQLite may use alerts_open (without it: a scan of every alert ever raised).
      openTech: db.prepare(`SELECT id, device_id AS deviceId, reason FROM alerts WHERE kind = 'technical' AND state IN ('raised','accepted') AND state NOT IN ('resolved','closed')`),
      // Hub-wide technical alerts have no device: the (device_id, state) index finds them without
      // walking every open call (the walk made each call cost O(open calls) while nobody was online).
      openHubWide: db.prepare(`SELECT id FROM alerts WHERE device_id IS NULL AND state IN ('raised','accepted') AND kind = 'technical' AND reason = ? LIMIT 1`),
      heartbeatsSince: db.prepare(`SELECT DISTINCT heartbeat_s FROM devices WHERE revoked_at IS NULL AND kind != 'rf-button' AND last_seen >= ?`).pluck(),
      getState: db.prepare('SELECT value FROM hub_state WHERE key = ?'),
      setState: db.prepare('INSERT INTO hub_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** Overdue devices without an open "offline" alert, nor one staff resolved since the device was last heard. */
  overdue(q: OverdueQuery, from: Cursor = FIRST_DEVICE, limit = 500): Page<{ id: string; lastSeen: number }> {
    return page(this.s.offline, q, from, limit, ['id', 'lastSeen']);
  }

  /** Open "offline" alerts whose device is no longer overdue (heard again, revoked, gone). */
  overdueOver(q: OverdueQuery, from: Cursor = FIRST_ALERT, limit = 500): Page<Ended> {
    return page(this.s.offlineOver, q, from, limit, ENDED);
  }

  /** Devices with a battery under `below` % and no open "low_battery" alert, nor one staff resolved in the day before `now`. */
  lowBattery(below: number, now: number, from: Cursor = FIRST_DEVICE, limit = 500): Page<{ id: string; battery: number }> {
    return page(below <= LOW_BATTERY_INDEXED ? this.s.lowBattery : this.s.lowBatteryScan, { below, now }, from, limit, ['id', 'battery']);
  }

  /** `id`'s battery if lowBattery() would list the device: under `below` %, not revoked, not alerted (as above). */
  lowBatteryOf(id: string, below: number, now: number): number | undefined {
    return this.s.lowBatteryOf.get({ id, below, now }) as number | undefined;
  }

  /** Whether lowBatteryOver() would clear `id`'s low-battery alert: its stored battery is known and LOW_BATTERY_CLEAR_GAP points over `below`. */
  batteryRecovered(id: string, below: number): boolean {
    return this.s.batteryRecovered.get({ id, below }) === 1;
  }

  lowBatteryOver(below: number, from: Cursor = FIRST_ALERT, limit = 500): Page<Ended> {
    return page(this.s.lowBatteryOver, { below }, from, limit, ENDED);
  }

  /** Devices not test-pressed since `before` (nor installed since), without an open "test_overdue" alert, nor one staff resolved since their last test. */
  testOverdue(before: number, from: Cursor = FIRST_DEVICE, limit = 500): Page<{ id: string; lastTest: number }> {
    return page(this.s.testOverdue, { before }, from, limit, ['id', 'lastTest']);
  }

  testOverdueOver(before: number, from: Cursor = FIRST_ALERT, limit = 500): Page<Ended> {
    return page(this.s.testOverdueOver, { before }, from, limit, ENDED);
  }

  openTechnical(): { id: string; deviceId: string | null; reason: string }[] {
    return this.s.openTech.all() as { id: string; deviceId: string | null; reason: string }[];
  }

  /** The open hub-wide technical alert (no device) for `reason`, if any. */
  openHubWide(reason: string): string | null {
    return (this.s.openHubWide.get(reason) as { id: string } | undefined)?.id ?? null;
  }

  /**
   * The heartbeat intervals of the devices heard at or after `since` (those the start-up grace holds
   * back: PAST_START_GRACE). One read of every device, at start-up.
   */
  heartbeatsSince(since: number): number[] {
    return this.s.heartbeatsSince.all(since) as number[];
  }

  getState(key: string): number | null {
    return (this.s.getState.get(key) as { value: number } | undefined)?.value ?? null;
  }

  setState(key: string, value: number): void {
    this.s.setState.run(key, value);
  }
}
