/**
 * Reports are built in a worker thread: a big report does not hold up presses, its figures are
 * the same as when built on the event loop, a worker that dies fails only the reports it held,
 * and too many reports at once get 429. A real hub, a real SQLite file, a real MQTT device.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { buildResponseReport } from '../dispatcher/reports/response-report.ts';
import { MAX_QUEUED_REPORTS } from '../dispatcher/reports/report-runner.ts';
import { ManualClock } from '../dispatcher/clock.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const YEAR = 365 * 86_400_000;
const CALLS = 60_000;
let t: TestHub;
let admin: string;
const clock = new ManualClock(NOW);
const reportPath = `/api/reports/response-times?from=${NOW - YEAR}&to=${NOW}`;
type RunnerInside = { worker: { terminate(): Promise<number> } | null; waiting: Map<number, unknown> };
const runner = () => t.hub.reports as unknown as RunnerInside;
/** Until a report has reached the runner's queue. */
async function queued(n = 1): Promise<void> {
  while (runner().waiting.size < n) await new Promise((r) => setTimeout(r, 1));
}

beforeAll(async () => {
  t = await startTestHub({ clock });
  admin = await t.login('admin');
  // A year of calls in the demo grids, written straight into the store (enough to take a while to read).
  const s = t.hub.store;
  const grids = s.grid.list().filter((g) => g.level === 'grid');
  const staff = s.staff.byUsername('grid1')!.id;
  const ins = s.db.prepare(`INSERT INTO alerts (id, kind, reason, grid_id, grid_path, state, level, presses, is_test, detail, raised_at, accepted_at, accepted_by,
    on_site_at, resolved_at, resolved_by, outcome, version, updated_at) VALUES (?, 'call', 'press', ?, ?, 'resolved', 0, 1, 0, '', ?, ?, ?, ?, ?, ?, ?, 1, ?)`);
  s.tx(() => {
    for (let i = 0; i < CALLS; i++) {
      const g = grids[i % grids.length];
      const raised = NOW - YEAR + Math.floor((i * YEAR) / CALLS);
      const acc = raised + 1000 * (5 + (i % 400));
      ins.run(`w${i}`, g.id, g.path, raised, acc, staff, acc + 600_000, acc + 1_200_000, staff, i % 10 === 0 ? 'false_alarm' : 'assisted', raised);
    }
  });
});
afterAll(async () => { await t.stop(); });

it('builds a year\'s report in the worker, with the same figures as on the event loop, while a press is acked', async () => {
  const order: string[] = [];
  const dev = await t.device('demo-0001');
  const report = t.api('GET', reportPath, admin).then((r) => { order.push('report'); return r; });
  await queued();
  await dev.send('press');
  order.push('ack');
  const r = await report;
  expect(r.status).toBe(200);
  expect(order).toEqual(['ack', 'report']);
  expect(r.body.totals.raised).toBe(CALLS);
  const inline = buildResponseReport(t.hub.store, { from: NOW - YEAR, to: NOW, gridId: null, now: NOW, timeZone: 'Asia/Shanghai' }, '/');
  expect(r.body).toEqual(JSON.parse(JSON.stringify(inline)));
  const health = (await t.api('GET', '/healthz')).body;
  expect(health.reports).toMatchObject({ mode: 'worker', workersStarted: 1 });
  expect(health.reports.inWorker).toBeGreaterThanOrEqual(1);
});

it('a worker that dies fails the reports it held with a clear error; the next report starts a new one', async () => {
  const held = t.api('GET', reportPath, admin);
  await queued();
  expect(runner().worker).not.toBeNull();
  await runner().worker!.terminate();
  const r = await held;
  expect(r.status).toBe(500);
  expect(r.body.error.message).toMatch(/report worker stopped/);
  const again = await t.api('GET', reportPath, admin);
  expect(again.status).toBe(200);
  expect(again.body.totals.raised).toBe(CALLS);
  expect((await t.api('GET', '/healthz')).body.reports.workersStarted).toBe(2);
});

it(`more than ${MAX_QUEUED_REPORTS} reports at once: the rest get 429, the queued ones all finish`, async () => {
  const all = await Promise.all(Array.from({ length: MAX_QUEUED_REPORTS + 3 }, () => t.api('GET', reportPath, admin)));
  const statuses = all.map((r) => r.status);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(MAX_QUEUED_REPORTS);
  expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
  expect(statuses).toContain(429);
  const refused = all.find((r) => r.status === 429)!;
  expect(refused.body.error.code).toBe('E_RATE_LIMITED');
  // The hub still answers, and a later report is built.
  expect((await t.api('GET', reportPath, admin)).status).toBe(200);
});

it('a worker that cannot start: reports are built on the calling thread instead, and the runner says so', async () => {
  const { ReportRunner } = await import('../dispatcher/reports/report-runner.ts');
  const pino = (await import('pino')).default;
  const figures = { totals: {} as never, byGrid: [], byStaff: [], byHour: [], slow: [], slowTotal: 0 };
  const r = new ReportRunner('/nonexistent/anxin.db', () => figures, pino({ level: 'silent' }));
  expect(await r.figures({ path: '/', from: 0, to: 1, now: 1, timeZone: 'UTC' })).toBe(figures);
  expect(r.mode).toBe('inline');
  expect(r.stats).toMatchObject({ inline: 1, inWorker: 0 });
  expect(await r.figures({ path: '/', from: 0, to: 1, now: 1, timeZone: 'UTC' })).toBe(figures);
  await r.close();
});

it('a hub process started with node options and a TypeScript preload still builds reports in its worker', async () => {
  const { HubProcess } = await import('../simulator/hub-process.ts');
  const { httpJson } = await import('../simulator/staff-client.ts');
  const proc = await HubProcess.start({ env: { ANXIN_LOG_LEVEL: 'error' }, nodeArgs: ['--max-old-space-size=512'], preload: ['./test/fixtures/preload.ts'] });
  try {
    const { token } = await httpJson(proc.httpUrl, 'POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' });
    const report = await httpJson(proc.httpUrl, 'GET', '/api/reports/response-times', token);
    expect(report.totals).toBeDefined();
    expect((await httpJson(proc.httpUrl, 'GET', '/healthz')).reports).toMatchObject({ mode: 'worker', inWorker: 1, failed: 0 });
  } finally {
    await proc.stop();
  }
});
