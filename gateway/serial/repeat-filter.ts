/**
 * De-duplicates the repeats of one press. A held EV1527 button repeats its frame, and several
 * receivers may hear it: every copy within `windowMs` of the previous copy of the same code
 * (from any receiver) belongs to the same press. A gap above the window starts a new press.
 * Times are monotonic milliseconds. Memory is bounded: stale codes are swept.
 */
export class RepeatFilter {
  private last = new Map<string, number>();
  private sweepAt = 0;

  constructor(readonly windowMs: number, private readonly maxCodes = 10_000) {}

  /** True when this copy starts a new press; always records the copy. */
  fresh(address: number, key: number, t: number): boolean {
    const k = `${address}:${key}`;
    const prev = this.last.get(k);
    this.last.delete(k); // re-insert so Map order is oldest-heard first
    this.last.set(k, t);
    if (this.last.size > this.maxCodes || t - this.sweepAt > this.windowMs * 10) this.sweep(t);
    return prev === undefined || t - prev > this.windowMs;
  }

  /** Forgets a code, so its next copy counts as a new press (used when a commit failed). */
  forget(address: number, key: number): void {
    this.last.delete(`${address}:${key}`);
  }

  size(): number {
    return this.last.size;
  }

  private sweep(t: number): void {
    this.sweepAt = t;
    for (const [k, at] of this.last) {
      if (t - at <= this.windowMs && this.last.size <= this.maxCodes) break;
      this.last.delete(k);
    }
  }
}
