/**
 * Applies the alert lifecycle to the store: raising calls and technical alerts, staff actions,
 * and escalation steps. Every change is one transaction (commit-units.ts); device notifications
 * and console pushes go out only after it commits.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { AlertRow } from '../store/alert-repo.ts';
import { alertRow, newAlertRow } from '../store/alert-row.ts';
import type { Staff } from '../store/staff-repo.ts';
import { transition, type AlertInput, type Effect, type Rules, type DeviceStatus } from '../domain/alert-machine.ts';
import { planPlacement, type Placement } from '../domain/escalation.ts';
import { chainUp } from '../domain/grid.ts';
import { HubError } from '../errors.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { DutyDesk } from './duty.ts';
import { buildAlertView, type AlertView } from './alert-view.ts';
import { OpenCallRedraw } from './open-call-redraw.ts';
import { CommitUnits } from './commit-units.ts';

export interface DeviceLink { notify(deviceId: string, alertId: string, status: DeviceStatus): void }
export interface AlertSettings { escalateAfterS: number; arriveWithinS: number; cancelWindowS: number }
export interface RaiseInput {
  kind: 'call' | 'technical'; reason: string; deviceId: string | null; householdId: number | null; gridId: number;
  detail?: string; via?: string; data?: Record<string, unknown>;
}

export class AlertService {
  /** The transactions alert changes are made in, and what runs after each commits. */
  readonly units: CommitUnits;
  readonly rules: Rules;
  /** Open calls sent again when their household, a grid node's or a staff member's name changed. */
  readonly redraw: OpenCallRedraw;

  constructor(
    private readonly store: Store,
    private readonly feed: ChangeFeed,
    private readonly duty: DutyDesk,
    private readonly devices: DeviceLink,
    private readonly settings: AlertSettings,
    private readonly log: Logger,
  ) {
    this.units = new CommitUnits(store, feed, log);
    this.rules = { cancelWindowMs: settings.cancelWindowS * 1000, arriveWithinMs: settings.arriveWithinS * 1000 };
    this.redraw = new OpenCallRedraw(store, feed, (fn) => this.unit(fn));
  }

  /** One transaction, its effects after it commits (commit-units.ts). */
  unit<T>(fn: () => T): T {
    return this.units.unit(fn);
  }

  /** The device-event and staff-action path's transaction (commit-units.ts). */
  unitUnsynced<T>(fn: () => T, durable: (out: T) => void, refused: (err: Error) => void): T {
    return this.units.unitUnsynced(fn, durable, refused);
  }

  /** Inside an enclosing transaction, a savepoint (commit-units.ts). */
  savepoint<T>(fn: () => T): T {
    return this.units.savepoint(fn);
  }

  /**
   * Inside a transaction: creates an alert and records the change. A call is inserted already placed
   * on its escalation chain (level, first deadline): one row write instead of an insert followed by an
   * update of every index the row is in, on the path of every new call (issue 6, benchmark 2).
   */
  raise(r: RaiseInput, now: number): AlertRow {
    const grid = this.store.grid.get(r.gridId);
    const id = randomUUID();
    const fresh = {
      id, kind: r.kind, reason: r.reason, deviceId: r.deviceId, householdId: r.householdId, gridId: grid.id, gridPath: grid.path,
      state: 'raised' as const, level: 0, presses: 1, isTest: false, detail: r.detail ?? '', raisedAt: now, deadlineAt: null, deadlineKind: null,
    };
    if (r.kind !== 'call') {
      const a = this.store.alerts.insert(fresh);
      this.logRaised(r, id, now);
      this.feed.record(a, now);
      return a;
    }
    const plan = this.planFor(fresh, 0, now, false);
    const placed = this.placedRow(newAlertRow(fresh), plan, now, false);
    const a = this.store.alerts.insert(placed.alert);
    this.logRaised(r, id, now);
    this.logPlacement(a, plan, placed.effects, now, false);
    if (r.deviceId) this.queueNotify(r.deviceId, id, 'received');
    return a;
  }

  /** Inside a transaction: applies an input, saves, records the change, queues device effects. */
  apply(a: AlertRow, input: AlertInput, now: number, staff: Staff | null = null, record = true): AlertRow {
    const r = transition(a, input, now, this.rules);
    if (!r.ok) {
      const holder = r.holder ? this.store.staff.get(r.holder) : undefined;
      const msg = holder ? `${r.message}: ${holder.displayName}` : r.message;
      throw new HubError('E_ILLEGAL_TRANSITION', msg, { state: a.state, holder: holder ? { id: holder.id, name: holder.displayName } : null });
    }
    if (r.alert === a && r.effects.length === 0) return a; // idempotent repeat
    const next = alertRow(a, r.alert); // { ...a, ...r.alert }, field by field (alert-repo.ts)
    if (!this.store.alerts.save(next, now, a)) throw new HubError('E_CONFLICT', 'the alert changed meanwhile: try again');
    next.version = a.version + 1;
    this.runEffects(next, r.effects, now, staff);
    if (record) this.feed.record(next, now);
    return next;
  }

  private runEffects(a: AlertRow, effects: Effect[], now: number, staff: Staff | null): void {
    for (const e of effects) {
      if (e.type === 'log') this.store.alerts.appendEvent(a.id, now, e.event, e.staffId ?? staff?.id ?? null, e.data);
      else if (a.deviceId) this.queueNotify(a.deviceId, a.id, e.status);
    }
  }

  private logRaised(r: RaiseInput, id: string, now: number): void {
    const data: Record<string, unknown> = { reason: r.reason, via: r.via ?? null };
    if (r.data) Object.assign(data, r.data);
    this.store.alerts.appendEvent(id, now, 'raised', null, data);
  }

  /**
   * Places an unaccepted call on the chain: at its level, or one up when `moveUp`. Whoever handed
   * it back (cannot go) is passed over at every level, now and at each later step: alone at a level,
   * the call climbs past it at once; with nobody else reachable anywhere, it rings for them again
   * (escalation.ts). A call just raised (version 0) has no such entries: no lookup.
   */
  private place(a: AlertRow, now: number, moveUp: boolean): AlertRow {
    const plan = this.planFor(a, a.version, now, moveUp);
    const placed = this.placedRow(a, plan, now, moveUp);
    const next = alertRow(a, placed.alert);
    if (!this.store.alerts.save(next, now, a)) throw new HubError('E_CONFLICT', 'the alert changed meanwhile: try again');
    next.version = a.version + 1;
    return this.logPlacement(next, plan, placed.effects, now, moveUp);
  }

  private planFor(a: Pick<AlertRow, 'id' | 'gridPath' | 'level'>, version: number, now: number, moveUp: boolean): Placement {
    return planPlacement({
      chain: chainUp(a.gridPath), fromLevel: a.level, moveUp, now,
      onDuty: (n) => this.duty.onDuty(n, now),
      isOnline: (s) => this.duty.isOnline(s),
      escalateAfterS: (n) => this.store.grid.find(n)?.escalateAfterS ?? this.settings.escalateAfterS,
      passedOver: version === 0 ? [] : this.store.alerts.handedBackBy(a.id),
    });
  }

  /** The escalate transition for a plan: the call's new level and deadline, and what to log. */
  private placedRow(a: AlertRow, plan: Placement, now: number, moveUp: boolean): { alert: AlertRow; effects: Effect[] } {
    const initial = a.deadlineAt === null && !moveUp;
    const r = transition(a, { type: 'escalate', toLevel: plan.level, nextDeadlineAt: plan.nextDeadlineAt, initial }, now, this.rules);
    if (!r.ok) throw new HubError('E_ILLEGAL_TRANSITION', r.message, { state: a.state });
    return { alert: alertRow(a, r.alert), effects: r.effects };
  }

  /** Inside the transaction, once the call is stored at its place: the timeline entries, the nobody-online alert, the change. */
  private logPlacement(a: AlertRow, plan: Placement, effects: Effect[], now: number, moveUp: boolean): AlertRow {
    for (const s of plan.skipped) this.store.alerts.appendEvent(a.id, now, 'level_skipped', null, { level: s.level, nodeId: s.nodeId, why: s.why });
    this.runEffects(a, effects, now, null);
    // Built without spreads: on the path of every new call (a spread of a literal takes V8's slow path).
    const notified: Record<string, unknown> = { level: plan.level, nodeId: plan.nodeId, notified: plan.reach, onDutyOffline: plan.onDutyOffline };
    if (plan.askedAgain) notified.askedAgain = true;
    this.store.alerts.appendEvent(a.id, now, 'notified', null, notified);
    if (plan.nobodyReachable) this.nobodyOnline(a, plan.nodeId, now, !moveUp);
    const stored = this.store.alerts.get(a.id)!;
    this.feed.record(stored, now);
    return stored;
  }

  /**
   * Inside a transaction: nobody at any level is connected. One open "no duty staff online" alert at
   * the top; each later call joins its timeline once, when it arrives (`arriving`), not again at every
   * re-notification: a thousand waiting calls re-notified every minute added a thousand entries a
   * minute to that one alert, and as many warnings to the log.
   */
  private nobodyOnline(call: AlertRow, topNodeId: number, now: number, arriving: boolean): void {
    const open = this.store.health.openHubWide('no_staff_online');
    if (open && !arriving) return;
    this.log.warn({ alertId: call.id, topNodeId, technicalAlertId: open }, 'no duty staff online at any level: call placed at the top level, technical alert raised');
    if (open) {
      this.store.alerts.appendEvent(open, now, 'nobody_online_again', null, { callId: call.id, gridId: call.gridId });
      // A new version, so consoles redraw its record with the call that joined it (an entry alone sends no change).
      const row = this.store.alerts.get(open);
      if (row && this.store.alerts.save(row, now, row)) this.feed.record(this.store.alerts.get(open)!, now);
      return;
    }
    this.raise({ kind: 'technical', reason: 'no_staff_online', deviceId: null, householdId: null, gridId: topNodeId,
      detail: 'a call arrived and no duty staff were online at any level: it waits at the top level', data: { callId: call.id, gridId: call.gridId } }, now);
  }

  /** Runs the step due at an alert's deadline. Returns false when nothing was due. */
  step(alertId: string, now: number): boolean {
    return this.stepMany([alertId], now) > 0;
  }

  /** The due steps of several alerts in one transaction: a burst of deadlines costs one commit, not one each (issue 6). */
  stepMany(alertIds: string[], now: number): number {
    return this.unit(() => alertIds.filter((alertId) => {
      const a = this.store.alerts.get(alertId);
      if (!a || a.deadlineAt === null || a.deadlineAt > now) return false; // accepted or moved meanwhile
      if (a.deadlineKind === 'escalate') {
        this.place(a, now, true);
      } else if (a.deadlineKind === 'renotify_arrive') {
        const next = this.apply(a, { type: 'renotify', nextDeadlineAt: now + this.rules.arriveWithinMs }, now, null, false);
        const chain = chainUp(a.gridPath);
        const above = chain[Math.min(next.level + 1, chain.length - 1)];
        const notified = [...new Set([a.acceptedBy!, ...this.duty.onDuty(above, now).filter((s) => this.duty.isOnline(s))])];
        this.store.alerts.appendEvent(a.id, now, 'notified', null, { level: next.level + 1, nodeId: above, notified, reason: 'arrive_overdue' });
        this.feed.record(this.store.alerts.get(a.id)!, now);
      }
      return true;
    }).length);
  }

  /**
   * A staff action from the API: visibility check, transition, commit, effects. Committed like a device
   * event, without SQLite's own fsync on the event loop (on a disk that stalls one took up to 240 ms, and
   * every device and console waited behind it): the consoles hear at once; the device's notification and
   * the answer to the staff member wait for the group fdatasync. A refused action (not visible, illegal)
   * rejects at once; an fdatasync that fails rejects with E_STORAGE.
   */
  act(alertId: string, staff: Staff, input: AlertInput, now: number): Promise<AlertView> {
    return new Promise((resolve, reject) => {
      this.unitUnsynced(() => {
        const a = this.visible(alertId, staff);
        let next = this.apply(a, input, now, staff);
        // Handed back: it rings again on the chain, past whoever handed it back.
        if (input.type === 'release' && next.kind === 'call') next = this.place(next, now, false);
        return buildAlertView(this.store, next);
      }, resolve, (err) => reject(new HubError('E_STORAGE', `the action was stored but could not be made durable (${err.message}): look at the call again before repeating it`)));
    });
  }

  /** The alert if `staff` may see it; 404 when missing, 403 when outside their grid. */
  visible(alertId: string, staff: Staff): AlertRow {
    const a = this.store.alerts.get(alertId);
    if (!a) throw new HubError('E_NOT_FOUND', 'no such alert');
    if (!this.canSee(staff, a.gridPath)) throw new HubError('E_FORBIDDEN', 'this alert is outside your grid');
    return a;
  }

  onDutyNow(nodeId: number, now: number): number[] {
    return this.duty.onDuty(nodeId, now);
  }

  /** Whether a rostered person counts as on duty at a node: not disabled, and their area contains it. */
  canActAt(staffId: number, nodeId: number): boolean {
    return this.duty.canActAt(staffId, nodeId);
  }

  /** True while the staff member has a console open: what placing a call asks. */
  isOnline(staffId: number): boolean {
    return this.duty.isOnline(staffId);
  }

  canSee(staff: Staff, gridPath: string): boolean {
    return this.duty.canSee(staff, gridPath);
  }

  /** The grid path under which `staff` sees calls and devices: null for everything (an unscoped admin), undefined for nothing. */
  scopeOf(staff: Staff): string | null | undefined {
    return this.duty.scopeOf(staff);
  }

  private queueNotify(deviceId: string, alertId: string, status: DeviceStatus): void {
    this.units.afterDurable(() => this.devices.notify(deviceId, alertId, status));
  }
}
