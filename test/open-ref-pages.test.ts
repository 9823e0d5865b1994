/**
 * The open alerts' refs read a page at a time (dispatcher/store/open-ref-pages.ts), as a console's
 * snapshot and /api/alerts read them: every open alert once, none of another grid, and alerts
 * that change between pages neither break the read nor make it lose an alert that did not change.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { tempDbPath } from './helpers/hub-harness.ts';
import { seedOpenCalls } from './helpers/open-calls.ts';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';
import { OpenRefPages, type RefCursor } from '../dispatcher/store/open-ref-pages.ts';
import { runToEnd } from '../dispatcher/time-slicer.ts';

let s: Store;
let dir: string;
beforeEach(() => {
  const p = tempDbPath();
  dir = p.dir;
  s = Store.open(p.dbPath);
  seedDemo(s, Date.now());
});
afterEach(() => {
  s.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (refs: { id: string }[]) => refs.map((r) => r.id).sort();

/** Every page of a read, with `between` run after each page but the last. */
function pages(scope: string | null, size: number, between: (n: number) => void = () => {}): { id: string; gridPath: string }[][] {
  const out: { id: string; gridPath: string }[][] = [];
  for (let at: RefCursor | null = OpenRefPages.start(scope); at !== null; ) {
    const { refs, next } = s.alerts.openPages.page(scope, at, size);
    out.push(refs);
    at = next;
    if (at !== null) between(out.length);
  }
  return out;
}

it('reads every open alert once, in pages no bigger than asked, and none that is closed', () => {
  const open = seedOpenCalls(s, { count: 1234, raisedAt: (i) => 1_000 + i });
  const [closed] = seedOpenCalls(s, { count: 1, raisedAt: () => 5 });
  const a = s.alerts.get(closed)!;
  expect(s.alerts.save({ ...a, state: 'resolved', resolvedAt: 10, deadlineAt: null, deadlineKind: null }, 10, a)).toBe(true);
  const read = pages(null, 100);
  expect(read.every((p) => p.length <= 100)).toBe(true);
  expect(read).toHaveLength(13);
  expect(ids(read.flat())).toEqual([...open].sort());
  // The sliced read is the same, a page per step.
  const job = s.alerts.openPages.all(null, 100);
  let steps = 0;
  for (let r = job.next(); !r.done; r = job.next()) steps++;
  expect(steps).toBe(12);
  expect(ids(runToEnd(s.alerts.openPages.all(null, 7)))).toEqual([...open].sort());
  expect(s.alerts.openCount()).toBe(1234);
});

it('under a grid path: that subtree only, even with many alerts sharing one path across pages', () => {
  const grids = s.grid.list();
  const g1 = grids.find((g) => g.name === '第一网格')!;
  seedOpenCalls(s, { count: 900, raisedAt: (i) => i });
  const want = s.alerts.openRefs().filter((r) => r.gridPath.startsWith(g1.path)).map((r) => r.id).sort();
  expect(want.length).toBeGreaterThan(100);
  const read = pages(g1.path, 50).flat();
  expect(ids(read)).toEqual(want);
  expect(new Set(read.map((r) => r.id)).size).toBe(read.length);
  // A path with no open alert, and one no grid has: empty, one page.
  expect(pages('/999999/', 50)).toEqual([[]]);
});

it('alerts raised, closed or changed between pages: the rest are each read once, the closed one is not', () => {
  const open = seedOpenCalls(s, { count: 600, raisedAt: (i) => 1_000 + i });
  const firstPage = new Set<string>();
  const closedLater: string[] = [];
  const changed: string[] = [];
  const raised: string[] = [];
  const read = pages(null, 64, (n) => {
    if (n === 1) for (const r of s.alerts.openRefs().slice(0, 64)) firstPage.add(r.id);
    // An alert not read yet closes, another is accepted (its row changes, its key does not), a new call comes in.
    const unread = s.alerts.openRefs().slice(64 * n).map((r) => r.id).filter((id) => !closedLater.includes(id) && !changed.includes(id));
    if (unread.length < 2) return;
    const gone = s.alerts.get(unread[unread.length - 1])!;
    s.alerts.save({ ...gone, state: 'resolved', resolvedAt: 20, deadlineAt: null, deadlineKind: null }, 20, gone);
    closedLater.push(gone.id);
    const taken = s.alerts.get(unread[0])!;
    s.alerts.save({ ...taken, state: 'accepted', acceptedAt: 20, acceptedBy: 1 }, 20, taken);
    changed.push(taken.id);
    raised.push(...seedOpenCalls(s, { count: 1, raisedAt: () => 2_000 + n }));
  }).flat();
  const got = ids(read);
  expect(new Set(got).size).toBe(got.length); // nothing twice
  expect(closedLater.length).toBeGreaterThan(3);
  for (const id of closedLater) expect(got).not.toContain(id);
  // Every alert open from start to end is read, whether or not it changed meanwhile.
  const stayed = open.filter((id) => !closedLater.includes(id));
  for (const id of stayed) expect(got).toContain(id);
  expect(changed.every((id) => got.includes(id))).toBe(true);
  // A new call may fall before the cursor (it is then among the console's held frames, not here).
  expect(got.length).toBeLessThanOrEqual(stayed.length + raised.length);
  expect(firstPage.size).toBe(64);
});
