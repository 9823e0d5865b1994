/** WAL checkpoints run in a worker thread; if the worker fails, the hub's own connection takes over again. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../dispatcher/store/db.ts';
import { Checkpointer } from '../dispatcher/store/checkpointer.ts';
import { startTestHub, tempDbPath, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t.stop(); });

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

it('copies the WAL back in the background while the hub keeps committing', async () => {
  await until(() => t.hub.store.db.pragma('wal_autocheckpoint', { simple: true }) === 10_000);
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
  const cp = new Checkpointer(db, `${dbPath}.missing`, (m) => problems.push(m), 50);
  await until(() => problems.length > 0);
  expect(problems[0]).toMatch(/background checkpointer (stopped|exited).*checkpoints on its own connection again/);
  expect(cp.running).toBe(false);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  cp.stop();
  db.close();
});
