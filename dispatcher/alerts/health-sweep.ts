/**
 * Raises and clears technical alerts from the store on a timer: a device offline (silent for
 * longer than 2 x heartbeat + grace), low battery, and no test press for 31 days. Driven from
 * the store, not broker memory, so a crash loses nothing (DESIGN.md invariant 5). A device
 * never heard since it was registered is shown as "never connected" in the health list
 * rather than raised, so installing a batch of devices does not flood the consoles.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { LOW_BATTERY_CLEAR_GAP, type Cursor, type Ended, type Page } from '../store/health-repo.ts';
import type { Clock } from '../clock.ts';
import type { AlertService } from './alert-service.ts';

/** Raises or clears per transaction; the rest follow on later turns of the event loop. */
const SWEEP_CHUNK = 50;
/** Rows a sweep reads per turn of the event loop (a turn of 0.6–1.9 ms at the median here, bench/sweep-cost.ts); the rest on later turns. */
const SWEEP_PAGE = 500;
/**
 * A full sweep (every walk, from the start) at least this often. The sweeps between read only what fell
 * due since the sweep before: a device with a problem nobody fixes (a resident who never test-presses)
 * was read again by every sweep, every 5 s, for good (bench/sweep-cost.ts, bench/README.md item 76).
 */
export const FULL_SWEEP_EVERY_MS = 60_000;

type SweepAction =
  | { type: 'raise'; reason: string; deviceId: string; detail: string }
  | { type: 'clear'; reason: string; deviceId: string; alertId: string };

const raise = (reason: string, deviceId: string, detail: string): SweepAction => ({ type: 'raise', reason, deviceId, detail });
const clear = (reason: string, e: Ended): SweepAction => ({ type: 'clear', reason, deviceId: e.deviceId, alertId: e.alertId });

/** One page of one of the sweep's walks, as the actions it calls for. */
type Walk = (from: Cursor | undefined, limit: number) => Page<SweepAction>;
const actionsOf = <T>(p: Page<T>, act: (row: T) => SweepAction): Page<SweepAction> => ({ rows: p.rows.map(act), read: p.read, next: p.next });

/**
 * Rows of a walk's page one device's lookup counts as: about 10 µs each (two EXISTS; 5,000 in 50 ms at
 * 50,000 devices), five times a row of a page, so a turn of lookups lasts about as long as a page.
 */
const LOOKUP_ROWS = 5;

/** The devices `ids` (each heard in a heartbeat), a page's worth at a time, each looked up by `actionOf`. */
function heardWalk(ids: string[], actionOf: (id: string) => SweepAction | undefined): Walk {
  return (from, limit) => {
    const start = from === undefined ? 0 : Number(from[0]);
    const end = Math.min(ids.length, start + Math.max(1, Math.floor(limit / LOOKUP_ROWS)));
    const rows: SweepAction[] = [];
    for (let i = start; i < end; i++) {
      const a = actionOf(ids[i]);
      if (a) rows.push(a);
    }
    return { rows, read: (end - start) * LOOKUP_ROWS, next: end < ids.length ? [end, 0] : null };
  };
}

/** Where a walk starts: at the key `since` (a window of what fell due after it), or at the first row. */
const startAt = (since: number | null): Cursor | undefined => (since === null ? undefined : [since, -1]);

/** A sweep under way: the walks still to read (the first where `from` says), then the actions still to apply. */
interface SweepJob { walks: Walk[]; from: Cursor | undefined; actions: SweepAction[]; now: number; first: boolean }

export interface HealthSettings { heartbeatGraceS: number; lowBatteryPct: number; testEveryDays: number; sweepMs: number }
export const DEFAULT_HEALTH: Omit<HealthSettings, 'heartbeatGraceS'> = { lowBatteryPct: 20, testEveryDays: 31, sweepMs: 5000 };

export class HealthSweep {
  private timer: unknown = null;
  /** A sweep is under way: the rest of its reads, or of its raises and clears, wait for a later turn of the event loop. */
  private draining = false;
  private stopped = false;
  private startedAt = 0;
  private aliveCutoff = 0;
  /** The time of the last sweep begun (its reads end there), or null: the next sweep is a full one. */
  private lastNow: number | null = null;
  private lastFullAt = -Infinity;
  /**
   * When the start-up grace ends for each heartbeat interval of the devices it holds back (PAST_START_GRACE).
   * Such a device falls due then without its key moving, so the first sweep after each is full.
   */
  private graceEnds: number[] = [];
  /** Devices whose heartbeat reported a low battery, written to the store since the last sweep began. */
  private lowHeard = new Set<string>();
  /** Devices with an open low-battery alert whose heartbeat reported the battery recovered, since the last sweep began. */
  private recoveredHeard = new Set<string>();
  /** Told when a sweep fails (the storage fault alert notices a failing store without device traffic). */
  onError: (err: unknown) => void = () => {};

