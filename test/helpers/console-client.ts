/** A real WebSocket console client for tests: collects frames and waits for conditions. */
import WebSocket from 'ws';
import { changeEpoch } from '../../dispatcher/push/change-epoch.ts';

export interface Frame { type: string; seq?: number; alert?: any; alerts?: any[]; remaining?: number; [k: string]: unknown }

/** A frame of a snapshot: the first (`snapshot`) or a later page (`snapshot_page`) of a big one. */
export const isSnapshotPage = (f: Frame): boolean => f.type === 'snapshot' || f.type === 'snapshot_page';
/** The snapshot's last frame: nothing remaining. */
export const isSnapshotEnd = (f: Frame): boolean => isSnapshotPage(f) && !f.remaining;
/** Every alert of the console's first snapshot, all its pages. */
export function snapshotAlerts(frames: Frame[]): any[] {
  const start = frames.findIndex((f) => f.type === 'snapshot');
  if (start < 0) return [];
  const out: any[] = [];
  for (const f of frames.slice(start)) {
    if (!isSnapshotPage(f) || (f.type === 'snapshot' && f !== frames[start])) continue;
    out.push(...(f.alerts ?? []));
    if (!f.remaining) break;
  }
  return out;
}

export class ConsoleClient {
  readonly frames: Frame[] = [];
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closed = false;
  /** The close code the hub sent (4001: log in again; 4002: reconnect). */
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      this.frames.push(f);
      for (const w of [...this.waiters]) if (w.pred(f)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(f); }
    });
    ws.on('close', (code) => { this.closed = true; this.closeCode = code; });
  }

  /** With `since`, resumes; the epoch defaults to this machine's (the hub's, when it runs here). */
  static open(url: string, token: string, since?: number, epoch: string = changeEpoch()): Promise<ConsoleClient> {
    const q = new URLSearchParams({ token });
    if (since !== undefined) {
      q.set('since', String(since));
      q.set('epoch', epoch);
    }
    const ws = new WebSocket(`${url}?${q}`);
    const c = new ConsoleClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      // Ready once the snapshot's last page (or the resume marker) has arrived.
      c.waitFor((f) => isSnapshotEnd(f) || f.type === 'resumed', 10_000).then(() => resolve(c), reject);
    });
  }

  waitFor(pred: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const hit = this.frames.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (f: Frame) => { clearTimeout(timer); resolve(f); } };
      const timer = setTimeout(() => { this.waiters.splice(this.waiters.indexOf(w), 1); reject(new Error(`no matching frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.type).join(',')}`)); }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Waits for a change frame about `alertId` matching `pred`. */
  change(alertId: string, pred: (a: any) => boolean = () => true, timeoutMs = 3000): Promise<any> {
    return this.waitFor((f) => f.type === 'change' && f.alert?.id === alertId && pred(f.alert), timeoutMs).then((f) => f.alert);
  }

  alertIds(): Set<string> {
    const ids = new Set<string>();
    for (const f of this.frames) {
      if (f.type === 'change' && f.alert) ids.add(f.alert.id);
      if (isSnapshotPage(f)) for (const a of f.alerts ?? []) ids.add(a.id);
    }
    return ids;
  }

  lastSeq(): number {
    let s = 0;
    for (const f of this.frames) if (typeof f.seq === 'number') s = Math.max(s, f.seq);
    return s;
  }

  close(): void {
    this.ws.terminate();
  }
}
