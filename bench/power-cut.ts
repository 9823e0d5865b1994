/**
 * A power cut: N devices go silent at once while 20 admin consoles are connected, and the next health
 * sweep finds them all overdue. Measures the sweep's first transaction (the call itself), how long until
 * every offline alert is raised, the hub's longest event-loop pause meanwhile, and how long a device's
 * presses took to commit while it ran. The hub runs in this process, the consoles in a worker thread.
 * Not a test: a figure. Run: npx tsx bench/power-cut.ts [N]   (default 5000)
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { massEventHub, seedFleet, steadyPresser } from './mass-seed.ts';
import { consoleWorker, consoles } from './snapshot-cost.ts';
const N = Number(process.argv[2] ?? 5000);
const { hub, dir, token } = await massEventHub(0, Date.now());
const s = hub.store;
const now = Date.now();
seedFleet(s, 'pc', N, now);
const w = consoleWorker(`ws://127.0.0.1:${hub.ports.http}/ws?token=${token}`);
await consoles(w, 20);
const presser = steadyPresser(hub, 'demo-0020', 1);
await new Promise((r) => setTimeout(r, 200));
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const t0 = performance.now();
hub.healthSweep.sweep(now + 10 * 60_000); // ten minutes later: every one of them is overdue
const firstMs = performance.now() - t0;
const offline = s.db.prepare("SELECT count(*) AS n FROM alerts WHERE kind = 'technical' AND reason = 'offline' AND device_id LIKE 'pc-%'");
while ((offline.get() as { n: number }).n < N && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
const allMs = performance.now() - t0;
await new Promise((r) => setTimeout(r, 100));
h.disable();
const commitMs = await presser.stop();
console.log(JSON.stringify({ devicesOffline: N, firstChunkMs: +firstMs.toFixed(1), allRaisedMs: Math.round(allMs), maxPauseMs: +(h.max / 1e6).toFixed(1),
  pressCommitP50Ms: +commitMs[Math.floor(commitMs.length / 2)].toFixed(2), pressCommitMaxMs: +commitMs[commitMs.length - 1].toFixed(1), openAlerts: s.alerts.openCount() }));
await w.terminate(); await hub.stop(); rmSync(dir, { recursive: true, force: true }); process.exit(0);
