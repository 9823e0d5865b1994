/**
 * The in-memory copies the alarm path reads (dispatcher/store/live-cache.ts) always agree with
 * what is committed: after commits, after a batch that partly rolls back, and after a storage
 * fault. A second connection to the same file is the judge of what is committed.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { alertViewBytes, buildAlertView } from '../dispatcher/alerts/alert-view.ts';
import { Store } from '../dispatcher/store/store.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t.stop(); });

const press = (deviceId: string, seq: number, receivedAt = Date.now()) =>
  t.hub.ingest.commitEvent({ kind: 'device-event', deviceId, seq, type: 'press', deviceTs: null, receivedAt, via: 'test' });

/**
 * The alert as a fresh connection sees it, and as the hub's cached store sees it. The view the hub
 * keeps as bytes for consoles (built once per version and timeline length) must say the same.
 */
function bothViews(alertId: string) {
  const judge = new Store(new Database(t.dbPath, { readonly: true }));
  try {
    const committed = buildAlertView(judge, judge.alerts.get(alertId)!);
    const cached = buildAlertView(t.hub.store, t.hub.store.alerts.get(alertId)!);
    const kept = JSON.parse(alertViewBytes(t.hub.store, t.hub.store.alerts.get(alertId)!).toString());
    expect(kept).toEqual(JSON.parse(JSON.stringify(committed)));
    return { committed, cached };
  } finally {
    judge.close();
  }
}

/** The alert's row as a fresh connection reads it. */
function committedRow(alertId: string) {
  const judge = new Store(new Database(t.dbPath, { readonly: true }));
  try {
    return judge.alerts.get(alertId);
  } finally {
    judge.close();
  }
}

it('repeat presses in one batch become one change carrying the final count', async () => {
  const first = await press('demo-0004', 7001);
  const before = t.hub.store.alerts.lastChangeSeq();
  await Promise.all([press('demo-0004', 7002), press('demo-0004', 7003), press('demo-0004', 7004)]);
  const rows = t.hub.store.db.prepare('SELECT seq FROM changes WHERE seq > ? AND alert_id = ?').all(before, first.alertId) as { seq: number }[];
  expect(rows).toHaveLength(1);
  const frame = JSON.parse(t.hub.feed.frameOf({ seq: rows[0].seq, alertId: first.alertId!, gridPath: '', at: 0 })!.toString());
  expect(frame.alert.presses).toBe(4);
  const { committed, cached } = bothViews(first.alertId!);
  expect(cached).toEqual(committed);
  expect(committed.timeline.filter((e) => e.type === 'repeat_press')).toHaveLength(1); // collapsed to the latest
});

