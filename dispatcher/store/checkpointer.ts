/**
 * Copies the write-ahead log back into the database file from a worker thread.
 *
 * better-sqlite3 is synchronous: when the hub's own connection checkpoints (by default after
 * every commit that leaves the WAL over 1,000 pages), the copy and the database file's fsync
 * run on the event loop. Measured on this project's test machine, that made one commit in
 * ten take 8–11 ms instead of 2 ms, and every ack and console push waited behind it (issue 6).
 * A second connection in a worker does the copying (PASSIVE: it never blocks the writer), and
 * the hub's connection keeps only a backstop at a much larger WAL size, which then finds
 * most frames already copied. If the worker fails, the hub's connection goes back to
 * SQLite's default and the failure is logged: checkpoints slow down, nothing is lost.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './db.ts';

/** SQLite's default; used again if the worker fails. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** With the worker running, the hub's connection checkpoints only beyond this many pages (≈ 40 MB). */
const BACKSTOP_AUTOCHECKPOINT = 10_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 50');
const timer = setInterval(() => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ type: 'checkpoint', busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String(err && err.message || err) });
  }
}, workerData.everyMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); } });
parentPort.postMessage({ type: 'ready' });
`;

export interface CheckpointStats { runs: number; lastLog: number; lastCheckpointed: number; errors: number }

export class Checkpointer {
  private worker: Worker | null;
  private stopped = false;
  readonly stats: CheckpointStats = { runs: 0, lastLog: 0, lastCheckpointed: 0, errors: 0 };

  constructor(private readonly db: Db, path: string, private readonly onProblem: (message: string) => void, everyMs = 500) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, everyMs } });
    this.worker.unref();
    this.worker.on('message', (m: { type: string; message?: string; log?: number; checkpointed?: number }) => {
      if (m.type === 'ready' && !this.stopped) this.setAutocheckpoint(BACKSTOP_AUTOCHECKPOINT);
      else if (m.type === 'checkpoint') {
        this.stats.runs++;
        this.stats.lastLog = m.log ?? 0;
        this.stats.lastCheckpointed = m.checkpointed ?? 0;
      } else if (m.type === 'error') {
        this.stats.errors++;
        this.onProblem(`background checkpoint failed: ${m.message}`);
      }
    });
    this.worker.on('error', (err) => this.fallBack(`background checkpointer stopped: ${err.message}`));
    this.worker.on('exit', (code) => { if (!this.stopped) this.fallBack(`background checkpointer exited with code ${code}`); });
  }

  get running(): boolean {
    return this.worker !== null && !this.stopped;
  }

  /** Before the hub's connection closes (which checkpoints whatever is left itself). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker?.postMessage('stop');
    this.worker = null;
  }

  private fallBack(message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker = null;
    this.setAutocheckpoint(DEFAULT_AUTOCHECKPOINT);
    this.onProblem(`${message}; the hub checkpoints on its own connection again`);
  }

  private setAutocheckpoint(pages: number): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${pages}`);
  }
}
