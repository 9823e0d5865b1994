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
/**
 * Due steps per transaction, and per turn of the event loop: between chunks the hub answers devices and
 * consoles. 1,000 calls escalating together as one synchronous run of ten 100-step chunks paused the
 * event loop for up to 188 ms in the 10-minute soak (issue 6, benchmark 6).
 */
const STEP_CHUNK = 50;

export class DeadlineScheduler {
  private timer: unknown = null;
  private armedFor: number | null = null;
  private running = false;
  /** Due steps remain for the next turn (see fire). */
  private draining = false;

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
    if (!this.running || this.draining) return;
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
    // One more than a chunk, to know whether more are due: 11,000 calls falling due together used to be
    // read whole for every chunk of 50 (issue 6, bench/mass-escalation.ts).
    const due = this.store.alerts.dueIds(now, STEP_CHUNK + 1);
    // One transaction per chunk: 2,000 calls escalating at once used to be 2,000 fsyncs in a row (issue 6).
    const chunk = due.slice(0, STEP_CHUNK);
    try {
      if (chunk.length) this.alerts.stepMany(chunk, now);
    } catch (err) {
      this.log.error({ err, alerts: chunk.length }, 'escalation steps failed; retrying in 1 s');
      this.timer = this.clock.setTimeout(() => this.fire(), 1000);
      return;
    }
    if (due.length > STEP_CHUNK) {
      // The rest on the next turn, after the device and console I/O that waited. Not a clock timer: an
      // injected clock must not hold back steps that are already due. arm() keeps off meanwhile.
      this.draining = true;
      setImmediate(() => {
        this.draining = false;
        if (this.running) this.fire();
      });
      return;
    }
    this.arm();
  }
}
