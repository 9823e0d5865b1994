/**
 * What a connecting console costs the hub when many calls are open (a mass event): N open calls,
 * then a hub started on them, then consoles (the admin, who sees every call) connecting: the first
 * one alone (nothing built yet), then 20 at once (as after a restart or a network blip). For each:
 * time from upgrade to the snapshot's first page and to its last (a big snapshot comes in pages), their
 * sizes, and the longest pause of the hub's
 * event loop meanwhile (perf_hooks, 1 ms resolution; the hub runs in this process, the consoles in a
 * worker thread, so that receiving megabytes of snapshot is not counted as the hub's pause).
 * Not a test: a figure. Run: npx tsx bench/snapshot-cost.ts [N ...]   (default: 1000 11000)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { CONSOLE_WORKER, massEventHub, runSizes } from './mass-seed.ts';

const CONSOLES = 20;

/** Opens `count` consoles at once in the worker; resolves with each one's ms from open() to its snapshot's first and last page, and their bytes. */
export function consoles(w: Worker, count: number): Promise<{ ms: number; bytes: number; firstMs: number; firstBytes: number }[]> {
  return new Promise((resolve, reject) => {
    w.once('message', (m) => (Array.isArray(m) ? resolve(m) : reject(new Error(m.error))));
    w.postMessage(count);
  });
}

export function consoleWorker(url: string): Worker {
  return new Worker(CONSOLE_WORKER, { eval: true, workerData: { url }, env: { ...process.env, NODE_PATH: join(createRequire(import.meta.url).resolve('ws'), '../..') } });
}

async function measure(n: number): Promise<Record<string, number>> {
  const { hub, dir, token } = await massEventHub(n, Date.now() + 3_600_000);
  const w = consoleWorker(`ws://127.0.0.1:${hub.ports.http}/ws?token=${token}`);
  const h = monitorEventLoopDelay({ resolution: 1 });
  await new Promise((r) => setTimeout(r, 200));

  h.reset(); h.enable();
  const [first] = await consoles(w, 1);
  h.disable();
  const firstPause = h.max / 1e6;

  h.reset(); h.enable();
  const t0 = performance.now();
  const many = await consoles(w, CONSOLES);
  const allMs = performance.now() - t0;
  h.disable();
  const manyPause = h.max / 1e6;

  await w.terminate();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
  const slowest = Math.max(...many.map((c) => c.ms));
  return { open: n, firstPageMs: +first.firstMs.toFixed(1), firstPageKB: Math.round(first.firstBytes / 1024), firstMs: +first.ms.toFixed(1),
    firstPauseMs: +firstPause.toFixed(1), snapshotKB: Math.round(first.bytes / 1024),
    [`${CONSOLES}ConsolesMs`]: +allMs.toFixed(1), slowestOfThemMs: +slowest.toFixed(1), pauseWhileTheyConnectMs: +manyPause.toFixed(1) };
}

if (import.meta.url === `file://${process.argv[1]}`) await runSizes([1000, 11_000], measure);
