/**
 * Raises and clears technical alerts from the store on a timer: a device offline (silent for
 * longer than 2 x heartbeat + grace), low battery, and no test press for 31 days. Driven from
 * the store, not broker memory, so a crash loses nothing (DESIGN.md invariant 5). A device
 * never heard since it was registered is shown as "never connected" in the health list
 * rather than raised, so installing a batch of devices does not flood the consoles.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import type { AlertService } from './alert-service.ts';

export interface HealthSettings { heartbeatGraceS: number; lowBatteryPct: number; testEveryDays: number; sweepMs: number }
export const DEFAULT_HEALTH: Omit<HealthSettings, 'heartbeatGraceS'> = { lowBatteryPct: 20, testEveryDays: 31, sweepMs: 5000 };

export class HealthSweep {
  private timer: unknown = null;
  private startedAt = 0;
  private aliveCutoff = 0;
  /** Told when a sweep fails (the storage fault alert notices a failing store without device traffic). */
  onError: (err: unknown) => void = () => {};

  constructor(private readonly store: Store, private readonly alerts: AlertService, private readonly clock: Clock,
    private readonly log: Logger, private readonly settings: HealthSettings) {}

  start(): void {
    this.startedAt = this.clock.now();
    // When did the hub last run? Devices already overdue then are flagged at once; the rest get a fresh interval.
    this.aliveCutoff = this.store.health.getState('alive_at') ?? 0;
    this.schedule(1000);
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      try {
        this.sweep();
      } catch (err) {
        this.log.error({ err }, 'health sweep failed');
        this.onError(err);
      }
      this.schedule(this.settings.sweepMs);
    }, ms);
  }

  sweep(now = this.clock.now()): void {
    const h = this.store.health;
    const open = new Map<string, string>();
    for (const t of h.openTechnical()) if (t.deviceId) open.set(`${t.deviceId}|${t.reason}`, t.id);
    const overdue = h.overdue({ now, graceS: this.settings.heartbeatGraceS, aliveCutoff: this.aliveCutoff, startedAt: this.startedAt });
    const lowBat = h.lowBattery(this.settings.lowBatteryPct);
    const noTest = h.testOverdue(now - this.settings.testEveryDays * 86_400_000);
    this.alerts.unit(() => {
      h.setState('alive_at', now);
      this.reconcile('offline', overdue.map((d) => ({ id: d.id, detail: `no heartbeat or connection since ${new Date(d.lastSeen).toISOString()}` })), open, now);
      this.reconcile('low_battery', lowBat.map((d) => ({ id: d.id, detail: `battery ${d.battery}%` })), open, now);
      this.reconcile('test_overdue', noTest.map((d) => ({ id: d.id, detail: `no test press since ${new Date(d.lastTest).toISOString()}` })), open, now);
    });
  }

  /** Raises an alert for each device in `bad` without one; clears open ones whose device recovered. */
  private reconcile(reason: string, bad: { id: string; detail: string }[], open: Map<string, string>, now: number): void {
    const badIds = new Set(bad.map((b) => b.id));
    for (const b of bad) {
      if (open.has(`${b.id}|${reason}`)) continue;
      const d = this.store.devices.get(b.id);
      const hh = d?.householdId != null ? this.store.households.get(d.householdId) : undefined;
      const gridId = hh?.gridId ?? this.store.grid.root()?.id;
      if (gridId === undefined) continue;
      this.alerts.raise({ kind: 'technical', reason, deviceId: b.id, householdId: hh?.id ?? null, gridId, detail: b.detail }, now);
    }
    for (const [key, alertId] of open) {
      const [deviceId, r] = key.split('|');
      if (r !== reason || badIds.has(deviceId)) continue;
      if (reason === 'low_battery') {
        const d = this.store.devices.get(deviceId);
        if (d?.battery == null || d.battery < this.settings.lowBatteryPct + 10) continue; // hysteresis; device-reported low battery stays
      }
      const a = this.store.alerts.get(alertId);
      if (a) this.alerts.apply(a, { type: 'clear' }, now);
    }
  }
}
