/**
 * `npx tsx bench/ingest-loop-windows.ts [RATE]`: benchmark 1 in quick size against one hub (the
 * paced phase at RATE presses/s, default 10,000), then the hub's event loop window by window
 * (bench/loop-probe.ts, 500 ms each: the longest delay, its 99th percentile, the longest GC pause,
 * GC time), every store call that held the hub's thread over 10 ms, and each second the WAL
 * checkpointer's handovers (dispatcher/store/checkpointer.ts, from /healthz). Tells whether an
 * ack tail is the loop's own queue, garbage collection or the disk.
 */
import { startBenchHub } from './common.ts';
import { ingest } from './b1-ingest.ts';

const rate = Number(process.argv[2] ?? 10_000);
const hub = await startBenchHub(200, { ANXIN_ESCALATE_AFTER_S: '3600', BENCH_SLOW_SQL_MS: '10' });
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(0);
const handovers: string[] = [];
const poll = setInterval(async () => {
  const w = await fetch(`${hub.proc.httpUrl}/healthz`).then((r) => r.json()).then((h) => h.walCheckpoints, () => null);
  if (w) handovers.push(`${secs()} s: ${w.handovers} handovers, ${w.restarts} restarts, hold mean ${(w.holdMsTotal / Math.max(1, w.handovers)).toFixed(1)} ms, longest ${w.longestHoldMs} ms; log ${w.lastLog} frames`);
}, 1000);
const m = await ingest({ devices: 200, window: 2, seconds: 8, pacedPerS: rate, pacedSeconds: 8 }, 'hub', hub);
clearInterval(poll);
console.log(JSON.stringify(m));
console.log('s from start | loop delay max ms | p99 | GC max ms | GC ms in the window | heap MB');
for (const p of hub.probes(t0)) {
  const at = ((p.t - t0) / 1000).toFixed(1);
  if (p.slowSqlMs !== undefined) console.log(`${at} | store call ${p.slowSqlMs} ms: ${p.sql}`);
  else console.log([at, p.elMaxMs.toFixed(1), p.elP99Ms.toFixed(1), p.gcMaxMs ?? '', p.gcMs ?? '', (p.heapKb / 1024).toFixed(0)].join(' | '));
}
console.log(handovers.join('\n'));
await hub.stop();
