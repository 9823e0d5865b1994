/**
 * `npx tsx bench/staff-import-cost.ts [ROWS]`: a street office's duty staff imported from one
 * spreadsheet (POST /api/staff/import, default 2,000 rows, the most one file may hold: grid workers
 * over the 300 grids of street-office-seed.ts, each with a weekly shift) while a device presses every
 * 20 ms. Sent from a worker thread; prints the request's time, the hub's longest event-loop pause
 * meanwhile, and the presses' commit times; then the time to write the sheet back out (GET /api/staff as CSV),
 * and that sheet sent back with half the imported workers corrected (a new phone, weekend shifts instead).
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { commitLine, importWhilePressing, massEventHub } from './mass-seed.ts';
import { seedStreetOffice } from './street-office-seed.ts';

const ROWS = Number(process.argv[2] ?? 2000);
const { hub, dir, token } = await massEventHub(0, Date.now());
const org = seedStreetOffice(hub.store, 1000);
const csv = ['账号,姓名,网格,电话,值班日,开始,结束', ...Array.from({ length: ROWS }, (_, i) =>
  `imp.worker${i},网格员${i},${org.grids[i % org.grids.length]},139${String(i).padStart(8, '0')},${i % 2 ? '每天' : '1-5'},${i % 2 ? '20:00' : '08:00'},${i % 2 ? '08:00' : '20:00'}`)].join('\r\n');

const { answer: r, pauseMs, commits } = await importWhilePressing(hub, '/api/staff/import', token, csv);
console.log(`${ROWS} rows: ${r.created} accounts with shifts in ${r.ms.toFixed(0)} ms`);
console.log(`the hub's longest event-loop pause during the import: ${pauseMs.toFixed(1)} ms`);
console.log(`presses every 20 ms meanwhile: ${commitLine(commits)}`);

// The sheet back out (GET /api/staff as CSV): every account of the street office and its shifts, built in the hub's thread.
const sheetPause = monitorEventLoopDelay({ resolution: 1 });
const times: number[] = [];
let sheet = '';
sheetPause.enable();
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  sheet = await (await fetch(`http://127.0.0.1:${hub.ports.http}/api/staff`, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } })).text();
  times.push(performance.now() - t);
}
sheetPause.disable();
times.sort((a, b) => a - b);
console.log(`the staff sheet of ${hub.store.staff.count()} accounts (${(Buffer.byteLength(sheet) / 1e3).toFixed(0)} KB): ${times[2].toFixed(1)} ms (median of 5, request included), longest pause ${(sheetPause.max / 1e6).toFixed(1)} ms`);
// The imported workers' rows of the sheet back in (a file holds 2,000 rows at most), corrected: the first half get a new phone and work weekends.
const half = Math.floor(ROWS / 2);
const theirs = sheet.split('\r\n').filter((l, i) => i === 0 || l.startsWith('imp.worker')).join('\r\n');
const corrected = theirs.replace(/^imp\.worker(\d+),([^,]*),([^,]*),([^,]*),[^,]*,[^,]*,/gm, (row, n, name, role, grid) =>
  (Number(n) < half ? `imp.worker${n},${name},${role},${grid},138${String(n).padStart(8, '0')},6-7,` : row));
const back = await importWhilePressing(hub, '/api/staff/import?changeExisting=true', token, corrected);
console.log(`the sheet sent back with ${half} workers corrected: ${back.answer.updated} accounts changed, ${back.answer.unchanged} unchanged, in ${back.answer.ms.toFixed(0)} ms; longest pause ${back.pauseMs.toFixed(1)} ms; presses: ${commitLine(back.commits)}`);
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
