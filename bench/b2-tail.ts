/**
 * `npx tsx bench/b2-tail.ts [RATE] [REPEATS] [DEVICES]`: where benchmark 2's slow presses come from.
 * Runs benchmark 2 against one hub (20 consoles, 30 s a repeat; defaults 1,000/s, 1 repeat, 10,000
 * devices; B2_CONSOLES=N for another number of consoles, B2_NEW_HUB=1 for a new hub every repeat) and
 * prints, for every 500 ms window in which a press reached the consoles more than 20 ms after it was
 * sent (its time counted from the start of the repeat, device connections included), what else
 * happened then:
 * - in the hub: its event-loop delay and longest garbage-collection pause (bench/loop-probe.ts), and
 *   how long its main thread was ready to run but waiting for a core (Linux `schedstat`);
 * - here, in the load generator: its own event-loop delay and wait for a core.
 * After each repeat: when measuring began and when consoles were last seen catching up (their
 * snapshots, from /healthz), each of the hub's threads, its CPU time and its wait for a core, and this
 * process's own CPU and heap. Linux only (reads /proc). Items 77 and 81 of bench/README.md were
 * measured with it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from '../simulator/stats.ts';
import { cpuSeconds, startBenchHub, type BenchHub } from './common.ts';
import { latency } from './b2-latency.ts';

const RATE = Number(process.argv[2] ?? 1000);
const REPEATS = Number(process.argv[3] ?? 1);
const DEVICES = Number(process.argv[4] ?? 10_000);
/** Console sockets (B2_CONSOLES, default the benchmark's 20), and a new hub for every repeat (B2_NEW_HUB=1) rather than one for all. */
const CONSOLES = Number(process.env.B2_CONSOLES ?? 20);
const NEW_HUB = process.env.B2_NEW_HUB === '1';
const SECONDS = 30;
const WINDOW_MS = 500;

/** [ms on a core, ms ready but waiting for one] of a thread, from /proc/PID/task/TID/schedstat. */
function sched(pid: number, tid: number): [number, number] {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run / 1e6, wait / 1e6];
  } catch {
    return [0, 0];
  }
}

