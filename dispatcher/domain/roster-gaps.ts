/**
 * Roster gaps (排班空档): over the coming days, the times when a call raised at a node would find
 * nobody on its own roster (it goes straight up to the first level with someone on duty), and the
 * worst of them, when nobody is on duty at any level above it either: such a call reaches no one
 * the roster names. The duty board says who is on duty now; this says where next week's roster
 * has holes, weekly shifts and one-off overrides (leave, cover) both counted, before a resident
 * finds one. Presence is not foreseeable, so it is not counted: a level on duty but offline is
 * still skipped when the time comes.
 *
 * Pure and to the minute, and the same rule the hub places calls by (roster.ts onDutyAtClock).
 * The window is cut where anything can change: a shift's start or end on any day, an override's
 * edge, a change of a time zone's offset. Each node is asked once per piece, not once per minute,
 * so a street office's 316 nodes over two weeks are a few hundred pieces (bench/README item 63).
 * Local time comes in from `localClock`, asked each quarter hour of the window per time zone
 * (every offset, and every change of one, falls on a quarter hour).
 */
import { onDutyAtClock, type Override, type Shift } from './roster.ts';

export interface GapNodeIn {
  id: number;
  parentId: number | null;
  timeZone: string;
  /** Shifts and overrides of accounts that are not disabled. */
  shifts: readonly Shift[];
  overrides: readonly Override[];
}

/** From `from` to `to` (ms), calls raised at the node go to `reaches` (a node above), or to nobody (null). */
export interface Gap { from: number; to: number; reaches: number | null }

const WEEK = 7 * 1440;
const MINUTE = 60_000;

/**
 * For each node of `starts` (where calls are raised), its gaps in [from, to), in time order.
 * `nodes` holds every node of their chains up to the top.
 */
export function rosterGaps(p: {
  nodes: ReadonlyMap<number, GapNodeIn>;
  starts: readonly number[];
  from: number;
  to: number;
  localClock: (at: number, timeZone: string) => { isoDay: number; minute: number };
}): Map<number, Gap[]> {
  const t0 = Math.floor(p.from / MINUTE) * MINUTE;
  const n = Math.max(0, Math.ceil((p.to - t0) / MINUTE));
  const zones = new Map<string, Uint16Array>();
  for (const node of p.nodes.values()) if (!zones.has(node.timeZone)) zones.set(node.timeZone, localWeekMinutes(t0, n, node.timeZone, p.localClock));
  const pieces = cutPoints(p.nodes, zones, t0, n);
  // Who is on duty at each node, piece by piece: 1 when someone is.
  const covered = new Map<number, Uint8Array>();
  const coverOf = (id: number) => {
    let c = covered.get(id);
    if (c) return c;
    c = new Uint8Array(pieces.length);
    const node = p.nodes.get(id);
    if (node) {
      const week = zones.get(node.timeZone)!;
      pieces.forEach((i, k) => {
        const w = week[i];
        c![k] = onDutyAtClock(node.shifts, node.overrides, t0 + i * MINUTE, { isoDay: Math.floor(w / 1440) + 1, minute: w % 1440 }).length ? 1 : 0;
      });
    }
    covered.set(id, c);
    return c;
  };
  const out = new Map<number, Gap[]>();
  for (const start of p.starts) {
    const chain: Uint8Array[] = [];
    const ids: number[] = [];
    for (let id: number | null = start, guard = 0; id !== null && guard < 64; id = p.nodes.get(id)?.parentId ?? null, guard++) {
      ids.push(id);
      chain.push(coverOf(id));
    }
    const gaps: Gap[] = [];
    let open: Gap | null = null;
    pieces.forEach((i, k) => {
      let level = 0;
      while (level < chain.length && !chain[level][k]) level++;
      const reaches = level === 0 ? start : level < chain.length ? ids[level] : null;
      const end = t0 + (k + 1 < pieces.length ? pieces[k + 1] : n) * MINUTE;
      if (open && (reaches === start || reaches !== open.reaches)) { gaps.push(open); open = null; }
      if (!open && reaches !== start) open = { from: t0 + i * MINUTE, to: end, reaches };
      else if (open) open.to = end;
    });
    if (open) gaps.push(open);
    out.set(start, gaps);
  }
  return out;
}

/**
 * The minutes of the window (as indexes from its start) where who is on duty can change: the first,
 * every minute of the local week on which some shift starts or ends (on any day: a superset is
 * harmless), every override's edges, and wherever a time zone's offset changes.
 */
function cutPoints(nodes: ReadonlyMap<number, GapNodeIn>, zones: ReadonlyMap<string, Uint16Array>, t0: number, n: number): number[] {
  const edge = new Uint8Array(WEEK);
  const cut = new Uint8Array(n);
  if (n) cut[0] = 1;
  for (const node of nodes.values()) {
    for (const s of node.shifts) for (let d = 0; d < 7; d++) { edge[(d * 1440 + s.startMin) % WEEK] = 1; edge[(d * 1440 + s.endMin) % WEEK] = 1; }
    for (const o of node.overrides) for (const at of [o.startsAt, o.endsAt]) {
      const i = Math.ceil((at - t0) / MINUTE);
      if (i > 0 && i < n) cut[i] = 1;
    }
  }
  for (const week of zones.values()) for (let i = 1; i < n; i++) if (edge[week[i]] || week[i] !== (week[i - 1] + 1) % WEEK) cut[i] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (cut[i]) out.push(i);
  return out;
}

/** Minute of the local week (0 = Monday 00:00) of each minute of the window, local time read each quarter hour. */
function localWeekMinutes(t0: number, n: number, tz: string, localClock: (at: number, tz: string) => { isoDay: number; minute: number }): Uint16Array {
  const out = new Uint16Array(n);
  let base = 0, baseAt = Number.NaN;
  for (let i = 0; i < n; i++) {
    const at = t0 + i * MINUTE;
    if (i === 0 || at % 900_000 === 0) {
      const c = localClock(at, tz);
      base = (c.isoDay - 1) * 1440 + c.minute;
      baseAt = at;
    }
    out[i] = (base + (at - baseAt) / MINUTE) % WEEK;
  }
  return out;
}
