/** The alert as staff see it: the row joined with household, grid names, people and timeline. */
import type { Store } from '../store/store.ts';
import type { AlertRow, TimelineEntry } from '../store/alert-repo.ts';
import type { LiveTimeline } from '../store/live-cache.ts';
import type { Household } from '../store/household-repo.ts';
import { chainUp } from '../domain/grid.ts';
import { VIEW_TIMELINE_MAX } from '../store/live-cache.ts';

export interface StaffRef { id: number; name: string }
export interface AlertView {
  id: string; kind: 'call' | 'technical'; reason: string; state: string; detail: string; isTest: boolean;
  deviceId: string | null; householdId: number | null;
  gridId: number; gridName: string; gridPath: string;
  level: number; levelNodeId: number; levelName: string; levelKind: string; topLevel: number;
  presses: number;
  raisedAt: number; acceptedAt: number | null; acceptedBy: StaffRef | null; onSiteAt: number | null;
  resolvedAt: number | null; resolvedBy: StaffRef | null; cancelledAt: number | null;
  outcome: string | null; note: string | null;
  deadlineAt: number | null; deadlineKind: string | null;
  household: Omit<Household, 'id' | 'gridId'> | null;
  notified: number[];
  timeline: { at: number; type: string; staffId: number | null; staffName: string | null; data: Record<string, unknown> }[];
  /** Entries left out between the first and the latest VIEW_TIMELINE_MAX - 1 (the export has them all). */
  timelineOmitted: number;
  version: number;
}

export function buildAlertView(store: Store, a: AlertRow): AlertView {
  return viewOf(store, a, store.alerts.liveTimeline(a.id));
}

/**
 * The view as UTF-8 JSON, ready to be copied into frames. An open alert's is built once per (version,
 * timeline length) and kept in the live cache. An edited household, a renamed grid node or staff
 * member gives the open calls that show them a new version (open-call-redraw.ts). A console's snapshot is every open alert it may see, and building
 * each view anew made a snapshot of 11,000 open calls hold the event loop for 470 ms, per console
 * (issue 6, bench/snapshot-cost.ts). Kept as bytes, not a string: encoding a 12 MB snapshot of
 * Chinese text took 30 ms per console; copying the parts takes 8.
 */
export function alertViewBytes(store: Store, a: AlertRow): Buffer {
  const live = store.alerts.liveTimeline(a.id);
  const stamp = `${a.version}:${live.entries.length + live.omitted}`;
  const hit = store.alerts.live.view(a.id, stamp);
  if (hit !== undefined) return hit;
  const json = JSON.stringify(viewOf(store, a, live));
  // Its own memory, not a slice of Buffer's shared pool: a kept slice would keep its whole 8 KB slab.
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  bytes.write(json);
  store.alerts.live.putView(a.id, stamp, bytes);
  return bytes;
}

function viewOf(store: Store, a: AlertRow, live: LiveTimeline): AlertView {
  const chain = chainUp(a.gridPath);
  const levelNodeId = chain[Math.min(a.level, chain.length - 1)];
  const levelNode = store.grid.find(levelNodeId);
  const timeline = withPresses(live.entries, a);
  const over = Math.max(0, timeline.length - VIEW_TIMELINE_MAX); // the repeat-press entry may add one
  const shown = over ? [timeline[0], ...timeline.slice(over + 1)] : timeline;
  const omitted = live.omitted + over;
  const ids = new Set<number>();
  for (const e of shown) if (e.staffId !== null) ids.add(e.staffId);
  if (a.acceptedBy !== null) ids.add(a.acceptedBy);
  if (a.resolvedBy !== null) ids.add(a.resolvedBy);
  const names = store.staff.names([...ids]);
  const ref = (id: number | null): StaffRef | null => (id === null ? null : { id, name: names.get(id) ?? `#${id}` });
  const hh = a.householdId === null ? undefined : store.households.get(a.householdId);
  return {
    id: a.id, kind: a.kind, reason: a.reason, state: a.state, detail: a.detail, isTest: a.isTest,
    deviceId: a.deviceId, householdId: a.householdId,
    gridId: a.gridId, gridName: store.grid.find(a.gridId)?.name ?? '', gridPath: a.gridPath,
    level: a.level, levelNodeId, levelName: levelNode?.name ?? '', levelKind: levelNode?.level ?? '', topLevel: chain.length - 1,
    presses: a.presses,
    raisedAt: a.raisedAt, acceptedAt: a.acceptedAt, acceptedBy: ref(a.acceptedBy), onSiteAt: a.onSiteAt,
    resolvedAt: a.resolvedAt, resolvedBy: ref(a.resolvedBy), cancelledAt: a.cancelledAt,
    outcome: a.outcome, note: a.note, deadlineAt: a.deadlineAt, deadlineKind: a.deadlineKind,
    household: hh ? { address: hh.address, accessNote: hh.accessNote, residents: hh.residents, contacts: hh.contacts } : null,
    notified: live.notified, // everyone ever notified: responders and consoles decide by it whether a call is theirs
    timeline: shown.map((e) => ({ ...e, staffName: e.staffId === null ? null : names.get(e.staffId) ?? null })),
    timelineOmitted: omitted,
    version: a.version,
  };
}

/**
 * Repeat presses as one timeline entry carrying the count, at the latest press: from the alert row
 * (a repeat press is a device_events row, not a logged event). Alerts from before migration 10 may
 * still have logged repeat presses; the latest of them stands in for a time the row lacks.
 */
export function withPresses(timeline: TimelineEntry[], a: AlertRow): TimelineEntry[] {
  const logged = timeline.filter((e) => e.type === 'repeat_press');
  if (a.presses <= 1 && logged.length === 0) return timeline;
  const rest = logged.length ? timeline.filter((e) => e.type !== 'repeat_press') : timeline;
  if (a.presses <= 1) return rest;
  const at = a.lastPressAt ?? logged[logged.length - 1]?.at ?? a.raisedAt;
  const entry: TimelineEntry = { at, type: 'repeat_press', staffId: null, data: { presses: a.presses } };
  const i = rest.findIndex((e) => e.at > at);
  return i < 0 ? [...rest, entry] : [...rest.slice(0, i), entry, ...rest.slice(i)];
}
