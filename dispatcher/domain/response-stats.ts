/**
 * Response-time statistics over calls, as a pure function. Definitions (also in docs/reports.md):
 * - handling rate (处置率) = resolved ÷ raised;
 * - acceptedWithin60s / 180s = calls accepted within 60 s / 180 s of being raised ÷ raised
 *   (a call never accepted counts as not within);
 * - time to accept / arrive / resolve: seconds from raised, over the calls that reached that step;
 *   median and 90th percentile by the nearest-rank method;
 * - false-alarm rate = calls resolved as false_alarm or resident_cancelled ÷ raised.
 * Test presses never become calls, so they never appear here.
 */
export interface CallFacts {
  id: string;
  gridId: number;
  raisedAt: number;
  acceptedAt: number | null;
  acceptedBy: number | null;
  onSiteAt: number | null;
  resolvedAt: number | null;
  outcome: string | null;
}

export interface Dist { median: number | null; p90: number | null }
export interface Stats {
  raised: number;
  accepted: number;
  resolved: number;
  handlingRate: number | null;
  acceptedWithin60s: number | null;
  acceptedWithin180s: number | null;
  falseAlarms: number;
  falseAlarmRate: number | null;
  accept: Dist;
  arrive: Dist;
  resolve: Dist;
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const dist = (xs: number[]): Dist => {
  const s = Float64Array.from(xs).sort(); // typed arrays sort numerically, and fast
  return { median: percentile(s, 50), p90: percentile(s, 90) };
};
const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);
const secs = (from: number, to: number | null): number | null => (to === null ? null : (to - from) / 1000);

export function computeStats(calls: CallFacts[]): Stats {
  const acc: number[] = [], arr: number[] = [], res: number[] = [];
  let accepted = 0, resolved = 0, within60 = 0, within180 = 0, falseAlarms = 0;
  for (const c of calls) {
    const a = secs(c.raisedAt, c.acceptedAt);
    if (a !== null) {
      accepted++;
      acc.push(a);
      if (a <= 60) within60++;
      if (a <= 180) within180++;
    }
    const o = secs(c.raisedAt, c.onSiteAt);
    if (o !== null) arr.push(o);
    const r = secs(c.raisedAt, c.resolvedAt);
    if (r !== null) {
      resolved++;
      res.push(r);
    }
    if (c.outcome === 'false_alarm' || c.outcome === 'resident_cancelled') falseAlarms++;
  }
  const n = calls.length;
  return {
    raised: n, accepted, resolved,
    handlingRate: ratio(resolved, n),
    acceptedWithin60s: ratio(within60, n),
    acceptedWithin180s: ratio(within180, n),
    falseAlarms, falseAlarmRate: ratio(falseAlarms, n),
    accept: dist(acc), arrive: dist(arr), resolve: dist(res),
  };
}

/** Groups calls by a key and computes stats for each group. */
export function statsBy<K>(calls: CallFacts[], key: (c: CallFacts) => K | null): Map<K, Stats> {
  const groups = new Map<K, CallFacts[]>();
  for (const c of calls) {
    const k = key(c);
    if (k === null) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(c);
  }
  return new Map([...groups].map(([k, g]) => [k, computeStats(g)]));
}

/** Calls accepted after more than `limitS` seconds, or not accepted at all and older than that. */
export function slowAccepts<C extends CallFacts>(calls: C[], limitS: number, now: number): (C & { acceptSeconds: number | null })[] {
  const limitMs = limitS * 1000;
  return calls
    .filter((c) => (c.acceptedAt === null ? now - c.raisedAt > limitMs : c.acceptedAt - c.raisedAt > limitMs))
    .sort((a, b) => a.raisedAt - b.raisedAt)
    .map((c) => ({ ...c, acceptSeconds: secs(c.raisedAt, c.acceptedAt) }));
}
