/**
 * `npx tsx bench/household-import-cost.ts [ROWS] [--devices]`: a street office's households imported from one
 * spreadsheet (POST /api/households/import, default 10,000 rows: a resident and two contacts each,
 * over the demo's two grids; with `--devices`, each row also registers its call button) while a device presses every 20 ms. Sent from a worker thread; prints
 * the request's time, the hub's longest event-loop pause meanwhile, and the presses' commit times
 * (what their acks wait for). The hub runs in this process.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { massEventHub, steadyPresser } from './mass-seed.ts';

const ROWS = Number(process.argv.slice(2).find((a) => /^[0-9]+$/.test(a)) ?? 10_000);
const DEVICES = process.argv.includes('--devices');
const { hub, dir, token } = await massEventHub(0, Date.now());
const grids = ['第一网格', '第二网格'];
const csv = [`网格,地址,老人姓名,年龄,老人电话,健康情况,联系人,关系,联系人电话,联系人2,关系2,联系人2电话${DEVICES ? ',按钮编号' : ''}`,
  ...Array.from({ length: ROWS }, (_, i) => `${grids[i % 2]},导入小区${Math.floor(i / 40) + 1}号楼${(i % 40) + 101}室,住户${i},${65 + (i % 30)},13900${String(i).padStart(6, '0')},高血压,家属${i},子女,13700${String(i).padStart(6, '0')},邻居${i},邻居,13600${String(i).padStart(6, '0')}${DEVICES ? `,imp-${i}` : ''}`)].join('\r\n');

const worker = new Worker(`
  const { parentPort, workerData } = require('node:worker_threads');
  (async () => {
    const t = performance.now();
    const res = await fetch(workerData.url, { method: 'POST', headers: { authorization: 'Bearer ' + workerData.token, 'content-type': 'text/csv' }, body: workerData.csv });
    const body = await res.json();
    parentPort.postMessage({ status: res.status, created: body.created, devices: body.devices?.length ?? 0, error: body.error, ms: performance.now() - t });
  })();`, { eval: true, workerData: { url: `http://127.0.0.1:${hub.ports.http}/api/households/import`, token, csv } });

const before = hub.store.households.count();
const pause = monitorEventLoopDelay({ resolution: 1 });
const presser = steadyPresser(hub);
await new Promise((r) => setTimeout(r, 500));
pause.enable();
const r = await new Promise<{ status: number; created: number; devices: number; error?: unknown; ms: number }>((resolve) => worker.once('message', resolve));
pause.disable();
await new Promise((r) => setTimeout(r, 300));
const commits = await presser.stop();
await worker.terminate();
if (r.status !== 201) throw new Error(`import: ${r.status} ${JSON.stringify(r.error).slice(0, 300)}`);
const q = (p: number) => commits[Math.min(commits.length - 1, Math.floor(p * commits.length))].toFixed(1);
console.log(`${ROWS} rows, ${(csv.length / 1e6).toFixed(2)} MB of text (${(Buffer.byteLength(csv) / 1e6).toFixed(2)} MB UTF-8): ${r.created} households${DEVICES ? ` and ${r.devices} buttons` : ''} in ${r.ms.toFixed(0)} ms (${hub.store.households.count() - before} in the store)`);
console.log(`the hub's longest event-loop pause during the import: ${(pause.max / 1e6).toFixed(1)} ms`);
console.log(`presses every 20 ms meanwhile: ${commits.length} committed, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${commits[commits.length - 1].toFixed(1)} ms`);
const cp = (hub.health() as { walCheckpoints?: { handovers: number; longestHoldMs: number; holdsTimedOut: number } | null }).walCheckpoints;
if (cp) console.log(`WAL checkpoints: ${cp.handovers} handovers, longest hold of device events ${cp.longestHoldMs} ms, ${cp.holdsTimedOut} ran out`);
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
