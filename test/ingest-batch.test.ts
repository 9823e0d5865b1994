/** Group commit: one event that fails for its own reason does not take its batch down with it. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); });
afterAll(async () => { await t.stop(); });

const press = (deviceId: string, seq: number, receivedAt = Date.now()) =>
  t.hub.ingest.commitEvent({ kind: 'device-event', deviceId, seq, type: 'press', deviceTs: null, receivedAt, via: 'test' });

it('commits the good events of a batch and refuses only the bad one', async () => {
  // Same event-loop turn, so one batch. NaN as a time violates NOT NULL: a bug-class error, not a storage fault.
  const results = await Promise.allSettled([press('demo-0001', 501), press('demo-0002', 502, Number.NaN), press('demo-0003', 503)]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  const stored = t.hub.store.db.prepare("SELECT device_id AS d FROM device_events WHERE seq IN (501, 502, 503) ORDER BY seq").all();
  expect(stored).toEqual([{ d: 'demo-0001' }, { d: 'demo-0003' }]);
  expect(t.hub.ingest.storageFaults).toBe(0);
  // The refused event can come again, as a device re-sends it, and is then stored.
  await expect(press('demo-0002', 502)).resolves.toMatchObject({ duplicate: false });
});
