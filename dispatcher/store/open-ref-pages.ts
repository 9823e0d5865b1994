/**
 * The open alerts' ids, grid paths and what ranks them, read a page at a time through the partial
 * index alerts_open (grid_path, then rowid), each page starting where the last one ended: what a
 * console's snapshot and the open list of /api/alerts start from.
 *
 * Why pages: with 10,000 calls open, one read of them all held the event loop 26–29 ms, once for
 * each console that connected (twenty after a restart or a network blip), and presses waited behind
 * it (bench/README.md, item 79). A page of 500 is about 0.7 ms at the median (11,000 open).
 *
 * A page is two seeks, the rest of the cursor's grid path (grid_path = k, rowid > r) and the paths
 * after it, as the health sweep does (health-repo.ts): the row value (grid_path, rowid) > (k, r) is
 * not sought by SQLite. Rows come back as arrays (a third cheaper than named rows) and become refs here.
 */
import type { Db } from './db.ts';
import type { AlertRow } from './alert-repo.ts';

export type OpenRef = Pick<AlertRow, 'id' | 'gridPath' | 'kind' | 'state' | 'level' | 'presses' | 'raisedAt'>;
/** Where the next page starts: after the row with this grid path and rowid. */
export interface RefCursor { k: string; r: number }

/**
 * The open states in the words of the partial index alerts_open (resolved is the only other state),
 * so SQLite uses it: with the list of open states, listing them (each console's snapshot, /api/alerts,
 * /healthz) scanned every alert ever raised. Not for the deadline queries: they keep alerts_deadline.
 */
export const OPEN_LISTED = `state NOT IN ('resolved','closed')`;
const REF_COLS = 'id, grid_path, kind, state, level, presses, raised_at, rowid';
/** Above every grid path (digits and slashes): the end of the range of a hub-wide read. */
const PAST_EVERY_PATH = '\uffff';

type RawRef = [string, string, AlertRow['kind'], AlertRow['state'], number, number, number, number];

export class OpenRefPages {
  private readonly restOfKey;
  private readonly keysAfter;

  constructor(db: Db) {
    const read = (range: string, order: string) => db.prepare(`SELECT ${REF_COLS} FROM alerts INDEXED BY alerts_open
      WHERE ${OPEN_LISTED} AND ${range} ORDER BY ${order} LIMIT @limit`).raw(true);
    this.restOfKey = read('grid_path = @k AND rowid > @r', 'rowid');
    this.keysAfter = read('grid_path > @k AND grid_path < @end', 'grid_path, rowid');
  }

  /** Where a read of the open alerts under `scopePath` (null: every one) starts. */
  static start(scopePath: string | null): RefCursor {
    return { k: scopePath ?? '', r: -1 };
  }

  /**
   * Up to `limit` open refs under `scopePath` after `from`, and where the next page starts (null when
   * this page was the last). An alert's key (its grid path, fixed when it is raised, and rowid) never
   * changes, so an alert open from the first page to the last is read exactly once; one raised or
   * closed between pages may or may not be. Callers cover those with the change feed
   * (console-catch-up.ts holds a console's live frames from when it connects).
   */
  page(scopePath: string | null, from: RefCursor, limit: number): { refs: OpenRef[]; next: RefCursor | null } {
    const end = scopePath === null ? PAST_EVERY_PATH : `${scopePath}${PAST_EVERY_PATH}`;
    let rows = this.restOfKey.all({ k: from.k, r: from.r, limit }) as RawRef[];
    if (rows.length < limit) rows = rows.concat(this.keysAfter.all({ k: from.k, end, limit: limit - rows.length }) as RawRef[]);
    const refs = rows.map(([id, gridPath, kind, state, level, presses, raisedAt]) => ({ id, gridPath, kind, state, level, presses, raisedAt }));
    const last = rows[rows.length - 1];
    return { refs, next: rows.length < limit ? null : { k: last[1], r: last[7] } };
  }

  /** Every open ref under `scopePath`, a page per step of a sliced job (time-slicer.ts), in index order. */
  *all(scopePath: string | null, pageSize = 500): Generator<unknown, OpenRef[], void> {
    const out: OpenRef[] = [];
    for (let at: RefCursor | null = OpenRefPages.start(scopePath); at !== null; ) {
      const { refs, next } = this.page(scopePath, at, pageSize);
      for (const r of refs) out.push(r);
      at = next;
      if (at !== null) yield;
    }
    return out;
  }
}
