/**
 * `npx tsx bench/console-connect-storm.ts [CONSOLES] [ROUNDS]`: CONSOLES (600) console WebSockets
 * open at the same instant, as after a hub restart or a network blip at a street office, ROUNDS (3)
 * times over, each round with a new worker thread of `ws` clients. The hub holds 200 open calls.
 * A device presses every 20 ms throughout (steadyPresser).
 *
 * Per round: the hub's longest event-loop pause while the consoles connect, the time until every
 * console's snapshot had arrived, and how long the device's presses took to commit meanwhile
 * (what its acks wait for). Not a test: a figure.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { CONSOLE_WORKER, massEventHub, steadyPresser } from './mass-seed.ts';

const CONSOLES = Number(process.argv[2] ?? 600), ROUNDS = Number(process.argv[3] ?? 3), OPEN_CALLS = 200;
const { hub, dir, token } = await massEventHub(OPEN_CALLS, Date.now() + 3_600_000);
const url = `ws://127.0.0.1:${hub.ports.http}/ws?token=${token}`;
const nodePath = join(createRequire(import.meta.url).resolve('ws'), '../..');
const pct = (xs: number[], q: number) => +xs[Math.min(xs.length - 1, Math.floor(q * xs.length))].toFixed(1);

const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const worker = new Worker(CONSOLE_WORKER, { eval: true, workerData: { url }, env: { ...process.env, NODE_PATH: nodePath } });
  await new Promise((res) => worker.once('online', res));
  await new Promise((res) => setTimeout(res, 200));
  const presser = steadyPresser(hub, 'demo-0020', 1_000_000 + r * 100_000);
  await new Promise((res) => setTimeout(res, 200));
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const out = await new Promise<{ ms: number }[]>((res, rej) => {
    worker.on('message', (m) => (m.error ? rej(new Error(m.error)) : res(m)));
    worker.postMessage(CONSOLES);
  });
  const allMs = performance.now() - t0;
  h.disable();
  const commitMs = await presser.stop();
  const snaps = out.map((x) => x.ms).sort((a, b) => a - b);
  rounds.push({
    pauseMaxMs: +(h.max / 1e6).toFixed(1), pauseP99Ms: +(h.percentile(99) / 1e6).toFixed(1),
    snapshotMs: { p50: pct(snaps, 0.5), max: +allMs.toFixed(0) },
    pressCommitMs: { n: commitMs.length, p50: pct(commitMs, 0.5), max: pct(commitMs, 1) },
    upgradesQueuedMax: hub.socket.upgrades.stats.maxQueued,
  });
  await worker.terminate();
  while (hub.socket.connectedCount() > 0) await new Promise((res) => setTimeout(res, 20));
  await new Promise((res) => setTimeout(res, 500));
}

const os = await import('node:os');
console.log(JSON.stringify({ machine: `${os.cpus()[0].model}, ${os.cpus().length} cores`, consoles: CONSOLES, openCalls: OPEN_CALLS, rounds }, null, 1));
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
