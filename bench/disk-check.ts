/**
 * How this machine's disk behaves under the hub's write pattern, measured for a few seconds before
 * the suite runs, so a result file says what disk its figures came from (bench/README, item 29:
 * benchmark 6 met its target on one machine and missed it on another with the same code, and every
 * pause over 100 ms there was a store write waiting for the disk).
 *
 * The pattern, in the directory where the benchmark hubs keep their SQLite files: this thread appends
 * two log frames (8,240 bytes) every 10 ms with a synchronous write, as a commit does on the hub's event
 * loop, and fdatasyncs the file on libuv's thread pool, one at a time, as the group sync does
 * (dispatcher/store/wal-sync.ts); a worker thread writes 50 random pages to a second file and fsyncs
 * it every 500 ms, as the checkpoint worker does with the database file.
 */
import { closeSync, fdatasync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { distribution } from '../simulator/stats.ts';

export interface DiskCheck { seconds: number; writeP99Ms: number; writeMaxMs: number; logSyncP50Ms: number; logSyncMaxMs: number; dbSyncP50Ms: number; dbSyncMaxMs: number }

const CHECKPOINTER = `
const { openSync, writeSync, fsyncSync, closeSync } = require('node:fs');
const { workerData, parentPort } = require('node:worker_threads');
const fd = openSync(workerData.path, 'w+');
const page = Buffer.alloc(4096, 7);
const took = [];
let stop = false;
parentPort.on('message', () => { stop = true; });
const round = () => {
  if (stop) { closeSync(fd); parentPort.postMessage(took); return; }
  for (let i = 0; i < 50; i++) writeSync(fd, page, 0, page.length, Math.floor(Math.random() * 20000) * page.length);
  const t = performance.now();
  fsyncSync(fd);
  took.push(performance.now() - t);
  setTimeout(round, 500);
};
round();`;

export async function diskCheck(seconds = 10): Promise<DiskCheck> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-disk-check-'));
  const log = openSync(join(dir, 'log'), 'w+');
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { path: join(dir, 'db') } });
  const frames = Buffer.alloc(2 * (4096 + 24), 3);
  const writes: number[] = [];
  const syncs: number[] = [];
  let offset = 0;
  let syncing = false;
  let again = false;
  const sync = (): void => {
    syncing = true;
    again = false;
    const t = performance.now();
    fdatasync(log, () => {
      syncs.push(performance.now() - t);
      syncing = false;
      if (again) sync();
    });
  };
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const t = performance.now();
      writeSync(log, frames, 0, frames.length, offset);
      writes.push(performance.now() - t);
      offset = offset > 40e6 ? 0 : offset + frames.length;
      if (syncing) again = true;
      else sync();
      if (performance.now() - t0 >= seconds * 1000) { clearInterval(timer); resolve(); }
    }, 10);
  });
  const dbSyncs = await new Promise<number[]>((resolve) => { worker.once('message', resolve); worker.postMessage('stop'); });
  await worker.terminate();
  while (syncing) await new Promise((r) => setTimeout(r, 5));
  closeSync(log);
  rmSync(dir, { recursive: true, force: true });
  const w = distribution(writes);
  const s = distribution(syncs);
  const d = distribution(dbSyncs);
  return { seconds, writeP99Ms: w.p99, writeMaxMs: w.max, logSyncP50Ms: s.p50, logSyncMaxMs: s.max, dbSyncP50Ms: d.p50, dbSyncMaxMs: d.max };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 30);
  process.stdout.write(`${JSON.stringify(await diskCheck(seconds))}\n`);
}
