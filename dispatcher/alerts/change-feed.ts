/**
 * The numbered change feed. Each alert change is serialized once, stored with its number
 * (inside the same transaction as the change), and after the commit handed to listeners
 * (the WebSocket push) as a ready-made frame. A console that reconnects resumes from the
 * last number it saw.
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

  constructor(private readonly store: Store) {}

  /** Call inside the transaction that changed the alert. Delivered by flush() after commit. */
  record(a: AlertRow, at: number): Change {
    const view = buildAlertView(this.store, a);
    const body = JSON.stringify(view);
    const seq = this.store.alerts.recordChange(a.id, a.gridPath, at, body);
    const c = { seq, alertId: a.id, gridPath: a.gridPath, view, frame: changeFrame(seq, body) };
    this.pending.push(c);
    return c;
  }

  /** Delivers recorded changes to listeners; call after the transaction committed. */
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
  mark(): number {
    return this.pending.length;
  }

  /** Drops the changes recorded after `mark` (their transaction or savepoint rolled back). */
  rollbackTo(mark = 0): void {
    this.pending.length = mark;
  }

  subscribe(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
