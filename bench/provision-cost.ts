/**
 * `npx tsx bench/provision-cost.ts [N]`: an admin provisions N test devices (default 10,000) with
 * `POST /api/devices/bulk` on a live hub while a device presses every 20 ms. Reports how long the
 * request took, the hub's longest event-loop pause meanwhile, and how long the presses took to
 * commit (what their acks wait for). The hub runs in this process. Not a test: a figure.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { massEventHub, steadyPresser } from './mass-seed.ts';

const N = Number(process.argv[2] ?? 10_000);
const { hub, dir, token } = await massEventHub(0, Date.now());
const grid = hub.store.grid.list().find((g) => g.name === '第一网格')!;
const presser = steadyPresser(hub, 'demo-0020', 1);
await new Promise((r) => setTimeout(r, 300));
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const t0 = performance.now();
const res = await fetch(`http://127.0.0.1:${hub.ports.http}/api/devices/bulk`, {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({ prefix: 'pv-', count: N, gridId: grid.id }),
});
const body = await res.json() as { count: number };
const requestMs = performance.now() - t0;
h.disable();
const commitMs = await presser.stop();
console.log(JSON.stringify({ devices: N, status: res.status, created: body.count, requestMs: Math.round(requestMs),
  maxPauseMs: +(h.max / 1e6).toFixed(1), pressCommitP50Ms: +commitMs[commitMs.length >> 1].toFixed(2), pressCommitMaxMs: +commitMs[commitMs.length - 1].toFixed(1) }));
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
