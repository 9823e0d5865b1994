/**
 * An escalation wave in a mass event: N open calls nobody has accepted all fall due together, while
 * 20 admin consoles are connected and a device keeps pressing. Measures how long until every call
 * has climbed, the hub's longest event-loop pause meanwhile, and how long each of the device's
 * presses took to commit (what its ack waits for). The hub runs in this process, the consoles in a
 * worker thread. Not a test: a figure. Run: npx tsx bench/mass-escalation.ts [N ...]  (default 1000 11000)
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { massEventHub, steadyPresser } from './mass-seed.ts';
import { consoleWorker, consoles } from './snapshot-cost.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const LEAD_MS = 10_000;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(n: number): Promise<Record<string, number>> {
  const dueAt = Date.now() + LEAD_MS;
  const { hub, dir, token } = await massEventHub(n, dueAt);
  const w = consoleWorker(`ws://127.0.0.1:${hub.ports.http}/ws?token=${token}`);
  await consoles(w, 20);
  const waiting = hub.store.db.prepare("SELECT count(*) AS n FROM alerts WHERE state = 'raised' AND level = 0");
  await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now() - 500)));

  const presser = steadyPresser(hub); // pressing through the wave
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  while (Date.now() < dueAt) await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  while ((waiting.get() as { n: number }).n > 0 && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 50));
  const wave = performance.now() - t0;
  h.disable();
  const commitMs = await presser.stop();
  const frames = await new Promise<number>((resolve) => { w.once('message', (m) => resolve(m.frames)); w.postMessage('frames'); });
  await w.terminate();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
  return { open: n, allClimbedMs: Math.round(wave), maxPauseMs: +(h.max / 1e6).toFixed(1), presses: commitMs.length,
    pressCommitP50Ms: +pct(commitMs, 50).toFixed(2), pressCommitP99Ms: +pct(commitMs, 99).toFixed(2), pressCommitMaxMs: +Math.max(...commitMs).toFixed(1),
    framesAt20Consoles: frames };
}

const rows: Record<string, number>[] = [];
for (const n of sizes.length ? sizes : [1000, 11_000]) rows.push(await measure(n));
console.table(rows);
console.log(JSON.stringify(rows));
process.exit(0);
