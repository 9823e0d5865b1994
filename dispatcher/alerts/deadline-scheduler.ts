/**
 * Keeps one timer on the earliest stored deadline. Deadlines live in the store, so after a
 * restart start() re-arms them, and one that fell due while the hub was down fires at once.
 * A step re-reads the alert, so an accept that cleared the deadline cancels it for sure.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { AlertService } from './alert-service.ts';

const MAX_SLEEP_MS = 60 * 60 * 1000;
const STEP_CHUNK = 100;

export class DeadlineScheduler {
  private timer: unknown = null;
  private armedFor: number | null = null;
  private running = false;

  constructor(private readonly store: Store, private readonly alerts: AlertService, private readonly clock: Clock, private readonly log: Logger) {}

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Re-reads the earliest deadline and sets the timer for it. Cheap; call after changes. */
  arm(): void {
    if (!this.running) return;
    const next = this.store.alerts.nextDeadline();
    if (next === this.armedFor && this.timer !== null) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = next;
    if (next === null) return;
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_SLEEP_MS);
    this.timer = this.clock.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = null;
    const now = this.clock.now();
    const due = this.store.alerts.dueIds(now);
    // In chunks, one transaction each: 2,000 calls escalating at once used to be 2,000 fsyncs in a row (issue 6).
    for (let i = 0; i < due.length; i += STEP_CHUNK) {
      try {
        this.alerts.stepMany(due.slice(i, i + STEP_CHUNK), now);
      } catch (err) {
        this.log.error({ err, alerts: due.slice(i, i + STEP_CHUNK).length }, 'escalation steps failed; retrying in 1 s');
        this.timer = this.clock.setTimeout(() => this.fire(), 1000);
        return;
      }
    }
    this.arm();
  }
}
