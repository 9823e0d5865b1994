/**
 * A mass event for the one-off measurements (snapshot-cost.ts, mass-escalation.ts): a demo hub's
 * database with N open calls spread over the demo households, written straight to the store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';
import { Hub } from '../dispatcher/hub.ts';
import { loadConfig } from '../dispatcher/config.ts';

export function seedOpenCalls(store: Store, n: number, now: number, deadlineAt: number): void {
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
        state: 'raised', level: 0, presses: 1, isTest: false, detail: '', raisedAt: at, deadlineAt, deadlineKind: 'escalate' });
      store.alerts.appendEvent(id, at, 'raised', null, { reason: 'press', via: 'mqtt' });
      store.alerts.appendEvent(id, at, 'notified', null, { level: 0, notified: staffIds.slice(0, 2) });
    }
  });
}

/**
 * `n` MQTT buttons named `<prefix>-0`, `<prefix>-1`, …, last heard at `heardAt`, battery 80 %: spread over
 * the demo households, or with `ownHouseholds` each in a household of its own, as in a street office (one
 * resident, two contacts), which the hub then holds in memory only once it reads it again (as after a restart).
 */
export function seedFleet(store: Store, prefix: string, n: number, heardAt: number, ownHouseholds = false): void {
  const demo = store.householdLists.list(null);
  const gridId = demo[0].gridId;
  store.tx(() => {
    for (let i = 0; i < n; i++) {
      const householdId = ownHouseholds ? store.households.create({ gridId, address: `${prefix} 楼 ${i} 号`, accessNote: '',
        residents: [{ name: `住户 ${i}`, age: 80, phone: '', medicalNote: '' }],
        contacts: [{ name: `女儿 ${i}`, relation: '女儿', phone: '13800000000' }, { name: `邻居 ${i}`, relation: '邻居', phone: '13900000000' }] }, heardAt).id
        : demo[i % demo.length].id;
      store.devices.create({ id: `${prefix}-${i}`, kind: 'mqtt-button', householdId }, 'x', heardAt);
    }
  });
  if (ownHouseholds) store.households.forgetCache();
  store.db.prepare("UPDATE devices SET last_seen = ?, online = 1, battery = 80 WHERE id LIKE ? || '-%'").run(heardAt, prefix);
}

/**
 * The first `offline` devices of a fleet (seedFleet) silent since `since`, then a health sweep at `now`;
 * resolves once every offline alert is raised. The hub in this process has just started, and its sweep
 * gives every device that was healthy when the hub last ran a full interval from the start to reconnect
 * (alerts/health-sweep.ts): these devices are made to have fallen silent while the hub still ran, or the
 * first sweep raises none of them and, two minutes on, the sweeps raise every device of the fleet.
 */
export async function silenceFleet(hub: Hub, prefix: string, offline: number, since: number, now: number): Promise<void> {
  const s = hub.store;
  s.db.prepare(`UPDATE devices SET last_seen = ? WHERE id IN (SELECT id FROM devices WHERE id LIKE ? || '-%' ORDER BY id LIMIT ?)`).run(since, prefix, offline);
  const sweep = hub.healthSweep as unknown as { draining: boolean; aliveCutoff: number };
  sweep.aliveCutoff = Math.max(sweep.aliveCutoff, since + 1);
  hub.healthSweep.sweep(now);
  const open = s.db.prepare("SELECT count(*) AS n FROM alerts WHERE kind = 'technical' AND reason = 'offline' AND state IN ('raised','accepted') AND device_id LIKE ? || '-%'");
  const until = Date.now() + 30_000;
  while ((open.get(prefix) as { n: number }).n < offline || sweep.draining) {
    if (Date.now() > until) throw new Error(`silenceFleet: ${(open.get(prefix) as { n: number }).n} of ${offline} offline alerts raised after 30 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const n = (open.get(prefix) as { n: number }).n;
  if (n !== offline) throw new Error(`silenceFleet: ${n} devices offline, not ${offline}`);
}

/** A demo hub in this process on a new database holding `n` open calls due at `deadlineAt`, and an admin token. */
export async function massEventHub(n: number, deadlineAt: number): Promise<{ hub: Hub; dir: string; token: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-mass-'));
  const dbPath = join(dir, 'hub.db');
  const seed = Store.open(dbPath);
  seedDemo(seed, Date.now());
  seedOpenCalls(seed, n, Date.now(), deadlineAt);
  seed.close();
  const config = loadConfig({ ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: '0', ANXIN_HTTP_PORT: '0', ANXIN_DB: dbPath, ANXIN_LOG_LEVEL: 'silent' });
  const hub = await Hub.start(config, { log: pino({ level: 'silent' }) });
  const login = await fetch(`http://127.0.0.1:${hub.ports.http}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo-pass' }),
  });
  const { token } = await login.json() as { token: string };
  return { hub, dir, token };
}

