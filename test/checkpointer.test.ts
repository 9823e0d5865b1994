/** WAL checkpoints run in a worker thread; if the worker fails, the hub's own connection takes over again. */
import { until as untilHolds } from './helpers/until.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../dispatcher/store/db.ts';
import { Checkpointer } from '../dispatcher/store/checkpointer.ts';
import { startTestHub, tempDbPath, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t.stop(); });

const until = (cond: () => boolean, ms = 10_000) => untilHolds(cond, ms, 50);

it('copies the WAL back in the background while the hub keeps committing', async () => {
  await until(() => t.hub.store.db.pragma('wal_autocheckpoint', { simple: true }) === 20_000);
  let seq = 1;
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => t.hub.ingest.commitEvent({
      kind: 'device-event', deviceId: `demo-000${1 + (i % 8)}`, seq: seq++, type: 'press', deviceTs: null, receivedAt: Date.now(), via: 'test',
    })));
  }
  await until(() => {
    const h = t.hub.health() as { walCheckpoints: { background: boolean; runs: number; lastCheckpointed: number; lastLog: number } };
    return h.walCheckpoints.background && h.walCheckpoints.runs > 0 && h.walCheckpoints.lastCheckpointed === h.walCheckpoints.lastLog;
  });
  const h = (await t.api('GET', '/healthz')).body;
  expect(h.walCheckpoints).toMatchObject({ background: true, errors: 0 });
});

it('falls back to checkpointing on the hub connection when the worker cannot start', async () => {
  const { dbPath } = tempDbPath();
  const db = openDb(dbPath);
  db.pragma('wal_autocheckpoint = 5');
  const problems: string[] = [];
  // The worker opens the file with fileMustExist: a path that does not exist makes it fail at once.
  const cp = new Checkpointer(db, `${dbPath}.missing`, (m) => problems.push(m), { everyMs: 50 });
  await until(() => problems.length > 0);
  expect(problems[0]).toMatch(/background checkpointer (stopped|exited).*checkpoints on its own connection again/);
  expect(cp.running).toBe(false);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  cp.stop();
  db.close();
});

it('under a steady stream of commits, hands the log over: every hold is let go, the log starts again, no row is lost', async () => {
  const { dbPath } = tempDbPath();
  const db = openDb(dbPath);
  db.exec('CREATE TABLE stream (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO stream (body) VALUES (?)');
  let held = false, holds = 0, releases = 0, written = 0;
  const gate = { hold: () => { held = true; holds++; }, release: () => { held = false; releases++; } };
  const cp = new Checkpointer(db, dbPath, (m) => { throw new Error(m); }, { everyMs: 20, restartAtFrames: 50, gate });
  await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 20_000);
  // A writer that commits every millisecond, as the group commit does under load, and honours the gate.
  const writer = setInterval(() => {
    if (held) return;
    db.transaction(() => { for (let i = 0; i < 20; i++) insert.run('x'.repeat(200)); })();
    written += 20;
  }, 1);
  await until(() => cp.stats.restarts >= 3);
  clearInterval(writer);
  cp.stop();
  expect(held).toBe(false);
  expect(releases).toBe(holds);
  expect(cp.stats.longestHoldMs).toBeGreaterThan(0);
  expect(cp.stats.longestHoldMs).toBeLessThanOrEqual(100 + 50); // maxHoldMs, and a timer's lateness
  expect((db.prepare('SELECT count(*) AS n FROM stream').get() as { n: number }).n).toBe(written);
  db.close();
});

it('holds device events while the log is handed over and commits them when let go', async () => {
  t.hub.ingest.hold();
  let settled = false;
  const p = t.hub.ingest.commitEvent({ kind: 'device-event', deviceId: 'demo-0003', seq: 900_001, type: 'test', deviceTs: null, receivedAt: Date.now(), via: 'test' })
    .then((r) => { settled = true; return r; });
  await new Promise((r) => setTimeout(r, 50));
  expect(settled).toBe(false);
  t.hub.ingest.release();
  await expect(p).resolves.toMatchObject({ duplicate: false });
});
