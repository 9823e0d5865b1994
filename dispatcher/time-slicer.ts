/**
 * Runs long jobs on the event loop in slices: each job is a generator that yields between small
 * steps, and one pump runs the queued jobs, oldest first, for at most `budgetMs` per turn of the
 * loop before giving way (setImmediate) to presses, acks and everything else. Consoles' catch-ups
 * and the alert lists of the HTTP API share one; the console upgrade queue drains through its own.
 *
 * One pump for all jobs, not one setImmediate chain per job: twenty consoles connecting at once
 * would otherwise each take a slice in the same turn, and the turn would last twenty slices.
 */
export type SlicedJob = Generator<unknown, void, void>;

/** `fn` over `items`, one item per step; undefined results are left out. */
export function* mapSliced<T, U>(items: readonly T[], fn: (t: T) => U | undefined): Generator<unknown, U[], void> {
  const out: U[] = [];
  for (const t of items) {
    const u = fn(t);
    if (u !== undefined) out.push(u);
    yield;
  }
  return out;
}

/** Runs a sliced job to its end at once, for callers that may hold the loop (tests, small inputs, tools). */
export function runToEnd<T>(job: Generator<unknown, T, void>): T {
  for (;;) {
    const step = job.next();
    if (step.done) return step.value;
  }
}

export class TimeSlicer {
  private readonly jobs: SlicedJob[] = [];
  private scheduled = false;

  constructor(private readonly budgetMs = 5, private readonly onError: (err: unknown) => void = () => {}) {}

  /** Queues a job; its first step runs on a later turn of the loop. */
  run(job: SlicedJob): void {
    this.jobs.push(job);
    this.schedule();
  }

  /** Queues a job that computes a value; the promise settles with it, or with what the job threw. */
  result<T>(job: Generator<unknown, T, void>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.run((function* settle() {
        try {
          resolve(yield* job);
        } catch (err) {
          reject(err);
        }
      })());
    });
  }

  pending(): number {
    return this.jobs.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    const end = performance.now() + this.budgetMs;
    while (this.jobs.length > 0 && performance.now() < end) {
      const job = this.jobs[0];
      let done = true;
      try {
        done = job.next().done === true;
      } catch (err) { // a job that throws is dropped; the others go on
        this.onError(err);
      }
      if (done) this.jobs.shift();
    }
    if (this.jobs.length > 0) this.schedule();
  }
}
