/**
 * Storage faults: the store refuses the insert (SQLITE_BUSY from another connection holding
 * the write lock, read-only, disk full). Then no ack is sent, the device keeps re-sending, a
 * "storage fault" technical alert reaches the consoles within 5 s and the log, new consoles
 * get it in their snapshot, and once the fault clears every re-sent press is stored and the
 * alert is persisted. The hub runs in-process here because the faults are made on its own
 * SQLite connection (query_only, max_page_count) or next to it (a second connection's lock).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Hub } from '../../dispatcher/hub.ts';
import { SimDevice } from '../../simulator/sim-device.ts';
import { ConsoleClient } from '../helpers/console-client.ts';
import { tempDbPath } from '../helpers/hub-harness.ts';
import { startLoggedHub, type LogLine } from './helpers/logged-hub.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Fault { name: string; make(hub: Hub, dbPath: string): void; clear(hub: Hub): void }

let locker: Database.Database | null = null;
const FAULTS: Fault[] = [
  {
    name: 'SQLITE_BUSY (another connection holds the write lock)',
    make: (_hub, dbPath) => {
      locker = new Database(dbPath);
      locker.exec('BEGIN IMMEDIATE');
      locker.prepare("INSERT INTO hub_state (key, value) VALUES ('chaos_lock', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1").run();
    },
    clear: () => { locker?.exec('ROLLBACK'); locker?.close(); locker = null; },
  },
  {
    name: 'SQLITE_READONLY (the connection is read-only: PRAGMA query_only)',
    make: (hub) => { hub.store.db.pragma('query_only = ON'); },
    clear: (hub) => { hub.store.db.pragma('query_only = OFF'); },
  },
  {
    name: 'SQLITE_FULL (disk full: max_page_count at the current size, free space used up)',
    make: (hub) => {
      const db = hub.store.db;
      db.exec('CREATE TABLE IF NOT EXISTS chaos_filler (x BLOB)');
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
      for (const size of [3000, 300, 30, 1]) {
        try { for (;;) db.prepare('INSERT INTO chaos_filler VALUES (randomblob(?))').run(size); } catch (err) { expect((err as { code: string }).code).toBe('SQLITE_FULL'); }
      }
    },
    clear: (hub) => { hub.store.db.pragma('max_page_count = 1073741823'); },
  },
];

describe('storage faults', () => {
  const { dir, dbPath } = tempDbPath();
  const lines: LogLine[] = [];
  let hub: Hub;
  let admin: string;
  let grid1: string;
  const devices: SimDevice[] = [];
  const consoles: ConsoleClient[] = [];

  beforeAll(async () => {
    hub = await startLoggedHub(dbPath, lines);
    const login = async (u: string) => {
      const r = await fetch(`http://127.0.0.1:${hub.ports.http}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: 'demo-pass' }) });
      return ((await r.json()) as { token: string }).token;
    };
    admin = await login('admin');
    grid1 = await login('grid1');
  });
  afterAll(async () => {
    for (const c of consoles) c.close();
    await Promise.all(devices.map((d) => d.close(false).catch(() => {})));
    locker?.close();
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ws = () => `ws://127.0.0.1:${hub.ports.http}/ws`;
  let deviceNo = 0;
  const device = async () => {
    const id = `demo-${String(++deviceNo).padStart(4, '0')}`;
    const d = new SimDevice({ url: `mqtt://127.0.0.1:${hub.ports.mqtt}`, id, secret: 'demo-secret', resendMs: 1000, reconnectMs: 500, firstSeq: 1000 * deviceNo });
    await d.connect();
    devices.push(d);
    return d;
  };

  for (const fault of FAULTS) {
    it(fault.name, async () => {
      const adminConsole = await ConsoleClient.open(ws(), admin);
      const gridConsole = await ConsoleClient.open(ws(), grid1);
      consoles.push(adminConsole, gridConsole);
      const refusedBefore = hub.ingest.storageFaults;
      fault.make(hub, dbPath);

      // Press until the store refuses (disk full lets presses through while their pages still have room: a
      // change row is small, so it took 48 presses in one run). At most 10 devices; after that they press again.
      const pressed: { d: SimDevice; seq: number; acked: Promise<unknown>; ackedFlag: { v: boolean } }[] = [];
      const mine: SimDevice[] = [];
      const t0 = Date.now();
      while (hub.ingest.storageFaults === refusedBefore && pressed.length < 300) {
        const d = mine.length < 10 ? await device() : mine[pressed.length % 10];
        if (!mine.includes(d)) mine.push(d);
        const flag = { v: false };
        const acked = d.send('press').then(() => { flag.v = true; });
        pressed.push({ d, seq: d.lastSeq(), acked, ackedFlag: flag });
        const until = Date.now() + 8000;
        while (hub.ingest.storageFaults === refusedBefore && !flag.v && Date.now() < until) await sleep(50);
      }
      expect(hub.ingest.storageFaults).toBeGreaterThan(refusedBefore);
      const refusedAt = lines.find((l) => l.msg.startsWith('storage fault: batch not committed') && l.at >= t0)?.at ?? Date.now();
      const stuck = pressed.filter((p) => !p.ackedFlag.v);
      expect(stuck.length).toBeGreaterThan(0);

      // The technical alert: on both consoles within 5 s, and in the log.
      const isFault = (a: { reason?: string; state?: string }) => a.reason === 'storage_fault' && a.state === 'raised';
      const onAdmin = await adminConsole.waitFor((f) => f.type === 'change' && isFault(f.alert ?? {}), 15_000);
      const alertAt = Date.now();
      await gridConsole.waitFor((f) => f.type === 'change' && isFault(f.alert ?? {}), 5000);
      expect(alertAt - refusedAt).toBeLessThanOrEqual(5000);
      expect(lines.some((l) => l.msg.startsWith('STORAGE FAULT'))).toBe(true);
      const faultId = onAdmin.alert.id as string;

      // While it lasts: no ack, the device keeps re-sending (each re-send is refused again), a new console sees it in its snapshot.
      const refusedMid = hub.ingest.storageFaults;
      await sleep(fault.name.includes('BUSY') ? 7000 : 2500);
      expect(stuck.every((p) => !p.ackedFlag.v)).toBe(true);
      expect(hub.ingest.storageFaults).toBeGreaterThan(refusedMid);
      const late = await ConsoleClient.open(ws(), grid1);
      consoles.push(late);
      const snap = late.frames.find((f) => f.type === 'snapshot')!;
      expect(snap.alerts!.some((a) => a.id === faultId && isFault(a))).toBe(true);

      // Clear it: every re-sent press is stored and acked, and the alert is persisted.
      const clearedAt = Date.now();
      fault.clear(hub);
      await Promise.race([Promise.all(stuck.map((p) => p.acked)), sleep(15_000)]);
      expect(stuck.every((p) => p.ackedFlag.v)).toBe(true);
      const recoverMs = Date.now() - clearedAt;
      for (const p of pressed) expect(hub.store.alerts.deviceEventAlert(p.d.opts.id, p.seq)).toBeDefined();
      await adminConsole.waitFor((f) => f.type === 'change' && f.alert?.id === faultId && f.alert?.state === 'resolved', 5000);
      const persisted = await adminConsole.waitFor((f) => f.type === 'change' && f.alert?.reason === 'storage_fault' && f.alert?.id !== faultId, 5000);
      expect(hub.store.alerts.get(persisted.alert.id)?.reason).toBe('storage_fault');
      expect(persisted.alert.detail).toMatch(/storage fault SQLITE_/);
      console.log(`CHAOS storage fault figures ${JSON.stringify({ fault: fault.name, refusedBatches: hub.ingest.storageFaults - refusedBefore, pressToAlertMs: alertAt - t0, refusalToAlertMs: alertAt - refusedAt, clearToAllStoredMs: recoverMs, presses: pressed.length, stuck: stuck.length })}`);
    }, 90_000);
  }

  it('a store that fails while no device is sending is noticed by the health sweep (every 5 s)', async () => {
    const c = await ConsoleClient.open(ws(), admin);
    consoles.push(c);
    const t0 = Date.now();
    hub.store.db.pragma('query_only = ON');
    const raised = await c.waitFor((f) => f.type === 'change' && f.alert?.reason === 'storage_fault' && f.alert?.state === 'raised', 12_000);
    const noticedMs = Date.now() - t0;
    expect(hub.storageFault.faulty).toBe(true);
    const cleared = Date.now();
    hub.store.db.pragma('query_only = OFF');
    // No device traffic: the monitor's own probe persists the alert.
    await c.waitFor((f) => f.type === 'change' && f.alert?.id === raised.alert.id && f.alert?.state === 'resolved', 10_000);
    await c.waitFor((f) => f.type === 'change' && f.alert?.reason === 'storage_fault' && f.alert?.id !== raised.alert.id && f.alert?.state === 'raised', 5000);
    expect(hub.storageFault.faulty).toBe(false);
    console.log(`CHAOS storage fault figures ${JSON.stringify({ fault: 'READONLY, no device traffic', faultToAlertMs: noticedMs, clearToPersistedMs: Date.now() - cleared })}`);
  }, 60_000);
});
