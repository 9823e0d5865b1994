/**
 * Bringing a console that has just connected up to date: either the current state of every alert
 * changed after the number it last saw (a resume), or the view of every open alert it may see (a
 * snapshot). Each is a job for the TimeSlicer, one alert per step, so that a mass event does not
 * stop the hub while consoles connect: before, twenty consoles connecting with 11,000 calls open
 * held the event loop for 8 s, in which no press was acked (issue 6, bench/snapshot-cost.ts).
 *
 * While a console catches up, its live frames are held (`held`) and sent after, in order. A frame
 * held may repeat what the catch-up already sent, or be older than it: each carries the alert's
 * version, and a console keeps only the newest version of each alert (console/js/queue.js).
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Staff } from '../store/staff-repo.ts';
import type { Change, ChangeFeed } from '../alerts/change-feed.ts';
import { alertViewBytes, type AlertView } from '../alerts/alert-view.ts';
import { isOpenState } from '../store/live-cache.ts';
import type { SlicedJob } from '../time-slicer.ts';
import { compareUrgency } from '../domain/urgency.ts';
import { textFrameFor } from './framed-broadcast.ts';
import type { ConsoleLink } from './console-link.ts';

/** A console more changes behind than this gets a snapshot rather than a resume. */
export const MAX_RESUME_CHANGES = 20_000;
/** Alerts in a snapshot's first frame, and in each later page (see snapshot()). */
export const SNAPSHOT_FIRST_PAGE = 500;
export const SNAPSHOT_PAGE = 2000;
/** Change rows read per step of a resume. */
const CHANGES_PER_READ = 5000;

export interface CatchUpClient {
  link: ConsoleLink;
  staff: Staff;
  /** Sends held back while catching up, oldest first; null once caught up. */
  held: (() => void)[] | null;
}

export interface CatchUpDeps {
  store: Store;
  feed: ChangeFeed;
  canSee(staff: Staff, gridPath: string): boolean;
  /** The grid path under which `staff` sees calls: null for everything, undefined for nothing. */
  scopeOf(staff: Staff): string | null | undefined;
  /** Alerts that live only in memory (the storage fault alert while the store is failing). */
  volatile(): AlertView[];
  log: Logger;
}

/** The whole catch-up of one console, then its held frames. A failure closes the socket (1011): the console reconnects. */
export function* catchUp(d: CatchUpDeps, c: CatchUpClient, since: number | null): SlicedJob {
  try {
    const first = d.store.alerts.firstChangeSeq();
    // Far behind, reading every change since would cost more than the snapshot (bounded by the open alerts).
    const near = since !== null && d.store.alerts.lastChangeSeq() - since <= MAX_RESUME_CHANGES;
    if (since !== null && near && (since >= first - 1 || first === 0)) yield* resume(d, c, since);
    else yield* snapshot(d, c);
  } catch (err) {
    d.log.warn({ err: (err as Error).message, staff: c.staff.username }, 'console catch-up failed; closing its socket');
    c.held = null;
    if (isOpen(c)) c.link.close(1011, 'could not catch up; reconnect');
    return;
  }
  const held = c.held ?? [];
  c.held = null;
  if (isOpen(c)) for (const send of held) send();
}

const isOpen = (c: CatchUpClient): boolean => c.link.open;

/** The current state of every alert changed after `since`, once each, at its latest number. */
function* resume(d: CatchUpDeps, c: CatchUpClient, since: number): SlicedJob {
  let cursor = since;
  const latest = new Map<string, Change>();
  for (;;) {
    const rows = d.store.alerts.changesSince(cursor, CHANGES_PER_READ);
    for (const r of rows) {
      if (d.canSee(c.staff, r.gridPath)) {
        latest.delete(r.alertId);
        latest.set(r.alertId, r);
      }
      cursor = r.seq;
    }
    if (rows.length < CHANGES_PER_READ) break;
    yield;
  }
  for (const ch of latest.values()) {
    if (!isOpen(c)) return;
    const frame = d.feed.frameOf(ch);
    if (frame) c.link.send(frame);
    yield;
  }
  const seq = Math.max(cursor, since);
  for (const v of d.volatile()) c.link.send(JSON.stringify({ type: 'change', seq, alert: v }));
  c.link.send(JSON.stringify({ type: 'resumed', seq }));
}

