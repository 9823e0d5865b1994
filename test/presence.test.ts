/**
 * Presence writes (dispatcher/alerts/presence.ts): a flush of many devices goes PRESENCE_CHUNK per
 * transaction, one per turn of the event loop, and an observation made meanwhile is never
 * overwritten by an older one. A real store file; the clock is injected.
 */
import { afterEach, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';
import { ManualClock } from '../dispatcher/clock.ts';
import { PresenceTracker, PRESENCE_CHUNK } from '../dispatcher/alerts/presence.ts';
import { tempDbPath } from './helpers/hub-harness.ts';

const turn = () => new Promise((r) => setImmediate(r));
let cleanup: (() => void) | null = null;
afterEach(() => { cleanup?.(); cleanup = null; });

function setup(devices: number) {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  const clock = new ManualClock(Date.parse('2026-12-01T03:00:00Z'));
  seedDemo(store, clock.now());
  const ids = Array.from({ length: devices }, (_, i) => `pr-${String(i).padStart(4, '0')}`);
  store.tx(() => { for (const id of ids) store.devices.create({ id, kind: 'mqtt-button', householdId: null }, null, clock.now()); });
  const presence = new PresenceTracker(store, clock, pino({ level: 'silent' }));
  cleanup = () => { store.close(); rmSync(dir, { recursive: true, force: true }); };
  const seen = () => ids.filter((id) => store.devices.get(id)!.lastSeen !== null).length;
  return { store, clock, presence, ids, seen };
}

it('writes a large flush a chunk per turn of the event loop, all of it within a few turns', async () => {
  const { clock, presence, ids, seen } = setup(PRESENCE_CHUNK * 2 + 50);
  for (const id of ids) presence.observe({ kind: 'heartbeat', deviceId: id, at: clock.now(), data: { battery: 80 } });
  clock.advance(1000); // the flush timer
  expect(seen()).toBe(PRESENCE_CHUNK);
  await turn();
  expect(seen()).toBe(PRESENCE_CHUNK * 2);
  await turn();
  expect(seen()).toBe(ids.length);
});

it('an observation made while a flush is still writing is written after it, never overwritten by the older one', async () => {
  const { store, clock, presence, ids } = setup(PRESENCE_CHUNK * 2 + 50);
  const last = ids[ids.length - 1]; // in the flush's last chunk
  for (const id of ids) presence.observe({ kind: 'heartbeat', deviceId: id, at: clock.now(), data: {} });
  clock.advance(1000);
  presence.observe({ kind: 'presence', deviceId: last, online: false, at: clock.now(), cause: 'disconnect' });
  presence.flush(); // asked again before the first flush has finished: it waits
  for (let i = 0; i < 5; i++) await turn();
  expect(store.devices.get(last)!.online).toBe(true); // the older observation, written by the first flush
  clock.advance(1000);
  expect(store.devices.get(last)!.online).toBe(false);
});

it('stop() writes what is left at once', async () => {
  const { clock, presence, ids, seen } = setup(PRESENCE_CHUNK + 20);
  for (const id of ids) presence.observe({ kind: 'heartbeat', deviceId: id, at: clock.now(), data: {} });
  clock.advance(1000);
  expect(seen()).toBe(PRESENCE_CHUNK);
  presence.observe({ kind: 'heartbeat', deviceId: 'demo-0001', at: clock.now(), data: {} });
  presence.stop();
  expect(seen()).toBe(ids.length);
  await turn(); // the chunk that was due finds nothing left
  expect(seen()).toBe(ids.length);
});
