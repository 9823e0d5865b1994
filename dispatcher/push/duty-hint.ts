/**
 * Telling open consoles that the duty board changed (a staff member's console opened or closed, a
 * roster, the tree or an account was edited), so a duty page shows it in seconds instead of at its
 * next poll. The frame carries nothing but its type: each duty page asks GET /api/duty again (a
 * spread of up to a second apart), and a console on another page ignores it.
 *
 * At most one hint per `gapMs`: at a shift change, consoles open and close every few seconds,
 * and each open duty page costs the hub 7–11 ms per board (bench/README item 56). The first change
 * after a quiet spell goes out at once; changes within the gap are told once, when it ends.
 */
import type { Clock } from '../clock.ts';

export const DUTY_HINT_GAP_MS = 5000;
export const DUTY_HINT_FRAME = JSON.stringify({ type: 'duty' });

export class DutyHint {
  private lastAt = -Infinity;
  private timer: unknown = null;
  sent = 0;

  constructor(private readonly clock: Clock, private readonly send: () => void, private readonly gapMs = DUTY_HINT_GAP_MS) {}

  /** Something on the board changed. */
  poke(): void {
    if (this.timer !== null) return; // already due at the end of the gap
    const wait = this.lastAt + this.gapMs - this.clock.now();
    if (wait <= 0) return this.fire();
    this.timer = this.clock.setTimeout(() => { this.timer = null; this.fire(); }, wait);
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.lastAt = this.clock.now();
    this.sent++;
    this.send();
  }
}