  constructor(private readonly store: Store, private readonly alerts: AlertService, private readonly clock: Clock,
    private readonly log: Logger, private readonly settings: HealthSettings) {}

  start(): void {
    this.stopped = false;
    this.startedAt = this.clock.now();
    // When did the hub last run? Devices already overdue then are flagged at once; the rest get a fresh interval.
    this.aliveCutoff = this.store.health.getState('alive_at') ?? 0;
    this.lastNow = null;
    this.graceEnds = this.store.health.heartbeatsSince(this.aliveCutoff).map((s) => this.startedAt + (2 * s + this.settings.heartbeatGraceS) * 1000);
    this.schedule(1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * A heartbeat's battery reading is in the store (presence.ts onWritten): a low one is checked by the
   * next sweep, within 5 s, rather than by the next full one, within a minute. Each device is looked up
   * by its key; one already alerted, or resolved by staff in the day before, is left as the full sweep
   * leaves it. So is a recovered one (new batteries), LOW_BATTERY_CLEAR_GAP points over the threshold:
   * its open alert is cleared by the next sweep. Whether the device has one comes from the store's live
   * cache (one read per device, then remembered and kept up to date), so a healthy fleet's heartbeats cost
   * the sweep nothing.
   */
  batteryHeard(deviceId: string, battery: number): void {
    const pct = this.settings.lowBatteryPct;
    if (battery < pct) this.lowHeard.add(deviceId);
    else if (battery >= pct + LOW_BATTERY_CLEAR_GAP && this.store.alerts.openForDevice(deviceId, 'technical', 'low_battery')) this.recoveredHeard.add(deviceId);
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.sweep(); // its failures are logged and told in step()
      this.schedule(this.settings.sweepMs);
    }, ms);
  }

  /**
   * Finds what changed, then raises and clears alerts SWEEP_CHUNK per transaction. A full sweep has six
   * walks: for each problem, the devices that have it and no open alert yet, and the open alerts whose
   * device no longer has it. One sweep a minute is full (FULL_SWEEP_EVERY_MS), and so are the first, the
   * first after the start-up grace ends for devices it held back (at a time per heartbeat interval), and
   * the one after a sweep failed. The others walk only the devices that fell silent or overdue for their
   * test since the sweep before (their index keys are times: the window between the two sweeps' bounds)
   * and the open offline alerts, so that a device heard again is cleared within 5 s, and the devices
   * whose heartbeat reported a low battery since, or a recovered one while alerted (batteryHeard). A
   * device whose heartbeat interval was shortened, a battery changed in the store by another hand: the
   * next full sweep, within a minute (a test press clears its reminder at once, device-ingest.ts; a
   * device's own low-battery event raises at once).
   *
   * The walks read SWEEP_PAGE rows per turn of the event loop and the changes are applied one chunk per
   * turn: the first page and the first chunk now, the rest on the following turns. Read whole, 50,000
   * devices known to be untested held the loop 46 ms every 5 s; applied in one transaction, a power cut
   * that put 5,000 devices offline held it for 1.06 s, and no press was acked meanwhile (issue 6,
   * bench/sweep-cost.ts, bench/power-cut.ts). Not a clock timer between steps: an injected clock must not
   * hold back work that is due. A sweep that finds the previous one still at work skips its turn.
   */
  sweep(now = this.clock.now()): void {
    if (this.draining) return;
    const h = this.store.health;
    const q = { now, graceS: this.settings.heartbeatGraceS, aliveCutoff: this.aliveCutoff, startedAt: this.startedAt };
    const testBefore = now - this.settings.testEveryDays * 86_400_000;
    const pct = this.settings.lowBatteryPct;
    const last = this.lastNow;
    const full = last === null || now < last || now - this.lastFullAt >= FULL_SWEEP_EVERY_MS
      || this.graceEnds.some((t) => t >= last && t < now); // the grace ended for some devices: they are due only after it
    // The keys that fell due since the sweep before: the same bounds as its own, at its time.
    const silentSince = full ? null : last - q.graceS * 1000;
    const untestedSince = full ? null : last - this.settings.testEveryDays * 86_400_000;
    const walks: Walk[] = [
      (from, n) => actionsOf(h.overdue(q, from ?? startAt(silentSince), n), (d) => raise('offline', d.id, `no heartbeat or connection since ${new Date(d.lastSeen).toISOString()}`)),
      (from, n) => actionsOf(h.testOverdue(testBefore, from ?? startAt(untestedSince), n), (d) => raise('test_overdue', d.id, `no test press since ${new Date(d.lastTest).toISOString()}`)),
      (from, n) => actionsOf(h.overdueOver(q, from, n), (e) => clear('offline', e)),
    ];
    // Taken by every sweep: a full one walks every low battery and every open low-battery alert anyway.
    const low = [...this.lowHeard];
    const recovered = [...this.recoveredHeard];
    this.lowHeard.clear();
    this.recoveredHeard.clear();
    if (!full && low.length > 0) {
      walks.push(heardWalk(low, (id) => {
        const b = h.lowBatteryOf(id, pct, now);
        return b === undefined ? undefined : raise('low_battery', id, `battery ${b}%`);
      }));
    }
    if (!full && recovered.length > 0) {
      walks.push(heardWalk(recovered, (id) => {
        const a = this.store.alerts.openForDevice(id, 'technical', 'low_battery');
        return a && h.batteryRecovered(id, pct) ? clear('low_battery', { alertId: a.id, deviceId: id }) : undefined;
      }));
    }
    if (full) {
      walks.push(
        (from, n) => actionsOf(h.lowBattery(pct, now, from, n), (d) => raise('low_battery', d.id, `battery ${d.battery}%`)),
        (from, n) => actionsOf(h.lowBatteryOver(pct, from, n), (e) => clear('low_battery', e)),
        (from, n) => actionsOf(h.testOverdueOver(testBefore, from, n), (e) => clear('test_overdue', e)),
      );
      this.lastFullAt = now;
    }
    this.lastNow = now;
    this.draining = true;
    this.step({ walks, from: undefined, actions: [], now, first: true });
  }

