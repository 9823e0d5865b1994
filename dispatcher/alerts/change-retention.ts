/**
 * Keeps the numbered change feed to its resume window. A change row exists so that a console
 * that lost its connection can resume from its last number; one older than the window is never
 * asked for (a console further behind gets a snapshot), but without pruning every change ever
 * made stayed in the store: at 100 changes a second, 8.6 million rows a day.
 *
 * Every `everyMs` it deletes rows older than `keepMs`, `chunk` rows per transaction, yielding to
 * the event loop between chunks, so a first run after a long time catches up without a long pause.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';

export interface RetentionSettings { keepMs: number; everyMs: number; chunk: number }
export const DEFAULT_RETENTION: RetentionSettings = { keepMs: 24 * 3_600_000, everyMs: 10 * 60_000, chunk: 2000 };

export class ChangeRetention {
  private timer: unknown = null;
  private stopped = true;
  pruned = 0;

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly log: Logger,
    private readonly settings: RetentionSettings = DEFAULT_RETENTION) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.settings.everyMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One chunk of rows older than the window; true when more may be left. */
  pruneChunk(now = this.clock.now()): boolean {
    // Deferred durability: rows whose deletion is lost with the machine are deleted again next time.
    const n = this.store.txDeferred(() => this.store.alerts.pruneChanges(now - this.settings.keepMs, this.settings.chunk));
    this.pruned += n;
    return n === this.settings.chunk;
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.run(), ms);
  }

  private run(): void {
    if (this.stopped) return;
    let more = false;
    try {
      more = this.pruneChunk();
    } catch (err) {
      this.log.error({ err }, 'pruning old change rows failed; trying again later');
    }
    if (more) setImmediate(() => this.run());
    else this.schedule(this.settings.everyMs);
  }
}