/**
 * Every open alert the console may see, as of the last change number when it started. A view is built
 * when its step comes, so it may be newer than that number; an alert that closed meanwhile is left out
 * (its closing change is among the held frames).
 *
 * Sent in pages, most urgent first (domain/urgency.ts): a `snapshot` frame with the first
 * SNAPSHOT_FIRST_PAGE alerts, then `snapshot_page` frames of SNAPSHOT_PAGE; each says how many are
 * still to come (`remaining`, counted before they are built: alerts that close meanwhile are left out,
 * so the last page may be short), and the last says 0. With 11,000 calls open a snapshot was one
 * frame of 12 MB: a phone on a mobile network showed nothing until all of it had arrived, and the hub
 * built every view before sending any (0.5–0.7 s for the first console after a restart). The open
 * alerts it starts from are read in pages too (store/open-ref-pages.ts): one read of 10,000 held the
 * event loop 26–29 ms per console. Every alert open throughout is read once (its key in the index never
 * changes); one raised or closed meanwhile may or may not be, and its change is among the held frames.
 */
function* snapshot(d: CatchUpDeps, c: CatchUpClient): SlicedJob {
  const seq = d.store.alerts.lastChangeSeq();
  const scope = d.scopeOf(c.staff);
  const found = scope === undefined ? [] : yield* d.store.alerts.openPages.all(scope);
  if (!isOpen(c)) return;
  const refs = found.filter((r) => d.canSee(c.staff, r.gridPath)).sort(compareUrgency);
  let views: Buffer[] = d.volatile().map((v) => Buffer.from(JSON.stringify(v)));
  let type = 'snapshot';
  let pageEnd = Math.min(refs.length, SNAPSHOT_FIRST_PAGE);
  for (let i = 0; i < refs.length; i++) {
    yield;
    if (!isOpen(c)) return;
    const a = d.store.alerts.get(refs[i].id);
    if (a && isOpenState(a.state)) views.push(alertViewBytes(d.store, a));
    if (i + 1 < pageEnd) continue;
    yield* sendPage(c, type, seq, views, refs.length - pageEnd);
    type = 'snapshot_page';
    views = [];
    pageEnd = Math.min(refs.length, pageEnd + SNAPSHOT_PAGE);
  }
  if (refs.length === 0) yield* sendPage(c, type, seq, views, 0);
}

function* sendPage(c: CatchUpClient, type: string, seq: number, views: Buffer[], remaining: number): SlicedJob {
  const frame = yield* joinedFrame(Buffer.from(`{"type":"${type}","seq":${seq},"remaining":${remaining},"alerts":[`), views, END);
  if (isOpen(c)) c.link.sendFrame(frame.subarray(frame.length - frame.payloadLength), frame);
}

const END = Buffer.from(']}');
const COMMA = 0x2c;
const COPIES_PER_STEP = 500;

/** One text frame of `head`, the parts joined by commas, and `tail`, copied a few hundred parts per step. */
function* joinedFrame(head: Buffer, parts: Buffer[], tail: Buffer): Generator<unknown, Buffer & { payloadLength: number }, void> {
  let n = head.length + tail.length + Math.max(0, parts.length - 1);
  for (const p of parts) n += p.length;
  const out = Object.assign(textFrameFor(n), { payloadLength: n });
  let at = out.length - n + head.copy(out, out.length - n);
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) out[at++] = COMMA;
    at += parts[i].copy(out, at);
    if (i % COPIES_PER_STEP === COPIES_PER_STEP - 1) yield;
  }
  tail.copy(out, at);
  return out;
}