  /** One turn of a sweep: up to SWEEP_PAGE rows read, or, once every walk is done, one chunk applied. */
  private step(job: SweepJob): void {
    try {
      if (job.walks.length > 0) this.read(job);
      else this.applyChunk(job);
    } catch (err) {
      this.draining = false;
      this.lastNow = null; // the next sweep is a full one, and finds what this one left
      this.log.error({ err }, 'health sweep failed');
      this.onError(err);
      return;
    }
    if (!this.draining) return;
    setImmediate(() => {
      if (this.stopped) this.draining = false;
      else this.step(job);
    });
  }

  private read(job: SweepJob): void {
    for (let budget = SWEEP_PAGE; budget > 0 && job.walks.length > 0;) {
      const p = job.walks[0](job.from, budget);
      for (const a of p.rows) job.actions.push(a);
      budget -= p.read;
      job.from = p.next ?? undefined;
      if (!p.next) job.walks.shift();
    }
    if (job.walks.length === 0) this.applyChunk(job);
  }

  private applyChunk(job: SweepJob): void {
    const chunk = job.actions.splice(0, SWEEP_CHUNK);
    const first = job.first;
    job.first = false;
    this.alerts.unit(() => {
      if (first) this.store.health.setState('alive_at', job.now);
      for (const a of chunk) this.act(a, job.now);
    });
    this.draining = job.actions.length > 0;
  }

  /** One raise or clear, checked again: between chunks a device may have reported, or staff closed an alert. */
  private act(x: SweepAction, now: number): void {
    if (x.type === 'raise') {
      if (this.store.alerts.openForDevice(x.deviceId, 'technical', x.reason)) return;
      const d = this.store.devices.get(x.deviceId);
      const hh = d?.householdId != null ? this.store.households.get(d.householdId) : undefined;
      const gridId = hh?.gridId ?? this.store.grid.root()?.id;
      if (gridId === undefined) return;
      this.alerts.raise({ kind: 'technical', reason: x.reason, deviceId: x.deviceId, householdId: hh?.id ?? null, gridId, detail: x.detail }, now);
      return;
    }
    const a = this.store.alerts.get(x.alertId);
    if (a && (a.state === 'raised' || a.state === 'accepted')) this.alerts.apply(a, { type: 'clear' }, now);
  }
}
