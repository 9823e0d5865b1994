/**
 * Preloaded into the hub process by the benchmarks (node --import tsx --import ./bench/loop-probe.ts):
 * every 500 ms appends {t, rssKb, heapKb, elMaxMs, elP99Ms, gcMaxMs, gcMs} to $BENCH_PROBE_FILE: the
 * event-loop delay measured by perf_hooks over that window, and the longest garbage-collection pause
 * and the total GC time in it (so a slow window can be told apart: GC or the hub's own work).
 * No change to the hub's code is needed.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let gcMaxMs = 0, gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { gcMaxMs = Math.max(gcMaxMs, e.duration); gcMs += e.duration; }
  }).observe({ entryTypes: ['gc'] });
  const t = setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(file, JSON.stringify({
      t: Date.now(), rssKb: Math.round(m.rss / 1024), heapKb: Math.round(m.heapUsed / 1024),
      elMaxMs: h.max / 1e6, elP99Ms: h.percentile(99) / 1e6, gcMaxMs: +gcMaxMs.toFixed(1), gcMs: +gcMs.toFixed(1),
    }) + '\n');
    h.reset();
    gcMaxMs = 0;
    gcMs = 0;
  }, 500);
  t.unref();
}