it('a batch redone after one bad event keeps the copies equal to what was committed', async () => {
  const first = await press('demo-0005', 8001);
  // Same turn: a good repeat press, a bad one (NaN time breaks NOT NULL inside the transaction), another good one.
  const results = await Promise.allSettled([press('demo-0005', 8002), press('demo-0005', 8003, Number.NaN), press('demo-0005', 8004)]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  const { committed, cached } = bothViews(first.alertId!);
  expect(cached).toEqual(committed);
  expect(committed.presses).toBe(3);
  // The refused seq was rolled back with its savepoint, so it is new when the device re-sends it.
  await expect(press('demo-0005', 8003)).resolves.toMatchObject({ duplicate: false, alertId: first.alertId });
  expect(bothViews(first.alertId!).cached.presses).toBe(4);
});

it('de-duplicates below the highest seq by lookup, and a lower seq never seen is new', async () => {
  await expect(press('demo-0006', 900)).resolves.toMatchObject({ duplicate: false });
  await expect(press('demo-0006', 900)).resolves.toMatchObject({ duplicate: true });
  await expect(press('demo-0006', 450)).resolves.toMatchObject({ duplicate: false }); // e.g. after a factory reset
  await expect(press('demo-0006', 450)).resolves.toMatchObject({ duplicate: true });
  await expect(press('demo-0006', 901)).resolves.toMatchObject({ duplicate: false });
  const n = t.hub.store.db.prepare("SELECT count(*) AS n FROM device_events WHERE device_id = 'demo-0006' AND seq IN (450, 900, 901)").get() as { n: number };
  expect(n.n).toBe(3);
});

it('after a storage fault the copies are dropped and refill from what was committed', async () => {
  const first = await press('demo-0007', 9001);
  // A foreign lock makes the next commit fail with SQLITE_BUSY: the whole batch is refused.
  const other = new Database(t.dbPath);
  other.pragma('busy_timeout = 0');
  other.exec('BEGIN IMMEDIATE');
  try {
    await expect(press('demo-0007', 9002)).rejects.toThrow();
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  expect(bothViews(first.alertId!).cached.presses).toBe(1);
  await expect(press('demo-0007', 9002)).resolves.toMatchObject({ duplicate: false });
  const { committed, cached } = bothViews(first.alertId!);
  expect(cached).toEqual(committed);
  expect(committed.presses).toBe(2);
});

it('a whole call lifecycle stores exactly what the copies show, step by step (only changed columns are written)', async () => {
  const token = await t.login('grid1');
  const first = await press('demo-0001', 9601);
  const id = first.alertId!;
  const same = () => { const { committed, cached } = bothViews(id); expect(cached).toEqual(committed); return committed; };
  expect(same().state).toBe('raised');
  // A new alert is kept as inserted, not read back: every column as a fresh read has it.
  expect({ ...t.hub.store.alerts.live.alert(id) }).toEqual(committedRow(id));
  await press('demo-0001', 9602);
  expect(same().presses).toBe(2);
  expect((await t.api('POST', `/api/alerts/${id}/ack`, token)).status).toBe(200);
  expect(same()).toMatchObject({ state: 'accepted', deadlineKind: 'renotify_arrive' });
  await t.hub.ingest.commitEvent({ kind: 'device-event', deviceId: 'demo-0001', seq: 9603, type: 'cancel', deviceTs: null, receivedAt: Date.now(), via: 'test' });
  expect(same().state).toBe('cancelled');
  await press('demo-0001', 9604); // pressing again reopens it
  expect(same()).toMatchObject({ state: 'accepted', presses: 3 });
  expect((await t.api('POST', `/api/alerts/${id}/arrive`, token)).status).toBe(200);
  expect(same()).toMatchObject({ state: 'on_site', deadlineAt: null });
  expect((await t.api('POST', `/api/alerts/${id}/resolve`, token, { outcome: 'assisted', note: '已处理' })).status).toBe(200);
  expect(same()).toMatchObject({ state: 'resolved', outcome: 'assisted', note: '已处理' });
  expect(t.hub.store.alerts.live.alert(id)).toBeUndefined(); // closed alerts leave the cache
});

it('hands out frozen rows, so nobody can change a cached alert in place', async () => {
  const r = await press('demo-0008', 9501);
  const a = t.hub.store.alerts.get(r.alertId!)!;
  expect(() => { (a as { presses: number }).presses = 99; }).toThrow(TypeError);
});

it('a long timeline: the cached window and a cold read show the same first and latest entries, count and notified staff', async () => {
  const first = await press('demo-0009', 9701);
  const id = first.alertId!;
  bothViews(id); // its view is kept now; the entries below change no version, only the timeline
  t.hub.store.tx(() => {
    for (let i = 0; i < 30; i++) t.hub.store.alerts.appendEvent(id, Date.now() + i, 'notified', null, { level: 0, notified: [1000 + i] });
  });
  const { committed, cached } = bothViews(id);
  expect(cached).toEqual(committed);
  const all = t.hub.store.alerts.timeline(id);
  expect(committed.timeline).toHaveLength(20);
  expect(committed.timelineOmitted).toBe(all.length - 20);
  expect(committed.timeline[0].type).toBe('raised');
  expect(committed.timeline.at(-1)!.data).toEqual({ level: 0, notified: [1029] });
  expect(committed.notified).toEqual(expect.arrayContaining([1000, 1015, 1029]));
});
