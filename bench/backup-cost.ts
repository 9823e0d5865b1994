/**
 * `npx tsx bench/backup-cost.ts [OPEN_CALLS]`: `npm run hub -- backup FILE` (dispatcher/store/backup-cli.ts)
 * run as its own process against a hub serving a street office (10,000 households with residents,
 * contacts and a button each, 300 grids, 615 staff) and OPEN_CALLS open calls (default 20,000),
 * while a device presses every 20 ms. Prints the database's size, how long the copy took, the
 * copy's size, the presses' commit times meanwhile (what their acks wait for), the hub's longest
 * event-loop pause, and the -wal file before, at its largest and after.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { massEventHub, steadyPresser } from './mass-seed.ts';
import { seedStreetOffice } from './street-office-seed.ts';

const OPEN = Number(process.argv[2] ?? 20_000);
const { hub, dir } = await massEventHub(OPEN, Date.now() + 3_600_000);
seedStreetOffice(hub.store, 10_000);
const dbPath = hub.config.dbPath;
const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
const mb = (n: number) => (n / 1e6).toFixed(1);
hub.store.db.pragma('wal_checkpoint(TRUNCATE)');

const presser = steadyPresser(hub);
await new Promise((r) => setTimeout(r, 500));
const pause = monitorEventLoopDelay({ resolution: 1 });
pause.enable();
const walBefore = size(`${dbPath}-wal`);
let walMost = walBefore;
const watch = setInterval(() => { walMost = Math.max(walMost, size(`${dbPath}-wal`)); }, 50);
const file = join(dir, 'backup.db');
const started = performance.now();
const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['--import', 'tsx', 'dispatcher/main.ts', 'backup', file],
  { env: { ...process.env, ANXIN_DB: dbPath }, encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))));
const wallMs = performance.now() - started;
pause.disable();
clearInterval(watch);
await new Promise((r) => setTimeout(r, 1500)); // the hub's next checkpoints
const commits = await presser.stop();
const q = (p: number) => commits[Math.min(commits.length - 1, Math.floor(p * commits.length))].toFixed(1);
console.log(`database ${mb(size(dbPath))} MB (${OPEN} open calls, ${hub.store.households.count()} households)`);
console.log(out.trim());
console.log(`the command, process start included: ${(wallMs / 1000).toFixed(2)} s`);
console.log(`presses every 20 ms meanwhile: ${commits.length} committed, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${commits[commits.length - 1].toFixed(1)} ms`);
console.log(`the hub's longest event-loop pause meanwhile: ${(pause.max / 1e6).toFixed(1)} ms`);
console.log(`-wal: ${mb(walBefore)} MB before, at most ${mb(walMost)} MB during, ${mb(size(`${dbPath}-wal`))} MB 1.5 s after`);
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
