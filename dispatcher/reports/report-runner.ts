/**
 * Builds report figures and the device and household lists in a worker thread (report-worker.ts),
 * one job at a time, queued. A year's street-office report read and computed on the event loop held
 * up every ack and console push for its whole duration: 0.26–1.3 s on this project's test machine,
 * depending on its load (docs/reports.md); the health list of 10,000 devices 0.2–2.5 s
 * (bench/device-list-cost.ts).
 *
 * The worker starts on the first job; report-worker-boot.mjs loads it through tsx, the hub's own
 * TypeScript runtime. If it cannot start at all (in-memory database, loader missing), jobs run on
 * the calling thread as before, and that is logged once. If it fails while working, the jobs it
 * held fail with a clear error, and the next job starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { HubError } from '../errors.ts';
import type { ReportFigures } from './report-figures.ts';
import type { ReadRequest } from './report-worker.ts';
import type { FiguresQuery, ReadJob, ReadResult } from './read-jobs.ts';
import type { DeviceHealthQuery, DeviceListQuery } from './device-lists.ts';
import { EVERY_HOUSEHOLD, type HouseholdSearch } from './household-search.ts';

export type { FiguresQuery } from './read-jobs.ts';

/** Reports waiting or being built at once; more get 429 (each is a whole-period read). */
export const MAX_QUEUED_REPORTS = 8;

interface Waiting { job: ReadJob; resolve(r: ReadResult): void; reject(err: Error): void }

export class ReportRunner {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Set once the worker could not start: reports are built inline from then on. */
  private broken: string | null = null;
  readonly stats = { inWorker: 0, inline: 0, failed: 0, workersStarted: 0 };

  /**
   * Device lists being built, by what they ask for (the time aside): consoles that ask for the same
   * list meanwhile get the same answer. Every open devices view asks every 30 s, and consoles of one
   * scope ask for one list.
   */
  private readonly shared = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly dbPath: string | null,
    private readonly inline: (job: ReadJob) => ReadResult,
    private readonly log: Logger,
  ) {
    if (dbPath === null) this.broken = 'in-memory database';
  }

  get mode(): 'worker' | 'inline' {
    return this.broken === null ? 'worker' : 'inline';
  }

  figures(q: FiguresQuery): Promise<ReportFigures> {
    const reports = [...this.waiting.values()].filter((w) => w.job.kind === 'figures').length;
    if (this.broken === null && reports >= MAX_QUEUED_REPORTS) {
      return Promise.reject(new HubError('E_RATE_LIMITED', `${MAX_QUEUED_REPORTS} reports are being built already: try again shortly`));
    }
    return this.run({ kind: 'figures', ...q }) as Promise<ReportFigures>;
  }

  /** GET /api/devices as JSON (UTF-8). */
  deviceList(q: DeviceListQuery): Promise<Uint8Array> {
    return this.share(`devices ${q.scopePath} ${q.unplaced}`, { kind: 'devices', ...q });
  }

  /** GET /api/devices/health as JSON, or as CSV when `q.csv` (UTF-8). */
  deviceHealth(q: DeviceHealthQuery): Promise<Uint8Array> {
    // Consoles polling the same page of the same scope share a build; another page or filter is a build of its own.
    return this.share(`health ${q.scopePath} ${q.graceMs} ${JSON.stringify(q.page ?? null)} ${q.csv === true}`, { kind: 'device-health', ...q });
  }

  /** GET /api/households as JSON, or as CSV in the import's columns when `csv` (UTF-8): every household in scope, or those a search finds. */
  householdList(scopePath: string | null, q: HouseholdSearch = EVERY_HOUSEHOLD, csv = false): Promise<Uint8Array> {
    return this.share(`households ${scopePath} ${JSON.stringify(q)} ${csv}`, { kind: 'households', scopePath, ...q, csv });
  }

  private share(key: string, job: ReadJob): Promise<Uint8Array> {
    const running = this.shared.get(key);
    if (running) return running;
    const p = (this.run(job) as Promise<Uint8Array>).finally(() => this.shared.delete(key));
    this.shared.set(key, p);
    return p;
  }

  private run(job: ReadJob): Promise<ReadResult> {
    if (this.broken !== null) {
      this.stats.inline++;
      try {
        return Promise.resolve(this.inline(job));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const id = this.nextId++;
    return new Promise<ReadResult>((resolve, reject) => {
      this.waiting.set(id, { job, resolve, reject });
      this.start().postMessage({ id, ...job } satisfies ReadRequest);
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
    w.on('message', (m: { id?: number; result?: ReadResult; error?: string; broken?: string }) => {
      if (m.broken !== undefined) return this.giveUp(w, m.broken);
      if (m.id === undefined) return;
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if (m.result !== undefined) { this.stats.inWorker++; p.resolve(m.result); } else { this.stats.failed++; p.reject(new HubError('E_INTERNAL', `the ${p.job.kind === 'figures' ? 'report' : 'device list'} could not be built: ${m.error}`)); }
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
    this.log.warn({ why }, 'report worker could not start: reports and device lists are built on the event loop');
    const queued = [...this.waiting.values()];
    this.waiting.clear();
    for (const p of queued) {
      this.stats.inline++;
      try { p.resolve(this.inline(p.job)); } catch (err) { p.reject(err as Error); }
    }
  }

  private lost(w: Worker, why: string): void {
    if (this.worker !== w) return;
    this.worker = null;
    if (this.waiting.size) this.log.error({ why, jobs: this.waiting.size }, 'report worker failed; the next report or list starts a new one');
    this.failAll(`the report worker stopped (${why}): try again`);
  }

  private failAll(message: string): void {
    for (const p of this.waiting.values()) { this.stats.failed++; p.reject(new HubError('E_INTERNAL', message)); }
    this.waiting.clear();
  }
}
