/**
 * Pure call-queue logic, no DOM: who should ring, what comes first, and a book of alerts
 * that de-duplicates by id and keeps only the newest version of each.
 */

const OPEN = new Set(['raised', 'accepted', 'on_site', 'cancelled']);
const UNACCEPTED = new Set(['raised', 'cancelled']);

export const isOpen = (a) => OPEN.has(a.state);
export const isUnaccepted = (a) => UNACCEPTED.has(a.state);

/** Node ids from the alert's grid up to the root (the escalation chain; index = level). */
export function chainOf(gridPath) {
  return String(gridPath).split('/').filter(Boolean).map(Number).reverse();
}

/**
 * Whoever held the call each time it was handed back (its 'released' entries in the live record: the
 * holder, who cannot go, whether they or a leader handed it back). The hub passes them over at every
 * later step of its escalation; it does not ring for them here either.
 */
export function handedBackBy(alert) {
  return (alert.timeline ?? []).filter((e) => e.type === 'released').map((e) => e.data?.heldBy ?? e.staffId ?? null).filter((id) => id !== null);
}

/**
 * The hub's latest placement of the call told someone other than those who handed it back. When it
 * told nobody, or only them again (nobody else reachable), their consoles ring too: a call never goes quiet.
 */
function othersTold(alert, back) {
  const list = alert.timeline ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].type === 'notified') return (list[i].data?.notified ?? []).some((id) => !back.includes(id));
  }
  return true; // no placement in the window shown: trust the hand-back
}

/**
 * True when this call should ring for this user: it is unaccepted, and its escalation has
 * reached the user's level (the user's node is at or below the alert's level in the chain).
 * An admin without a scope node rings once the call reaches the top of the chain. Not for whoever
 * held a call that was handed back: they cannot go (unless the hub could reach nobody else: then
 * it rings for them again).
 */
export function ringsFor(alert, user) {
  if (!user || alert.kind !== 'call' || !isUnaccepted(alert)) return false;
  // They cannot go: ring the others, while the hub has others to ring.
  const back = handedBackBy(alert);
  if (back.includes(user.id) && othersTold(alert, back)) return false;
  if (user.scopeNodeId === null || user.scopeNodeId === undefined) return alert.level >= alert.topLevel;
  const idx = chainOf(alert.gridPath).indexOf(user.scopeNodeId);
  return idx >= 0 && idx <= alert.level;
}

function rank(a) {
  if (a.state === 'raised') return 0;
  if (a.state === 'cancelled') return 1;
  return 2;
}

/**
 * Most urgent first: unaccepted calls, highest escalation level first, then most presses;
 * then the newest. Handled calls (accepted, on site) follow, newest first. The hub sends a big
 * snapshot in the same order (dispatcher/domain/urgency.ts): keep the two alike.
 */
export function compareAlerts(a, b) {
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

/**
 * True when `needle` (lower case, trimmed; '' matches all) is in the alert's household address, a
 * resident's or contact's name or phone, its device id or its own id: what a relative on the phone or
 * a neighbour at the door can tell the duty staff in a mass event, when the call is not among the
 * first cards.
 */
export function alertMatches(a, needle) {
  if (!needle) return true;
  const hh = a.household;
  const people = [...(hh?.residents ?? []), ...(hh?.contacts ?? [])];
  return [a.id, a.deviceId, hh?.address, ...people.flatMap((p) => [p.name, p.phone])]
    .some((x) => typeof x === 'string' && x.toLowerCase().includes(needle));
}

/** The open alerts by id, plus a short list of the ones that closed while we watched. */
export class AlertBook {
  constructor(recentMax = 10) {
    this.open = new Map();
    this.recent = [];
    this.recentMax = recentMax;
    this.versions = new Map();
    /** Ids in the pages of a snapshot still arriving, or null. */
    this.paged = null;
  }

  /** Applies one alert version. Returns false when it is a duplicate or older than what we have. */
  apply(alert) {
    const seen = this.versions.get(alert.id);
    if (seen !== undefined && seen >= alert.version) return false;
    this.versions.set(alert.id, alert.version);
    if (isOpen(alert)) {
      this.open.set(alert.id, alert);
    } else {
      this.open.delete(alert.id);
      this.recent = [alert, ...this.recent.filter((r) => r.id !== alert.id)].slice(0, this.recentMax);
    }
    return true;
  }

  /**
   * One page of a snapshot (a small one is a single page, first and last; a big one comes in pages,
   * most urgent first): its alerts show at once; what no page held has closed meanwhile, and goes
   * with the last page. Until then a console that reconnected keeps showing what it had, so no card
   * blinks out and back.
   */
  snapshotPage(alerts, first, last) {
    if (first || !this.paged) this.paged = new Set();
    for (const a of alerts) {
      this.paged.add(a.id);
      const seen = this.versions.get(a.id);
      if (seen === undefined || seen < a.version) this.versions.set(a.id, a.version);
      const cur = this.open.get(a.id);
      if (!cur || cur.version <= a.version) this.open.set(a.id, a);
    }
    if (!last) return;
    for (const id of [...this.open.keys()]) if (!this.paged.has(id)) this.open.delete(id);
    this.paged = null;
  }

  calls() {
    return [...this.open.values()].filter((a) => a.kind === 'call').sort(compareAlerts);
  }

  technical() {
    return [...this.open.values()].filter((a) => a.kind !== 'call').sort(compareAlerts);
  }

  /** The calls that ring for `user`, most urgent first: filtered before sorting, since thousands may be open. */
  ringing(user) {
    return [...this.open.values()].filter((a) => ringsFor(a, user)).sort(compareAlerts);
  }

  clear() {
    this.open.clear();
    this.recent = [];
    this.versions.clear();
    this.paged = null;
  }
}
