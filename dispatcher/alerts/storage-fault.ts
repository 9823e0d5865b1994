/**
 * The "storage fault" technical alert. When the store refuses a device event batch (disk full,
 * locked, read-only, I/O error), the alert cannot be written to that store, so it lives in
 * memory: pushed to every console at once, included in every snapshot while the fault lasts,
 * and logged. When a write succeeds again (the next batch, or a probe every few seconds) it is
 * persisted as an ordinary technical alert at the top of the grid, and the in-memory copy is
 * closed on the consoles. Devices are never acked meanwhile, so they keep re-sending.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import type { AlertService } from './alert-service.ts';
import type { AlertView } from './alert-view.ts';

export interface VolatileAlertSink { pushVolatile(view: AlertView): void }

interface Active { view: AlertView; since: number; code: string; batches: number; events: number }

const PROBE_MS = 3000;

/** SQLite errors that mean "the store cannot take writes now", as opposed to a bad event. */
export function isStorageFault(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOTADB)/.test(code);
}

export class StorageFaultMonitor {
  private active: Active | null = null;
  private probe: unknown = null;
  sink: VolatileAlertSink | null = null;
  /** Faults seen since start (a fault lasting many batches counts once). */
  episodes = 0;

  constructor(private readonly store: Store, private readonly alerts: AlertService, private readonly clock: Clock, private readonly log: Logger) {}

  /** The in-memory alerts a console snapshot must include. */
  volatile(): AlertView[] {
    return this.active ? [this.active.view] : [];
  }

  get faulty(): boolean {
    return this.active !== null;
  }

  /** A batch of `events` device events was not committed. */
  fault(err: unknown, events: number): void {
    const code = (err as { code?: string })?.code ?? 'unknown';
    const now = this.clock.now();
    if (this.active) {
      this.active.batches++;
      this.active.events += events;
      return;
    }
    this.episodes++;
    const view = this.syntheticView(code, (err as Error)?.message ?? String(err), now);
    this.active = { view, since: now, code, batches: 1, events };
    this.log.error({ alertId: view.id, code, events }, 'STORAGE FAULT: device events cannot be stored; technical alert raised on the consoles (devices are not acked and keep re-sending)');
    this.sink?.pushVolatile(view);
    this.armProbe();
  }

  /** A periodic writer (the health sweep) failed: a storage fault even when no device is sending. */
  noticed(err: unknown): void {
    if (isStorageFault(err)) this.fault(err, 0);
  }

  /** A write succeeded: if a fault was active, persist its alert and close the in-memory copy. */
  ok(): void {
    if (!this.active) return;
    const a = this.active;
    const now = this.clock.now();
    const detail = `storage fault ${a.code} from ${new Date(a.since).toISOString()} to ${new Date(now).toISOString()}: ${a.batches} batch(es), ${a.events} device event(s) refused and re-sent by the devices`;
    try {
      const root = this.store.grid.root();
      if (!root) return;
      this.alerts.unit(() => this.alerts.raise({ kind: 'technical', reason: 'storage_fault', deviceId: null, householdId: null, gridId: root.id, detail,
        data: { code: a.code, since: a.since, batches: a.batches, events: a.events, volatileId: a.view.id } }, now));
    } catch (err) {
      this.log.warn({ err }, 'store still failing; storage fault alert kept in memory');
      return;
    }
    this.active = null;
    this.stopProbe();
    this.log.warn({ code: a.code, durationMs: now - a.since, events: a.events }, 'storage recovered: storage fault alert persisted');
    this.sink?.pushVolatile({ ...a.view, state: 'resolved', resolvedAt: now, outcome: 'other', note: 'storage recovered', version: a.view.version + 1, detail });
  }

  stop(): void {
    this.stopProbe();
  }

  private armProbe(): void {
    this.stopProbe();
    this.probe = this.clock.setTimeout(() => {
      this.probe = null;
      if (!this.active) return;
      this.ok();
      if (this.active) this.armProbe();
    }, PROBE_MS);
  }

  private stopProbe(): void {
    if (this.probe !== null) this.clock.clearTimeout(this.probe);
    this.probe = null;
  }

  private syntheticView(code: string, message: string, now: number): AlertView {
    let root = { id: 0, name: '', level: '', path: '/' };
    try {
      const r = this.store.grid.root();
      if (r) root = { id: r.id, name: r.name, level: r.level, path: r.path };
    } catch { /* even reads fail: show it at the root anyway */ }
    return {
      id: `storage-fault-${randomUUID()}`, kind: 'technical', reason: 'storage_fault', state: 'raised',
      detail: `STORAGE FAULT (${code}): device calls cannot be stored and are not acknowledged; devices keep re-sending. ${message}`.slice(0, 500),
      isTest: false, deviceId: null, householdId: null, gridId: root.id, gridName: root.name, gridPath: root.path,
      level: 0, levelNodeId: root.id, levelName: root.name, levelKind: root.level, topLevel: 0, presses: 0,
      raisedAt: now, acceptedAt: null, acceptedBy: null, onSiteAt: null, resolvedAt: null, resolvedBy: null, cancelledAt: null,
      outcome: null, note: null, deadlineAt: null, deadlineKind: null, household: null, notified: [],
      timeline: [{ at: now, type: 'raised', staffId: null, staffName: null, data: { reason: 'storage_fault', code, inMemory: true } }],
      timelineOmitted: 0,
      version: 0,
    };
  }
}
