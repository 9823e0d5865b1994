/**
 * Telling open consoles that the duty board changed (a staff member's console opened or closed, a
 * roster, the tree or an account was edited), so a duty page shows it in seconds instead of at its
 * next poll. The frame carries nothing but its type: each duty page asks GET /api/duty again (a
 * spread of up to a second apart), and a console on another page ignores it.
 *
 * At most one hint per `gapMs`: at a shift change, consoles open and close every few seconds,
 * and each open duty page costs the hub 7–11 ms per board (bench/README item 56). The first change
 * after a quiet spell goes out at once; changes within the gap are told once, when it ends.
 *
 * Each change comes with the area where it happened (a grid path, or null: anywhere); the hint goes
 * to the consoles whose area lies above, below or on one of them (ConsoleSocket.pushDutyHint), not to
 * every console of the city: a grid worker's console opening elsewhere in the street office tells
 * nothing to the workers of the other grids.
 */
import type { Clock } from '../clock.ts';

export const DUTY_HINT_GAP_MS = 5000;
export const DUTY_HINT_FRAME = JSON.stringify({ type: 'duty' });
/** The hint when a roster, node or account was edited, not only someone's presence: pages that show rosters (the gaps) ask again too. */
export const DUTY_EDIT_FRAME = JSON.stringify({ type: 'duty', edited: true });

export class DutyHint {
  private lastAt = -Infinity;
  private timer: unknown = null;
  /** The areas changed since the last hint; `anywhere` when one of them was everywhere. */
  private areas = new Set<string>();
  private anywhere = false;
  /** A roster, node or account edit among the changes, not only presence. */
  private edited = false;
  sent = 0;

  constructor(private readonly clock: Clock, private readonly send: (areas: readonly string[] | null, edited: boolean) => void, private readonly gapMs = DUTY_HINT_GAP_MS) {}

  /** Something on the board changed, in `area` (a grid path; null: anywhere); `edited`: an edit, not someone's presence. */
  poke(area: string | null = null, edited = false): void {
    this.edited ||= edited;
    if (area === null) this.anywhere = true;
    else this.areas.add(area);
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
    const areas = this.anywhere ? null : [...this.areas];
    const edited = this.edited;
    this.edited = false;
    this.areas = new Set();
    this.anywhere = false;
    this.lastAt = this.clock.now();
    this.sent++;
    this.send(areas, edited);
  }
}
