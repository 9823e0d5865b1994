/**
 * A console's catch-up (snapshot or resume) is built in slices between the hub's other work
 * (dispatcher/push/console-catch-up.ts, time-slicer.ts): the console still gets every open call,
 * nothing it is sent live arrives before its snapshot, presses are acked meanwhile, and a console
 * that leaves or a catch-up that fails disturbs nothing else. A snapshot this big comes in pages,
 * most urgent first.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { seedOpenCalls } from './helpers/open-calls.ts';
import { TimeSlicer, mapSliced, type SlicedJob } from '../dispatcher/time-slicer.ts';
import { SNAPSHOT_FIRST_PAGE, SNAPSHOT_PAGE } from '../dispatcher/push/console-catch-up.ts';
import { compareUrgency } from '../dispatcher/domain/urgency.ts';
import { isSnapshotEnd, isSnapshotPage, snapshotAlerts } from './helpers/console-client.ts';
import { StaffClient } from '../simulator/staff-client.ts';

const OPEN_CALLS = 3000;
let t: TestHub;
let adminToken: string;

beforeAll(async () => {
  t = await startTestHub();
  adminToken = await t.login('admin');
  // A mass event: thousands of open calls, written straight to the store (no console was listening).
  const now = Date.now();
  seedOpenCalls(t.hub.store, { count: OPEN_CALLS, raisedAt: (i) => now - OPEN_CALLS + i, detail: (i) => `mass-${i}` });
}, 60_000);
afterAll(async () => { await t.stop(); });

/** A raw console socket that records every frame from the first (unlike ConsoleClient, which waits for the snapshot). */
function rawConsole(token: string): { ws: WebSocket; frames: any[]; closed: Promise<number> } {
  const ws = new WebSocket(`ws://127.0.0.1:${t.hub.ports.http}/ws?token=${token}`);
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return { ws, frames, closed };
}

