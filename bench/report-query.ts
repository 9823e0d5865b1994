/**
 * Report speed: 100,000 calls over a year in one street office (two communities x 10 grids),
 * then the street-office report for the whole year, timed over repeats: built on this thread
 * (wall and CPU time), then as the hub builds it, in the report worker, with the longest
 * event-loop pause seen meanwhile. Not a test: a figure. Run: npx tsx bench/report-query.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../dispatcher/store/store.ts';
import { buildResponseReport, reportFromFigures } from '../dispatcher/reports/response-report.ts';
import { ReportRunner } from '../dispatcher/reports/report-runner.ts';
import { runReadJob } from '../dispatcher/reports/read-jobs.ts';
import pino from 'pino';

const N = Number(process.env.N ?? 100_000);
const REPEATS = 7;
const YEAR = 365 * 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'anxin-bench-'));
const store = Store.open(join(dir, 'r.db'));
const t0 = Date.parse('2025-01-01T00:00:00Z');
const district = store.grid.add(null, '管城区', 'district');
const street = store.grid.add(district.id, '城东路街道', 'street');
const grids: ReturnType<typeof store.grid.add>[] = [];
for (let c = 0; c < 2; c++) {
  const community = store.grid.add(street.id, `社区${c + 1}`, 'community');
  for (let g = 0; g < 10; g++) grids.push(store.grid.add(community.id, `网格${c + 1}-${g + 1}`, 'grid'));
}
const staff = store.staff.create({ username: 's', displayName: 's', role: 'staff', scopeNodeId: street.id, phone: '' }, 'x', t0);
const ins = store.db.prepare(`INSERT INTO alerts (id, kind, reason, grid_id, grid_path, state, level, presses, is_test, detail, raised_at, accepted_at, accepted_by,
  on_site_at, resolved_at, resolved_by, outcome, version, updated_at) VALUES (?, 'call', 'press', ?, ?, 'resolved', 0, 1, 0, '', ?, ?, ?, ?, ?, ?, ?, 1, ?)`);
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const fill = Date.now();
store.tx(() => {
  for (let i = 0; i < N; i++) {
    const g = grids[i % grids.length];
    const raised = t0 + Math.floor(rnd() * YEAR);
    const acc = raised + Math.floor(5_000 + rnd() * 240_000);
    const arr = acc + Math.floor(60_000 + rnd() * 900_000);
    ins.run(`b${i}`, g.id, g.path, raised, acc, staff.id, arr, arr + 600_000, staff.id, rnd() < 0.1 ? 'false_alarm' : 'assisted', raised);
  }
});
const fillMs = Date.now() - fill;
const times: number[] = [];
const cpu: number[] = [];
let raised = 0;
for (let r = 0; r < REPEATS; r++) {
  const cpu0 = process.cpuUsage();
  const s = performance.now();
  const rep = buildResponseReport(store, { from: t0, to: t0 + YEAR, gridId: street.id, now: t0 + YEAR, timeZone: 'Asia/Shanghai' }, street.path);
  times.push(performance.now() - s);
  const c = process.cpuUsage(cpu0);
  cpu.push((c.user + c.system) / 1000);
  raised = rep.totals.raised;
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);

// As the hub builds it: figures in the worker, names added here. A 1 ms timer measures the longest pause of this thread meanwhile.
const runner = new ReportRunner(join(dir, 'r.db'), (job) => runReadJob(store, job), pino({ level: 'silent' }));
const q = { from: t0, to: t0 + YEAR, gridId: street.id, now: t0 + YEAR, timeZone: 'Asia/Shanghai' };
const inWorker: number[] = [];
const pauses: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  let last = performance.now(), maxGap = 0;
  const tick = setInterval(() => { const n = performance.now(); maxGap = Math.max(maxGap, n - last); last = n; }, 1);
  const s = performance.now();
  const rep = reportFromFigures(store, q, await runner.figures({ path: street.path, from: q.from, to: q.to, now: q.now, timeZone: q.timeZone }));
  inWorker.push(performance.now() - s);
  clearInterval(tick);
  pauses.push(Math.max(maxGap, performance.now() - last));
  if (rep.totals.raised !== raised) throw new Error('the worker and this thread disagree');
}
await runner.close();
inWorker.sort((a, b) => a - b);
pauses.sort((a, b) => a - b);
const mid = Math.floor(REPEATS / 2);
console.log(JSON.stringify({ bench: 'report-query', calls: N, raisedInReport: raised, fillMs, medianMs: +times[mid].toFixed(1), medianCpuMs: +cpu[mid].toFixed(1), loadAvg1m: (await import('node:os')).loadavg()[0], minMs: +times[0].toFixed(1), maxMs: +times[REPEATS - 1].toFixed(1),
  workerMedianMs: +inWorker[mid].toFixed(1), workerMaxLoopPauseMs: +pauses[REPEATS - 1].toFixed(1), workerMedianLoopPauseMs: +pauses[mid].toFixed(1), repeats: REPEATS }));
store.close();
rmSync(dir, { recursive: true, force: true });
