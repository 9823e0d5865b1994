/**
 * The numbered change feed. Each alert change is serialized once, stored with its number
 * (inside the same transaction as the change), and after the commit handed to listeners
 * (the WebSocket push) as a ready-made frame. A console that reconnects resumes from the
 * last number it saw.
 *
 * An alert changed several times in one transaction (a group commit of device events often
 * holds a call and its repeat presses) becomes one change carrying its final state: the view
 * is built, serialized and stored once per alert per transaction (issue 6 profile).
 */
import type { Store } from '../store/store.ts';
import type { AlertRow } from '../store/alert-repo.ts';
import { buildAlertView, type AlertView } from './alert-view.ts';

export interface Change { seq: number; alertId: string; gridPath: string; view: AlertView; frame: string }
export type ChangeListener = (c: Change) => void;

export const changeFrame = (seq: number, body: string): string => `{"type":"change","seq":${seq},"alert":${body}}`;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private pending: Change[] = [];
  /** Alerts changed in the open transaction, in order; sealed into changes before it commits. */
  private log: { a: AlertRow; at: number }[] = [];

  constructor(private readonly store: Store) {}

  /** Call inside the transaction that changed the alert; then seal() before it commits, flush() after. */
  record(a: AlertRow, at: number): void {
    this.log.push({ a, at });
  }

  /** Inside the transaction, last: stores one change per alert recorded, with its latest state. */
  seal(): void {
    const log = this.log;
    if (log.length === 0) return;
    this.log = [];
    const latest = new Map<string, { a: AlertRow; at: number }>();
    for (const r of log) {
      latest.delete(r.a.id);
      latest.set(r.a.id, r);
    }
    for (const r of latest.values()) {
      const a = this.store.alerts.get(r.a.id) ?? r.a;
      const at = r.at;
      const view = buildAlertView(this.store, a);
      const body = JSON.stringify(view);
      const seq = this.store.alerts.recordChange(a.id, a.gridPath, at, body);
      this.pending.push({ seq, alertId: a.id, gridPath: a.gridPath, view, frame: changeFrame(seq, body) });
    }
  }

  /** Delivers sealed changes to listeners; call after the transaction committed. */
  flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (const c of batch) {
      for (const l of this.listeners) {
        try { l(c); } catch { /* one failing listener must not stop the others */ }
      }
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

  subscribe(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
