/**
 * Preloaded into the hub process by the benchmarks (node --import tsx --import ./bench/loop-probe.ts):
 * every 500 ms appends {t, rssKb, heapKb, elMaxMs, elP99Ms} to $BENCH_PROBE_FILE, the event-loop
 * delay measured by perf_hooks over that window. No change to the hub's code is needed.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t = setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(file, JSON.stringify({
      t: Date.now(), rssKb: Math.round(m.rss / 1024), heapKb: Math.round(m.heapUsed / 1024),
      elMaxMs: h.max / 1e6, elP99Ms: h.percentile(99) / 1e6,
    }) + '\n');
    h.reset();
  }, 500);
  t.unref();
}
