/**
 * Builds report figures in a worker thread (report-worker.ts), one report at a time, queued.
 * A year's street-office report read and computed on the event loop held up every ack and
 * console push for its whole duration: 0.26–1.3 s on this project's test machine, depending
 * on its load (docs/reports.md).
 *
 * The worker starts on the first report; report-worker-boot.mjs loads it through tsx, the
 * hub's own TypeScript runtime. If it cannot start at all (in-memory database, loader
 * missing), reports are built on the calling thread as before, and that is logged once. If it
 * fails while working, the reports it held fail with a clear error, and the next report starts
 * a new worker.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { HubError } from '../errors.ts';
import type { ReportFigures } from './report-figures.ts';
import type { FiguresRequest } from './report-worker.ts';

export type FiguresQuery = Omit<FiguresRequest, 'id'>;

/** Reports waiting or being built at once; more get 429 (each is a whole-period read). */
export const MAX_QUEUED_REPORTS = 8;

interface Waiting { q: FiguresQuery; resolve(f: ReportFigures): void; reject(err: Error): void }

export class ReportRunner {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Set once the worker could not start: reports are built inline from then on. */
  private broken: string | null = null;
  readonly stats = { inWorker: 0, inline: 0, failed: 0, workersStarted: 0 };

  constructor(
    private readonly dbPath: string | null,
    private readonly inline: (q: FiguresQuery) => ReportFigures,
    private readonly log: Logger,
  ) {
    if (dbPath === null) this.broken = 'in-memory database';
  }

  get mode(): 'worker' | 'inline' {
    return this.broken === null ? 'worker' : 'inline';
  }

  figures(q: FiguresQuery): Promise<ReportFigures> {
    if (this.broken !== null) {
      this.stats.inline++;
      return Promise.resolve(this.inline(q));
    }
    if (this.waiting.size >= MAX_QUEUED_REPORTS) {
      return Promise.reject(new HubError('E_RATE_LIMITED', `${MAX_QUEUED_REPORTS} reports are being built already: try again shortly`));
    }
    const id = this.nextId++;
    return new Promise<ReportFigures>((resolve, reject) => {
      this.waiting.set(id, { q, resolve, reject });
      this.start().postMessage({ id, ...q } satisfies FiguresRequest);
    });
  }

  /** Ends the worker; reports still waiting fail. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failAll('the hub is stopping');
    if (w) await w.terminate().catch(() => {});
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // execArgv: [] because a worker inherits the hub's node options by default, and a preload the
    // worker cannot load (`--import ./some.ts` before tsx is active there) made every start fail.
    const w = new Worker(new URL('./report-worker-boot.mjs', import.meta.url), { execArgv: [], workerData: { dbPath: this.dbPath, file: './report-worker.ts' } });
    w.unref();
    this.stats.workersStarted++;
    w.on('message', (m: { id?: number; figures?: ReportFigures; error?: string; broken?: string }) => {
      if (m.broken !== undefined) return this.giveUp(w, m.broken);
      if (m.id === undefined) return;
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if (m.figures) { this.stats.inWorker++; p.resolve(m.figures); } else { this.stats.failed++; p.reject(new HubError('E_INTERNAL', `the report could not be built: ${m.error}`)); }
    });
    w.on('error', (err) => this.lost(w, err.message));
    w.on('exit', (code) => this.lost(w, `exited with code ${code}`));
    this.worker = w;
    return w;
  }

  /** The worker cannot run here: answer the waiting reports inline, and every later one. */
  private giveUp(w: Worker, why: string): void {
    if (this.worker === w) this.worker = null;
    void w.terminate().catch(() => {});
    this.broken = why;
    this.log.warn({ why }, 'report worker could not start: reports are built on the event loop');
    const queued = [...this.waiting.values()];
    this.waiting.clear();
    for (const p of queued) {
      this.stats.inline++;
      try { p.resolve(this.inline(p.q)); } catch (err) { p.reject(err as Error); }
    }
  }

  private lost(w: Worker, why: string): void {
    if (this.worker !== w) return;
    this.worker = null;
    if (this.waiting.size) this.log.error({ why, reports: this.waiting.size }, 'report worker failed; the next report starts a new one');
    this.failAll(`the report worker stopped (${why}): try again`);
  }

  private failAll(message: string): void {
    for (const p of this.waiting.values()) { this.stats.failed++; p.reject(new HubError('E_INTERNAL', message)); }
    this.waiting.clear();
  }
}
