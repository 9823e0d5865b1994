/**
 * What a connecting console costs the hub when many calls are open (a mass event): N open calls,
 * then a hub started on them, then consoles (the admin, who sees every call) connecting: the first
 * one alone (nothing built yet), then 20 at once (as after a restart or a network blip). For each:
 * time from upgrade to snapshot at the client, the snapshot's size, and the longest pause of the hub's
 * event loop meanwhile (perf_hooks, 1 ms resolution; the hub runs in this process).
 * Not a test: a figure. Run: npx tsx bench/snapshot-cost.ts [N ...]   (default: 1000 11000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import pino from 'pino';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';
import { Hub } from '../dispatcher/hub.ts';
import { loadConfig } from '../dispatcher/config.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const CONSOLES = 20;

function seedOpenCalls(store: Store, n: number, now: number): void {
  const staffIds = store.staff.list().map((s) => s.id);
  const devices = store.devices.list().filter((d) => d.householdId !== null);
  store.tx(() => {
    for (let i = 0; i < n; i++) {
      const d = devices[i % devices.length];
      const hh = store.households.get(d.householdId!)!;
      const grid = store.grid.get(hh.gridId);
      const id = randomUUID();
      const at = now - (n - i) * 10;
      store.alerts.insert({ id, kind: 'call', reason: 'press', deviceId: d.id, householdId: hh.id, gridId: grid.id, gridPath: grid.path,
        state: 'raised', level: 0, presses: 1, isTest: false, detail: '', raisedAt: at, deadlineAt: now + 3_600_000, deadlineKind: 'escalate' });
      store.alerts.appendEvent(id, at, 'raised', null, { reason: 'press', via: 'mqtt' });
      store.alerts.appendEvent(id, at, 'notified', null, { level: 0, notified: staffIds.slice(0, 2) });
    }
  });
}

/**
 * The consoles run in a worker thread, so that receiving megabytes of snapshot is not counted as the
 * hub's pause. Opens `count` consoles at once; resolves with each one's ms from open() to its snapshot
 * and the snapshot's bytes.
 */
const CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require('ws');
const socks = [];
parentPort.on('message', (count) => {
  const out = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const ws = new WebSocket(workerData.url);
    socks.push(ws);
    ws.on('message', (data) => {
      if (!data.subarray(0, 20).toString().includes('"snapshot"')) return;
      out.push({ ms: performance.now() - t0, bytes: data.length });
      if (out.length === count) parentPort.postMessage(out);
    });
    ws.on('error', (e) => parentPort.postMessage({ error: e.message }));
  }
});
`;

function consoles(w: Worker, count: number): Promise<{ ms: number; bytes: number }[]> {
  return new Promise((resolve, reject) => {
    w.once('message', (m) => (Array.isArray(m) ? resolve(m) : reject(new Error(m.error))));
    w.postMessage(count);
  });
}

async function measure(n: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-snap-'));
  const dbPath = join(dir, 'hub.db');
  const seedStore = Store.open(dbPath);
  seedDemo(seedStore, Date.now());
  seedOpenCalls(seedStore, n, Date.now());
  seedStore.close();
  const config = loadConfig({ ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: '0', ANXIN_HTTP_PORT: '0', ANXIN_DB: dbPath, ANXIN_LOG_LEVEL: 'silent' });
  const hub = await Hub.start(config, { log: pino({ level: 'silent' }) });
  const login = await fetch(`http://127.0.0.1:${hub.ports.http}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo-pass' }),
  });
  const { token } = await login.json() as { token: string };
  const url = `ws://127.0.0.1:${hub.ports.http}/ws?token=${token}`;
  const h = monitorEventLoopDelay({ resolution: 1 });
  await new Promise((r) => setTimeout(r, 200));

  // eval'd CommonJS resolves modules from here: the project's own node_modules.
  const w = new Worker(CLIENTS, { eval: true, workerData: { url }, env: { ...process.env, NODE_PATH: join(createRequire(import.meta.url).resolve('ws'), '../..') } });
  h.reset(); h.enable();
  const [first] = await consoles(w, 1);
  h.disable();
  const firstPause = h.max / 1e6;

  h.reset(); h.enable();
  const t0 = performance.now();
  const many = await consoles(w, CONSOLES);
  const allMs = performance.now() - t0;
  h.disable();
  const manyPause = h.max / 1e6;

  await w.terminate();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
  const slowest = Math.max(...many.map((c) => c.ms));
  return { open: n, firstMs: +first.ms.toFixed(1), firstPauseMs: +firstPause.toFixed(1), snapshotKB: Math.round(first.bytes / 1024),
    [`${CONSOLES}ConsolesMs`]: +allMs.toFixed(1), slowestOfThemMs: +slowest.toFixed(1), pauseWhileTheyConnectMs: +manyPause.toFixed(1) };
}

const rows: Record<string, number>[] = [];
for (const n of sizes.length ? sizes : [1000, 11_000]) rows.push(await measure(n));
console.table(rows);
console.log(JSON.stringify(rows));
process.exit(0);