const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).map(Number);
/** CPU seconds of the hub's child processes (the console process), by pid. */
function childCpu(pid: number): Map<number, number> {
  let kids: number[] = [];
  try { kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { /* none */ }
  return new Map(kids.map((k) => [k, cpuSeconds(k)]));
}
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');

interface Window { at: number; genLoopMaxMs: number; hubWaitMs: number; genWaitMs: number }

async function repeat(hub: BenchHub, n: number): Promise<void> {
  const pid = hub.proc.pid!;
  const windows: Window[] = [];
  const slow = new Map<number, number[]>(); // window start (wall ms) → latencies of its presses
  let count = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let hubPrev = sched(pid, pid);
  let genPrev = sched(process.pid, process.pid);
  const genStart = sched(process.pid, process.pid);
  const genHeapStart = process.memoryUsage().heapUsed;
  const genCpuStart = process.cpuUsage();
  const before = new Map(threads(pid).map((t) => [t, sched(pid, t)]));
  const kidsBefore = childCpu(pid);
  const tick = setInterval(() => {
    const h = sched(pid, pid);
    const g = sched(process.pid, process.pid);
    windows.push({ at: Date.now(), genLoopMaxMs: loop.max / 1e6, hubWaitMs: h[1] - hubPrev[1], genWaitMs: g[1] - genPrev[1] });
    hubPrev = h;
    genPrev = g;
    loop.reset();
  }, WINDOW_MS);
  const wallOf = Date.now() - performance.now();
  const started = Date.now();
  let measuredFrom = Infinity;
  const catchUp = consolesCatchingUp(hub);
  const m = await latency({ devices: DEVICES, consoles: CONSOLES, rate: RATE, seconds: SECONDS }, 'hub', hub, (pressedAt, ms) => {
    count++;
    measuredFrom = Math.min(measuredFrom, pressedAt + wallOf);
    const w = Math.floor((pressedAt + wallOf) / WINDOW_MS) * WINDOW_MS;
    (slow.get(w) ?? slow.set(w, []).get(w)!).push(ms);
  });
  clearInterval(tick);
  loop.disable();
  const caught = catchUp.stop();
  const probes = hub.probes(started);
  process.stdout.write(`repeat ${n}: ${RATE}/s, ${count} deliveries, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(1)} ms, max ${m.maxMs.toFixed(0)} ms\n`);
  let over = 0;
  for (const [w, ls] of [...slow].sort((a, b) => a[0] - b[0])) {
    ls.sort((a, b) => a - b);
    over += ls.filter((x) => x > 30).length;
    if (ls[ls.length - 1] <= 20) continue;
    // The press window and the one after it: a stall delays what was sent just before it.
    const near = <T extends { t?: number; at?: number }>(xs: T[]) => xs.filter((x) => { const t = x.t ?? x.at!; return t > w && t <= w + 2 * WINDOW_MS; });
    const p = near(probes);
    const g = near(windows);
    process.stdout.write(`  ${((w - started) / 1000).toFixed(1).padStart(5)} s: ${String(ls.length).padStart(5)} deliveries, p99 ${percentile(ls, 99).toFixed(1)}, max ${ls[ls.length - 1].toFixed(1)} ms`
      + ` | hub: loop delay ${fmt(p.map((x) => x.elMaxMs))}, GC ${fmt(p.map((x) => x.gcMaxMs ?? 0))}, waiting for a core ${fmt(g.map((x) => x.hubWaitMs))}`
      + ` | generator: loop delay ${fmt(g.map((x) => x.genLoopMaxMs))}, waiting ${fmt(g.map((x) => x.genWaitMs))} (ms)\n`);
  }
  const since = (t: number) => `${((t - started) / 1000).toFixed(1)} s`;
  process.stdout.write(`  measured from ${since(measuredFrom)}; consoles catching up: ${caught.max === 0 ? 'none seen' : `up to ${caught.max} at once, the last seen at ${since(caught.lastAt)}`}\n`);
  const waits = windows.map((x) => x.hubWaitMs).sort((a, b) => a - b);
  process.stdout.write(`  deliveries over 30 ms: ${over} (${(over / count * 100).toFixed(2)} %); the hub's main thread waited for a core ${waits.reduce((a, b) => a + b, 0).toFixed(0)} ms`
    + ` in all (per ${WINDOW_MS} ms: p50 ${percentile(waits, 50).toFixed(1)}, p90 ${percentile(waits, 90).toFixed(1)}, max ${percentile(waits, 100).toFixed(1)}); this process ${windows.reduce((a, x) => a + x.genWaitMs, 0).toFixed(0)} ms\n`);
  const genEnd = sched(process.pid, process.pid);
  const genCpu = process.cpuUsage(genCpuStart);
  process.stdout.write(`  this process's main thread: ${(genEnd[0] - genStart[0]).toFixed(0)} ms on a core (the process: ${(genCpu.user / 1000).toFixed(0)} ms user, ${(genCpu.system / 1000).toFixed(0)} ms system); heap ${(genHeapStart / 2 ** 20).toFixed(0)} → ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB\n`);
  const rows = threads(pid).map((t) => { const a = before.get(t) ?? [0, 0]; const b = sched(pid, t); return { t, run: b[0] - a[0], wait: b[1] - a[1] }; })
    .filter((r) => r.run + r.wait > 20);
  const last = probes[probes.length - 1];
  if (last) process.stdout.write(`  hub at the end: heap ${(last.heapKb / 1024).toFixed(0)} MB, RSS ${(last.rssKb / 1024).toFixed(0)} MB; GC in all over the repeat ${probes.reduce((a, x) => a + (x.gcMs ?? 0), 0).toFixed(0)} ms\n`);
  process.stdout.write(`  hub threads, ms on a core / ms waiting for one: ${rows.map((r) => `${r.t === pid ? 'main' : r.t} ${r.run.toFixed(0)}/${r.wait.toFixed(0)}`).join(', ')}\n`);
  const kids = [...childCpu(pid)].map(([k, s]) => `${k} ${((s - (kidsBefore.get(k) ?? 0)) * 1000).toFixed(0)} ms`);
  process.stdout.write(`  the hub's child processes (the console process), CPU over the repeat: ${kids.join(', ') || 'none'}\n`);
}

/** Polls the hub's /healthz every 250 ms: the most consoles catching up at once, and when the last was seen. */
function consolesCatchingUp(hub: BenchHub): { stop(): { max: number; lastAt: number } } {
  let max = 0;
  let lastAt = 0;
  const poll = setInterval(() => {
    fetch(`${hub.proc.httpUrl}/healthz`).then((r) => r.json()).then((h: { consolesCatchingUp?: number }) => {
      if (!h.consolesCatchingUp) return;
      max = Math.max(max, h.consolesCatchingUp);
      lastAt = Date.now();
    }, () => {});
  }, 250);
  return { stop: () => { clearInterval(poll); return { max, lastAt }; } };
}

const startHub = () => startBenchHub(DEVICES, { ANXIN_ESCALATE_AFTER_S: '3600' });
let hub = await startHub();
try {
  for (let n = 1; n <= REPEATS; n++) {
    if (NEW_HUB && n > 1) { await hub.stop(); hub = await startHub(); }
    await repeat(hub, n);
  }
} finally {
  await hub.stop();
}
