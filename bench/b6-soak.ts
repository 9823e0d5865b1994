/**
 * 6. Event-loop health: alarms at R/s from D devices for S seconds while a supervisor reads the
 * response-time report and the recent alerts every 2 s. The hub's event-loop delay comes from
 * bench/loop-probe.ts (perf_hooks histogram per 500 ms window, inside the hub process).
 */
import { httpJson } from '../simulator/staff-client.ts';
import { closeAll, connectPool, hubDevice, pace, sleep, type BenchHub } from './common.ts';
import { percentile } from '../simulator/stats.ts';

export interface SoakSize { devices: number; rate: number; seconds: number }

export async function soak(size: SoakSize, _target: 'hub' | 'ref', hub: BenchHub): Promise<Record<string, number>> {
  const { devices: D, rate: R, seconds } = size;
  const clients = await connectPool(D, (i) => hubDevice(hub, i));
  let seq = Date.now() % 1e9, n = 0, reads = 0, readErrors = 0;
  const tick = pace(R, () => {
    const i = n++ % D;
    clients[i].publish(`anxin/v1/dev/${hub.creds[i].id}/up/event`, `{"seq":${++seq},"type":"press","ts":${Date.now()}}`, 1);
  });
  const reader = setInterval(() => {
    const to = Date.now(), from = to - 24 * 3600_000;
    Promise.all([
      httpJson(hub.proc.httpUrl, 'GET', `/api/reports/response-times?from=${from}&to=${to}`, hub.token),
      httpJson(hub.proc.httpUrl, 'GET', '/api/alerts?state=all&limit=200', hub.token),
    ]).then(() => { reads++; }, () => { readErrors++; });
  }, 2000);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  tick.stop();
  clearInterval(reader);
  await sleep(1000);
  closeAll(clients);
  const probes = hub.probes(t0);
  const windows = probes.filter((p) => p.elMaxMs !== undefined);
  // Store calls that took over BENCH_SLOW_SQL_MS in the hub's thread (loop-probe.ts): a pause spent waiting for the disk.
  const slowSql = probes.filter((p) => p.slowSqlMs !== undefined);
  const maxes = windows.map((w) => w.elMaxMs).sort((a, b) => a - b);
  // The slowest window: when it came (s after the start; escalations fall due every 60 s) and its longest GC pause.
  const slowest = windows.reduce((a, w) => (w.elMaxMs > (a?.elMaxMs ?? -1) ? w : a), windows[0]);
  return {
    seconds, alarms: n, reads, readErrors,
    maxPauseMs: maxes[maxes.length - 1] ?? NaN, p99WindowMaxMs: percentile(maxes, 99),
    pausesOver100ms: maxes.filter((m) => m > 100).length, rssEndMb: (windows[windows.length - 1]?.rssKb ?? NaN) / 1024,
    slowestAtS: slowest ? (slowest.t - t0) / 1000 : NaN, slowestGcMaxMs: slowest?.gcMaxMs ?? NaN,
    gcMaxMs: Math.max(...windows.map((w) => w.gcMaxMs ?? 0)),
    slowSqlCalls: slowSql.length, slowSqlMaxMs: Math.max(0, ...slowSql.map((p) => p.slowSqlMs ?? 0)),
  };
}
