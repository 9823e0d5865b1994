/**
 * The numbered change feed. Each alert change is numbered and stored (a small row, inside the
 * same transaction as the change), and once the transaction has committed handed to listeners
 * (the WebSocket push). A console that reconnects resumes from the last number it saw.
 *
 * An alert changed several times in one transaction (a group commit of device events often
 * holds a call and its repeat presses) becomes one change. The alert's view is not stored
 * and not built here: a listener builds it with frameOf() only if someone may see the change,
 * from the alert's current state (its `version` lets a console drop what it already has). Building
 * and storing a ~1.5 KB view per change whether or not a console was listening was a third of
 * the hub's time per alarm (issue 6).
 */
import type { Store } from '../store/store.ts';
import type { AlertRow } from '../store/alert-repo.ts';
import { alertViewBytes } from './alert-view.ts';

export interface Change { seq: number; alertId: string; gridPath: string; at: number }
export type ChangeListener = (c: Change) => void;

const CLOSE = Buffer.from('}');
/** A change frame's payload (UTF-8 JSON): {"type":"change","seq":N,"alert":VIEW}. */
export const changeFrame = (seq: number, view: Buffer): Buffer => Buffer.concat([Buffer.from(`{"type":"change","seq":${seq},"alert":`), view, CLOSE]);

export class ChangeFeed {
  /** Each listener, and what it is told once a commit's changes have all been delivered. */
  private readonly listeners = new Map<ChangeListener, (() => void) | undefined>();
  private pending: Change[] = [];
  /** Alerts changed in the open transaction, in order; sealed into changes before it commits. */
  private log: { a: AlertRow; at: number }[] = [];

  constructor(private readonly store: Store) {}

  /** Call inside the transaction that changed the alert; then seal() before it commits, take() after. */
  record(a: AlertRow, at: number): void {
    this.log.push({ a, at });
  }

  /** Inside the transaction, last: stores one numbered change per alert recorded. */
  seal(): void {
    const log = this.log;
    if (log.length === 0) return;
    this.log = [];
    const latest = new Map<string, { a: AlertRow; at: number }>();
    for (const r of log) {
      latest.delete(r.a.id);
      latest.set(r.a.id, r);
    }
    for (const { a, at } of latest.values()) {
      const seq = this.store.alerts.recordChange(a.id, a.gridPath, at);
      this.pending.push({ seq, alertId: a.id, gridPath: a.gridPath, at });
    }
  }

  /** The change's frame payload (UTF-8 JSON), with the alert's current view; null if the alert is gone. */
  frameOf(c: Change): Buffer | null {
    const a = this.store.alerts.get(c.alertId);
    return a ? changeFrame(c.seq, alertViewBytes(this.store, a)) : null;
  }

  /** Takes the sealed changes of the transaction that just committed, for deliver(). */
  take(): Change[] {
    const batch = this.pending;
    this.pending = [];
    return batch;
  }

  /** Delivers changes to listeners, after their transaction committed; then tells each the batch is done. */
  deliver(batch: Change[]): void {
    if (batch.length === 0) return;
    for (const c of batch) {
      for (const l of this.listeners.keys()) {
        try { l(c); } catch { /* one failing listener must not stop the others */ }
      }
    }
    for (const done of this.listeners.values()) {
      try { done?.(); } catch { /* likewise */ }
    }
  }

  /** A position to roll back to if the work after it is undone. */
  mark(): { log: number; pending: number } {
    return { log: this.log.length, pending: this.pending.length };
  }

  /** Drops the changes recorded after `mark` (their transaction or savepoint rolled back). */
  rollbackTo(mark = { log: 0, pending: 0 }): void {
    this.log.length = Math.min(this.log.length, mark.log);
    this.pending.length = Math.min(this.pending.length, mark.pending);
  }

  /** `l` hears each change; `batchDone`, if given, once every change of a commit has been heard. */
  subscribe(l: ChangeListener, batchDone?: () => void): () => void {
    this.listeners.set(l, batchDone);
    return () => this.listeners.delete(l);
  }
}
