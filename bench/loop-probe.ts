/**
 * Preloaded into the hub process by the benchmarks (node --import tsx --import ./bench/loop-probe.ts):
 * every 500 ms appends {t, rssKb, heapKb, elMaxMs, elP99Ms, gcMaxMs, gcMs} to $BENCH_PROBE_FILE: the
 * event-loop delay measured by perf_hooks over that window, and the longest garbage-collection pause
 * and the total GC time in it (so a slow window can be told apart: GC or the hub's own work).
 * No change to the hub's code is needed.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { appendFile } from 'node:fs';

/**
 * Records go to the file asynchronously, in order: a synchronous append stalls the hub's event loop
 * whenever the disk is busy (a checkpoint's fsync), and the probe then measured its own stall.
 */
let queue: string[] = [];
let writing = false;
function record(line: string): void {
  queue.push(line);
  if (writing) return;
  const flush = (): void => {
    if (queue.length === 0) { writing = false; return; }
    writing = true;
    const chunk = queue.join('');
    queue = [];
    appendFile(file!, chunk, flush);
  };
  flush();
}

const file = process.env.BENCH_PROBE_FILE;
/**
 * With BENCH_SLOW_SQL_MS set, every SQLite call in the hub's thread that takes longer is appended
 * to the same file as {t, slowSqlMs, sql}: to tell a pause spent in the store (a slow disk) from one
 * spent in JavaScript. The wrappers cost a clock read per call.
 */
const slowMs = Number(process.env.BENCH_SLOW_SQL_MS ?? 0);
if (file && slowMs > 0) {
  const { createRequire } = await import('node:module');
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const probe = new Database(':memory:');
  const stmtProto = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  const dbProto = Database.prototype;
  probe.close();
  const wrap = (proto: Record<string, unknown>, name: string, what: (self: { source?: string }, args: unknown[]) => string) => {
    const orig = proto[name] as (...a: unknown[]) => unknown;
    proto[name] = function (this: { source?: string }, ...args: unknown[]) {
      const s = performance.now();
      try { return orig.apply(this, args); } finally {
        const ms = performance.now() - s;
        if (ms > slowMs) record(JSON.stringify({ t: Date.now(), slowSqlMs: +ms.toFixed(1), sql: what(this, args).slice(0, 160) }) + '\n');
      }
    };
  };
  for (const m of ['run', 'get', 'all']) wrap(stmtProto, m, (st) => st.source ?? '?');
  for (const m of ['exec', 'pragma']) wrap(dbProto, m, (_db, a) => String(a[0]));
}

if (file) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let gcMaxMs = 0, gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { gcMaxMs = Math.max(gcMaxMs, e.duration); gcMs += e.duration; }
  }).observe({ entryTypes: ['gc'] });
  const t = setInterval(() => {
    const m = process.memoryUsage();
    record(JSON.stringify({
      t: Date.now(), rssKb: Math.round(m.rss / 1024), heapKb: Math.round(m.heapUsed / 1024),
      elMaxMs: h.max / 1e6, elP99Ms: h.percentile(99) / 1e6, gcMaxMs: +gcMaxMs.toFixed(1), gcMs: +gcMs.toFixed(1),
    }) + '\n');
    h.reset();
    gcMaxMs = 0;
    gcMs = 0;
  }, 500);
  t.unref();
}
