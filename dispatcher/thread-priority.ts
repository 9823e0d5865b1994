/**
 * The event loop's thread first. Everything on the alarm path (MQTT parsing, the group commit, the
 * pushes to consoles, the acks) runs on the hub's main thread; the process has a dozen others: V8's
 * garbage-collection and compiler helpers, libuv's pool (where the group fdatasync runs,
 * store/wal-sync.ts), the checkpointer's worker (store/checkpointer.ts) and the report workers
 * (reports/report-runner.ts). On a machine with two cores their bursts take the core the event loop
 * was about to run on, and every press waiting in the loop waits with it. Benchmark 2 at 1,000
 * presses/s on 10,000 devices (bench/README.md item 77): the main thread spent 1.6–2.1 s of 30 s
 * ready to run but not running, and the slowest presses reached consoles 65–232 ms late.
 *
 * Linux keeps a nice value per thread (setpriority(2) on a thread id). This gives every thread of
 * the process but the main one the nice value `nice` (0–19: higher yields more), once at start and
 * again every `everyMs` for threads started since: a thread inherits the nice value of the thread
 * that starts it, and the main thread starts the report workers and libuv's pool later, at 0.
 * The helpers still run whenever a core is free; they wait only while the event loop wants one.
 * Raising a thread's own nice value needs no privilege. Elsewhere than Linux, or with nice 0, or
 * when the hub runs inside a worker thread (tests), it does nothing.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

export interface HelperPriority {
  /** Threads given the nice value so far, and those that refused it (gone before it was set, or not permitted). */
  readonly lowered: number;
  readonly refused: number;
  stop(): void;
}

export interface HelperPriorityOptions {
  everyMs?: number;
  /** Told once, the first time a thread refuses for another reason than being gone. */
  onRefused?: (err: Error) => void;
}

export function lowerHelperThreads(nice: number, opts: HelperPriorityOptions = {}): HelperPriority | null {
  if (nice === 0 || process.platform !== 'linux' || !isMainThread) return null;
  const dir = `/proc/${process.pid}/task`;
  const seen = new Set<number>();
  let lowered = 0;
  let refused = 0;
  let told = false;
  const scan = (): void => {
    let tids: number[];
    try {
      tids = readdirSync(dir).map(Number);
    } catch {
      return; // no /proc: nothing to do
    }
    const live = new Set(tids);
    for (const t of seen) if (!live.has(t)) seen.delete(t);
    for (const tid of tids) {
      if (tid === process.pid || seen.has(tid)) continue;
      seen.add(tid);
      try {
        setPriority(tid, nice);
        lowered++;
      } catch (err) {
        refused++;
        // Node reports it as ERR_SYSTEM_ERROR with the errno's name in `info.code`.
        const code = (err as { info?: { code?: string } }).info?.code ?? (err as { code?: string }).code;
        if (code === 'ESRCH' || told) continue;
        told = true;
        opts.onRefused?.(err as Error);
      }
    }
  };
  scan();
  const timer = setInterval(scan, opts.everyMs ?? 2000);
  timer.unref();
  return {
    get lowered() { return lowered; },
    get refused() { return refused; },
    stop: () => clearInterval(timer),
  };
}