/**
 * A device that presses every 20 ms (the first press raises a call, the rest repeat it) and records
 * how long each took to commit, which is what its ack waits for. stop() resolves with the times, sorted.
 */
export function steadyPresser(hub: Hub, deviceId = 'demo-0020', firstSeq = 1_000_000): { stop(): Promise<number[]> } {
  const commitMs: number[] = [];
  let seq = firstSeq, pressing = true;
  const loop = (async () => {
    while (pressing) {
      const s = performance.now();
      await hub.ingest.commitEvent({ kind: 'device-event', deviceId, seq: seq++, type: 'press', deviceTs: null, receivedAt: Date.now(), via: 'bench' });
      commitMs.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { async stop() { pressing = false; await loop; return commitMs.sort((a, b) => a - b); } };
}

/**
 * A spreadsheet import while the hub serves: the sheet is POSTed from a worker thread (so the
 * client's own work does not hold the hub's loop, which runs in this process) once a device has
 * pressed every 20 ms for half a second; measures the hub's longest event-loop pause until the
 * answer, and the presses' commit times (sorted) around it.
 */
export async function importWhilePressing(hub: Hub, path: string, token: string, csv: string): Promise<{
  answer: { status: number; created: number; updated: number; unchanged: number; devices: number; error?: unknown; ms: number }; pauseMs: number; commits: number[];
}> {
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    parentPort.once('message', async () => {
      const t = performance.now();
      const res = await fetch(workerData.url, { method: 'POST', headers: { authorization: 'Bearer ' + workerData.token, 'content-type': 'text/csv' }, body: workerData.csv });
      const body = await res.json();
      parentPort.postMessage({ status: res.status, created: body.created, updated: body.updated ?? body.changed ?? 0, unchanged: body.unchanged ?? 0, devices: body.devices?.length ?? 0, error: body.error, ms: performance.now() - t });
    });`, { eval: true, workerData: { url: `http://127.0.0.1:${hub.ports.http}${path}`, token, csv } });
  const pause = monitorEventLoopDelay({ resolution: 1 });
  const presser = steadyPresser(hub);
  await new Promise((r) => setTimeout(r, 500));
  pause.enable();
  // Listened to before the worker is told to send: a worker's message with no listener yet is lost.
  const answered = new Promise<{ status: number; created: number; updated: number; unchanged: number; devices: number; error?: unknown; ms: number }>((resolve) => worker.once('message', resolve));
  worker.postMessage('go');
  const answer = await answered;
  pause.disable();
  await new Promise((r) => setTimeout(r, 300));
  const commits = await presser.stop();
  await worker.terminate();
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`import: ${answer.status} ${JSON.stringify(answer.error).slice(0, 300)}`);
  return { answer, pauseMs: pause.max / 1e6, commits };
}

/** "N committed, p50 …, p99 …, max …" of sorted commit times. */
export function commitLine(commits: number[]): string {
  const q = (p: number) => commits[Math.min(commits.length - 1, Math.floor(p * commits.length))].toFixed(1);
  return `${commits.length} committed, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${commits[commits.length - 1].toFixed(1)} ms`;
}

/** eval'd CommonJS in a worker resolves modules from NODE_PATH: the project's own node_modules. */
export const CONSOLE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require('ws');
const socks = [];
let frames = 0;
parentPort.on('message', (m) => {
  if (m === 'frames') return parentPort.postMessage({ frames });
  const count = m, out = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const ws = new WebSocket(workerData.url);
    socks.push(ws);
    // A big snapshot comes in pages ({"type":"snapshot"|"snapshot_page","seq":…,"remaining":N,…}): the
    // first page's time and size, and the last one's time and the bytes of all of them.
    let firstMs = 0, firstBytes = 0, bytes = 0;
    ws.on('message', (data) => {
      frames++;
      const head = data.subarray(0, 80).toString();
      const m = head.startsWith('{"type":"snapshot') ? /"remaining":([0-9]+)/.exec(head) : null; // no backslashes: this is a template literal
      if (!m) return;
      bytes += data.length;
      if (!firstMs) { firstMs = performance.now() - t0; firstBytes = data.length; }
      if (m[1] !== '0') return;
      out.push({ ms: performance.now() - t0, bytes, firstMs, firstBytes });
      if (out.length === count) parentPort.postMessage(out);
    });
    ws.on('error', (e) => parentPort.postMessage({ error: e.message }));
  }
});
`;

/** A cost bench's command line: `measure` at each size given (or `defaults`), printed as a table and as JSON. */
export async function runSizes(defaults: number[], measure: (n: number) => Promise<Record<string, number>>): Promise<never> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rows: Record<string, number>[] = [];
  for (const n of sizes.length ? sizes : defaults) rows.push(await measure(n));
  console.table(rows);
  console.log(JSON.stringify(rows));
  process.exit(0);
}
