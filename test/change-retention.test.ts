/**
 * The change feed keeps a resume window: rows older than it are pruned in chunks on a timer, a
 * console behind the pruned rows or too far behind gets a snapshot, a console within it resumes.
 * Real SQLite files; a real hub and WebSocket for the console side; the clock injected.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { tempDbPath, startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { Store } from '../dispatcher/store/store.ts';
import { ManualClock } from '../dispatcher/clock.ts';
import { ChangeRetention } from '../dispatcher/alerts/change-retention.ts';
import { MAX_RESUME_CHANGES } from '../dispatcher/push/console-socket.ts';

const HOUR = 3_600_000;

it('prunes rows older than the window, a chunk per transaction, on its timer; newer rows and the numbering stay', async () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  const clock = new ManualClock(100 * HOUR);
  try {
    store.tx(() => {
      for (let i = 0; i < 25; i++) store.alerts.recordChange(`old-${i}`, '/1/', 10 * HOUR + i); // older than 24 h at 100 h
      for (let i = 0; i < 5; i++) store.alerts.recordChange(`new-${i}`, '/1/', 90 * HOUR + i);
    });
    const r = new ChangeRetention(store, clock, pino({ level: 'silent' }), { keepMs: 24 * HOUR, everyMs: 60_000, chunk: 10 });
    expect(r.pruneChunk()).toBe(true); // 10 of 25: more left
    expect(store.alerts.firstChangeSeq()).toBe(11);
    r.start();
    clock.advance(60_000); // the timer's run: one chunk, then the rest after yielding to the event loop
    await new Promise((res) => setTimeout(res, 50));
    expect(r.pruned).toBe(25);
    expect(store.alerts.changesSince(0, 100).map((c) => c.alertId)).toEqual(['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
    expect(store.alerts.firstChangeSeq()).toBe(26);
    expect(store.alerts.recordChange('next', '/1/', 100 * HOUR)).toBe(31); // numbers are never given out twice
    r.stop();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t.stop(); });

it(`a console more than ${MAX_RESUME_CHANGES.toLocaleString('en')} changes behind gets a snapshot; one within resumes`, async () => {
  const token = await t.login('admin');
  const a = await (await t.device('demo-0001')).send('press');
  const seen = t.hub.store.alerts.lastChangeSeq();
  const grid = t.hub.store.alerts.get(a.alertId!)!.gridPath;
  const near = await t.console('admin', { since: seen - 1, token });
  expect(near.frames.some((f) => f.type === 'resumed')).toBe(true);
  expect(near.frames.find((f) => f.type === 'change')?.alert.id).toBe(a.alertId);
  near.close();
  const now = Date.now();
  t.hub.store.tx(() => { for (let i = 0; i <= MAX_RESUME_CHANGES; i++) t.hub.store.alerts.recordChange(a.alertId!, grid, now); });
  const far = await t.console('admin', { since: seen, token });
  expect(far.frames.some((f) => f.type === 'resumed')).toBe(false);
  expect(far.frames.find((f) => f.type === 'snapshot')!.alerts!.map((x) => x.id)).toContain(a.alertId);
  far.close();
});
