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
 *
 * The log starts again from its beginning only when a write begins after a checkpoint copied all of
 * it. Under a steady stream of commits (benchmark 1: a group commit every turn of the event loop)
 * the worker never finishes ahead of the next commit, so the log grew to the backstop and the hub's
 * connection then checkpointed inside a COMMIT, with two fsyncs, on the event loop: 10–21 ms every
 * 0.6 s at 10,000 alarms/s. Hence the handover: once the log is past `restartAtFrames`, the worker
 * copies what it can, then the hub holds its device-event commits (`gate`: events queue, nothing
 * blocks the loop) while the worker copies the rest, and lets them go; the first of them starts the
 * log again. A hold lasts one final pass (a few milliseconds), and at most `maxHoldMs`; after a hold
 * that ran out, the handover rests for 5 s.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './db.ts';

/** SQLite's default; used again if the worker fails. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** With the worker running, the hub's connection checkpoints only beyond this many pages (≈ 80 MB). Benchmark 1 writes
 * about 20,000 frames/s, 5,000 between two passes: the handover (below) starts the log again well before. */
const BACKSTOP_AUTOCHECKPOINT = 20_000;
/** Past this many frames (≈ 8 MB) the log is handed over to start again (see above). */
const RESTART_AT_FRAMES = 2_000;
const MAX_HOLD_MS = 100;
/** After a hold that ran out (a disk that stalls), no handover for this long: the backstop covers. */
const QUIET_AFTER_TIMEOUT_MS = 5_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 50');
const pass = (type) => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ type, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String(err && err.message || err) });
  }
};
const timer = setInterval(() => pass('checkpoint'), workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
  else if (m === 'prepare') pass('prepared');
  else if (m === 'finish') pass('finished');
});
parentPort.postMessage({ type: 'ready' });
`;

export interface CheckpointStats { runs: number; lastLog: number; lastCheckpointed: number; errors: number; handovers: number; restarts: number; longestHoldMs: number; holdMsTotal: number; holdsTimedOut: number }

/** Holds and lets go the hub's device-event commits (DeviceIngest). */
export interface WriteGate { hold(): void; release(): void }

export interface CheckpointerOptions { everyMs?: number; gate?: WriteGate; restartAtFrames?: number; maxHoldMs?: number }

type WorkerMessage = { type: string; message?: string; log?: number; checkpointed?: number };

export class Checkpointer {
  private worker: Worker | null;
  private stopped = false;
  readonly stats: CheckpointStats = { runs: 0, lastLog: 0, lastCheckpointed: 0, errors: 0, handovers: 0, restarts: 0, longestHoldMs: 0, holdMsTotal: 0, holdsTimedOut: 0 };
  private quietUntil = 0;
  /** 'idle', or where the handover is: the worker's first pass, or the final one with the gate held. */
  private handover: 'idle' | 'preparing' | 'holding' = 'idle';
  private heldAt = 0;
  private holdTimer: NodeJS.Timeout | null = null;
  private readonly opts: Required<Omit<CheckpointerOptions, 'gate'>> & { gate: WriteGate | null };

  constructor(private readonly db: Db, path: string, private readonly onProblem: (message: string) => void, opts: CheckpointerOptions = {}) {
    this.opts = { everyMs: 250, restartAtFrames: RESTART_AT_FRAMES, maxHoldMs: MAX_HOLD_MS, ...opts, gate: opts.gate ?? null };
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, everyMs: this.opts.everyMs } });
    this.worker.unref();
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
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
    this.letGo();
    this.worker?.postMessage('stop');
    this.worker = null;
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'ready') {
      if (!this.stopped) this.setAutocheckpoint(BACKSTOP_AUTOCHECKPOINT);
      return;
    }
    if (m.type === 'error') {
      this.stats.errors++;
      this.letGo();
      this.onProblem(`background checkpoint failed: ${m.message}`);
      return;
    }
    this.stats.runs++;
    this.stats.lastLog = m.log ?? 0;
    this.stats.lastCheckpointed = m.checkpointed ?? 0;
    if (this.stopped || !this.opts.gate) return;
    if (m.type === 'checkpoint' && this.handover === 'idle' && this.stats.lastLog >= this.opts.restartAtFrames && performance.now() >= this.quietUntil) {
      this.handover = 'preparing';
      this.stats.handovers++;
      this.worker?.postMessage('prepare');
    } else if (m.type === 'prepared' && this.handover === 'preparing') {
      this.handover = 'holding';
      this.heldAt = performance.now();
      this.opts.gate.hold();
      this.holdTimer = setTimeout(() => {
        this.stats.holdsTimedOut++;
        this.quietUntil = performance.now() + QUIET_AFTER_TIMEOUT_MS;
        this.letGo();
      }, this.opts.maxHoldMs);
      this.worker?.postMessage('finish');
    } else if (m.type === 'finished' && this.handover === 'holding') {
      // All copied with the commits held: the next commit starts the log again.
      if (m.log === m.checkpointed) this.stats.restarts++;
      this.letGo();
    }
  }

  /** Ends a handover, letting the held commits go. */
  private letGo(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    if (this.handover === 'holding') {
      const ms = performance.now() - this.heldAt;
      this.stats.longestHoldMs = Math.max(this.stats.longestHoldMs, +ms.toFixed(1));
      this.stats.holdMsTotal = +(this.stats.holdMsTotal + ms).toFixed(1);
      this.opts.gate?.release();
    }
    this.handover = 'idle';
  }

  private fallBack(message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.letGo();
    this.worker = null;
    this.setAutocheckpoint(DEFAULT_AUTOCHECKPOINT);
    this.onProblem(`${message}; the hub checkpoints on its own connection again`);
  }

  private setAutocheckpoint(pages: number): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${pages}`);
  }
}
