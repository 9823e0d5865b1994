/**
 * Which open alerts come first: the order a console lists them in (console/js/queue.js,
 * compareAlerts), with calls before technical alerts. A big snapshot is sent in this order, so
 * a console on a slow link shows the calls that matter before the rest have arrived.
 */
export interface Ranked { id: string; kind: string; state: string; level: number; presses: number; raisedAt: number }

/** Unaccepted first, then cancelled by the resident (waiting for staff to confirm), then the rest. */
function rank(a: Ranked): number {
  if (a.state === 'raised') return 0;
  if (a.state === 'cancelled') return 1;
  return 2;
}

/** Calls first; within each, unaccepted ones highest level and most presses first; then newest first. */
export function compareUrgency(a: Ranked, b: Ranked): number {
  if (a.kind !== b.kind) return a.kind === 'call' ? -1 : b.kind === 'call' ? 1 : 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra < 2) {
    if (a.level !== b.level) return b.level - a.level;
    if (a.presses !== b.presses) return b.presses - a.presses;
  }
  if (a.raisedAt !== b.raisedAt) return b.raisedAt - a.raisedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