const until = async (cond: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

it(`a console connecting with ${OPEN_CALLS.toLocaleString('en')} calls open gets them all; calls pressed meanwhile come after its snapshot`, async () => {
  const c = rawConsole(adminToken);
  await until(() => c.frames.length > 0); // hello: the catch-up has been queued
  expect(c.frames[0].type).toBe('hello');
  // Presses while the snapshot is being built: each acked (committed) without waiting for it.
  const presses = await Promise.all(['demo-0011', 'demo-0012', 'demo-0013'].map((d, i) =>
    t.hub.ingest.commitEvent({ kind: 'device-event', deviceId: d, seq: 50 + i, type: 'press', deviceTs: null, receivedAt: Date.now(), via: 'test' })));
  const pressed = presses.map((p) => p.alertId!);
  await until(() => c.frames.some(isSnapshotEnd));
  await until(() => pressed.every((id) => c.frames.some((f) => (f.type === 'change' && f.alert.id === id) || (isSnapshotPage(f) && f.alerts.some((a: any) => a.id === id)))));
  expect(c.frames[1].type).toBe('snapshot'); // nothing live before it
  const end = c.frames.findIndex(isSnapshotEnd);
  const pages = c.frames.slice(1, end + 1);
  expect(pages.every(isSnapshotPage)).toBe(true); // nothing live between its pages either
  // In pages, most urgent first: the first frame small enough for a phone to show at once.
  expect(pages[0].alerts).toHaveLength(SNAPSHOT_FIRST_PAGE);
  expect(pages[0].remaining).toBeGreaterThanOrEqual(OPEN_CALLS - SNAPSHOT_FIRST_PAGE);
  expect(pages.length).toBe(1 + Math.ceil(pages[0].remaining / SNAPSHOT_PAGE));
  for (let i = 1; i < pages.length; i++) {
    expect(pages[i]).toMatchObject({ type: 'snapshot_page', seq: pages[0].seq, remaining: Math.max(0, pages[i - 1].remaining - SNAPSHOT_PAGE) });
  }
  const all = snapshotAlerts(c.frames);
  expect(all.filter((a: any) => a.detail.startsWith('mass-'))).toHaveLength(OPEN_CALLS);
  expect(new Set(all.map((a: any) => a.id)).size).toBe(all.length);
  expect([...all].sort(compareUrgency).map((a: any) => a.id)).toEqual(all.map((a: any) => a.id));
  // Change frames after it carry numbers past the snapshot's, or repeat a version it already had.
  const versions = new Map<string, number>(all.map((a: any) => [a.id, a.version]));
  for (const f of c.frames.slice(end + 1).filter((x) => x.type === 'change')) {
    expect(f.seq > pages[0].seq || (versions.get(f.alert.id) ?? -1) >= f.alert.version).toBe(true);
  }
  // What the console ends with is what the hub holds open.
  const open = await t.api('GET', '/api/alerts', adminToken);
  const held = new Set<string>([...all.map((a: any) => a.id), ...c.frames.filter((f) => f.type === 'change').map((f) => f.alert.id)]);
  expect(open.body.alerts.every((a: any) => held.has(a.id))).toBe(true);
  expect(open.body.alerts.length).toBe(OPEN_CALLS + 3);
  c.ws.close();
}, 30_000);

it('a call accepted and a call pressed while the snapshot reads the open calls in pages: the console ends with what the hub holds', async () => {
  const pages = t.hub.store.alerts.openPages;
  const real = pages.page.bind(pages);
  const reads: number[] = [];
  const acts: Promise<unknown>[] = [];
  const target = t.hub.store.alerts.openRefs().at(-1)!.id; // on the last page of the read
  pages.page = (scope, from, limit) => {
    const page = real(scope, from, limit);
    reads.push(page.refs.length);
    if (reads.length === 1) {
      acts.push(t.api('POST', `/api/alerts/${target}/ack`, adminToken));
      acts.push(t.hub.ingest.commitEvent({ kind: 'device-event', deviceId: 'demo-0014', seq: 90, type: 'press', deviceTs: null, receivedAt: Date.now(), via: 'test' }));
    }
    return page;
  };
  try {
    const c = rawConsole(adminToken);
    await until(() => c.frames.some(isSnapshotEnd));
    await Promise.all(acts);
    const open = (await t.api('GET', '/api/alerts', adminToken)).body.alerts as any[];
    // What the console holds: the newest version of each alert from the snapshot and the changes after it.
    const newest = () => {
      const held = new Map<string, any>();
      const keep = (a: any) => { if ((held.get(a.id)?.version ?? -1) < a.version) held.set(a.id, a); };
      for (const f of c.frames) (isSnapshotPage(f) ? f.alerts : f.type === 'change' ? [f.alert] : []).forEach(keep);
      return held;
    };
    const behind = () => { const held = newest(); return open.filter((a) => held.get(a.id)?.version !== a.version).map((a) => a.id); };
    await until(() => behind().length === 0).catch(() => undefined);
    expect(behind()).toEqual([]);
    const held = newest();
    expect(held.get(target).state).toBe('accepted');
    expect(reads.length).toBeGreaterThan(1);
    expect(Math.max(...reads)).toBeLessThanOrEqual(500);
    // /api/alerts is oldest first, as before it read in pages.
    expect(open.map((a) => a.raisedAt)).toEqual([...open.map((a) => a.raisedAt)].sort((a, b) => a - b));
    c.ws.close();
  } finally {
    pages.page = real;
  }
});

it('twenty consoles connecting at once each get the full snapshot; a grid worker gets only their grid', async () => {
  const socks = Array.from({ length: 20 }, () => rawConsole(adminToken));
  const worker = rawConsole(await t.login('grid1'));
  await until(() => [...socks, worker].every((s) => s.frames.some(isSnapshotEnd)), 30_000);
  const sizes = socks.map((s) => snapshotAlerts(s.frames).length);
  expect(new Set(sizes).size).toBe(1);
  expect(sizes[0]).toBeGreaterThanOrEqual(OPEN_CALLS);
  const mine = snapshotAlerts(worker.frames);
  expect(mine.length).toBeGreaterThan(0);
  expect(mine.length).toBeLessThan(sizes[0]);
  expect(mine.every((a: any) => a.gridName === '第一网格')).toBe(true);
  // All of them: read by a range of the index under the worker's grid (migration 17), not filtered from every open call.
  const grid1 = t.hub.store.grid.list().find((g) => g.name === '第一网格')!;
  expect(mine.length).toBe(t.hub.store.alerts.openRefs().filter((r) => r.gridPath.startsWith(grid1.path)).length);
  for (const s of [...socks, worker]) s.ws.close();
}, 40_000);

it('a console that leaves during its catch-up ends it; the next one is served', async () => {
  const gone = rawConsole(adminToken);
  await until(() => gone.frames.length > 0);
  gone.ws.terminate();
  await until(() => t.hub.socket.catchingUp() === 0);
  const next = await t.console('admin');
  expect(snapshotAlerts(next.frames).length).toBeGreaterThanOrEqual(OPEN_CALLS);
  expect((await t.api('GET', '/healthz')).body).toMatchObject({ ok: true, consolesCatchingUp: 0 });
});

it('the simulator\'s staff client is live only with the last page, and never resumes from a snapshot it did not finish', async () => {
  const c = new StaffClient(t.httpUrl, 'admin', 'demo-pass');
  const seen = new Set<string>();
  c.on('alert', (a: { id: string }) => seen.add(a.id));
  await c.start();
  expect(seen.size).toBeGreaterThanOrEqual(OPEN_CALLS); // every page had arrived when it said it was open
  const seq = (c as unknown as { seq: number | null }).seq;
  expect(seq).toBeGreaterThan(0);
  // The first page of a later snapshot: until its last page, a reconnect must ask for a snapshot again.
  (c as unknown as { frame(text: string, at: number): void }).frame(JSON.stringify({ type: 'snapshot', seq: seq! + 1, remaining: 10, alerts: [] }), 0);
  expect((c as unknown as { seq: number | null }).seq).toBeNull();
  c.stop();
});

it('a catch-up that fails closes that socket with 1011 (the console reconnects); the hub goes on', async () => {
  const pages = t.hub.store.alerts.openPages;
  const real = pages.page.bind(pages);
  pages.page = () => { throw new Error('disk I/O error'); };
  try {
    const c = rawConsole(adminToken);
    expect(await c.closed).toBe(1011);
    expect(c.frames.map((f) => f.type)).toEqual(['hello']);
  } finally {
    pages.page = real;
  }
  const again = await t.console('admin');
  expect(again.frames.some((f) => f.type === 'snapshot')).toBe(true);
});

it('the slicer gives way to other work between slices, one failing job does not stop the rest, and a job can return a value', async () => {
  const errors: unknown[] = [];
  const slicer = new TimeSlicer(2, (e) => errors.push(e));
  const order: string[] = [];
  function* busy(name: string, steps: number): SlicedJob {
    for (let i = 0; i < steps; i++) {
      const end = performance.now() + 0.5;
      while (performance.now() < end) { /* one small step of work */ }
      yield;
    }
    order.push(`${name} done`);
  }
  function* failing(): SlicedJob {
    yield;
    throw new Error('broken job');
  }
  slicer.run(busy('a', 40));
  slicer.run(failing());
  slicer.run(busy('b', 4));
  // Queued after the jobs: must run before they finish, since each turn takes at most ~2 ms of steps.
  setImmediate(() => order.push('other work'));
  await until(() => slicer.pending() === 0, 5000);
  expect(order.indexOf('other work')).toBe(0);
  expect(order).toEqual(['other work', 'a done', 'b done']);
  expect(errors).toHaveLength(1);
  expect((errors[0] as Error).message).toBe('broken job');
  // A job with a result: the promise settles with it, or with what the job threw.
  await expect(slicer.result(mapSliced([1, 2, 3, 4], (n) => (n % 2 ? n * 10 : undefined)))).resolves.toEqual([10, 30]);
  await expect(slicer.result(mapSliced([1], () => { throw new Error('bad item'); }))).rejects.toThrow('bad item');
  expect(errors).toHaveLength(1); // a rejected result is the caller's to handle, not a job failure
});

it('the open alerts under a grid path are those whose path starts with it, and no grid whose id merely starts the same', () => {
  const s = t.hub.store;
  const street = s.grid.list().find((g) => g.level === 'street')!;
  // Enough nodes that some path is another's with a digit more (…/7/ and …/7x/), each with an open call.
  const added = Array.from({ length: 80 }, (_, i) => s.grid.add(street.id, `范围测试 ${i}`, 'community'));
  const ids = seedPathCalls(added.map((n) => n.path));
  const short = added.find((n) => added.some((m) => m !== n && m.path.startsWith(n.path.slice(0, -1))))!;
  const everything = s.alerts.openRefs();
  for (const n of [street, ...added]) {
    const want = everything.filter((r) => r.gridPath.startsWith(n.path)).map((r) => r.id);
    expect(s.alerts.openRefs(n.path).map((r) => r.id)).toEqual(want);
  }
  expect(s.alerts.openRefs(short.path).map((r) => r.gridPath)).toEqual([short.path]);
  expect(ids).toHaveLength(80);
});

/** One open call on each path, written straight to the store. */
function seedPathCalls(paths: string[]): string[] {
  const s = t.hub.store;
  const hh = s.householdLists.list(null)[0];
  const ids: string[] = [];
  s.tx(() => paths.forEach((gridPath, i) => {
    const id = `range-${i}`;
    s.alerts.insert({ id, kind: 'call', reason: 'press', deviceId: null, householdId: hh.id, gridId: hh.gridId, gridPath,
      state: 'raised', level: 0, presses: 1, isTest: false, detail: '', raisedAt: Date.now(), deadlineAt: null, deadlineKind: null });
    ids.push(id);
  }));
  return ids;
}
