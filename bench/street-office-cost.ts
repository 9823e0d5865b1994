/**
 * `npx tsx bench/street-office-cost.ts [HOUSEHOLDS]`: the hub at the size of a street office's
 * organisation, not only its fleet. The demo has one community, two grids and four staff; a street
 * office has communities by the dozen, grids by the hundred, staff on day and night shifts, and a
 * year of roster overrides (leave, swaps): street-office-seed.ts, into the store of a hub in this
 * process, with HOUSEHOLDS (default 10,000) households spread over its 300 grids.
 * Measured, before and after the organisation is seeded:
 * - a new call's commit (what its ack waits for), 1,000 presses from distinct devices, ms;
 * - each admin page's request, and the hub's longest event-loop pause while it was served.
 * Not a test: a figure.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FetchElsewhere } from './fetch-elsewhere.ts';
import { massEventHub } from './mass-seed.ts';
import { seedStreetOffice } from './street-office-seed.ts';

const HOUSEHOLDS = Number(process.argv[2] ?? 10_000);
const { hub, dir, token } = await massEventHub(0, Date.now());
const s = hub.store;
const base = `http://127.0.0.1:${hub.ports.http}`;
let seq = 1;

async function presses(deviceIds: string[]): Promise<{ p50: number; p99: number; max: number }> {
  const ms: number[] = [];
  for (const deviceId of deviceIds) {
    const t = performance.now();
    await hub.ingest.commitEvent({ kind: 'device-event', deviceId, seq: seq++, type: 'press', deviceTs: null, receivedAt: Date.now(), via: 'bench' });
    ms.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 2));
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => +ms[Math.min(ms.length - 1, Math.floor(ms.length * q))].toFixed(2);
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

/** The requests from a worker thread: reading a megabyte answer is not counted as the hub's pause. */
const client = new FetchElsewhere();
const fetchElsewhere = (url: string) => client.get(url, token);

async function pages(gridId: number): Promise<Record<string, { ms: number; pauseMs: number; kb: number }>> {
  const out: Record<string, { ms: number; pauseMs: number; kb: number }> = {};
  for (const path of ['/api/me', '/api/grid', `/api/grid/${gridId}/roster`, '/api/households', '/api/devices', '/api/devices/health', '/api/reports/response-times']) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const r = await fetchElsewhere(base + path);
    h.disable();
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    out[path] = { ms: +r.ms.toFixed(1), pauseMs: +(h.max / 1e6).toFixed(1), kb: Math.round(r.bytes / 1024) };
  }
  return out;
}

// Before: the demo organisation with a thin fleet of the same size in one grid.
const demoGrid = s.grid.list().find((g) => g.name === '第一网格')!;
s.tx(() => { for (let i = 0; i < HOUSEHOLDS; i++) s.devices.create({ id: `thin-${i}`, kind: 'mqtt-button', householdId: 1 + (i % 20) }, null, Date.now()); });
const thin = { presses: await presses(Array.from({ length: 1000 }, (_, i) => `thin-${i * 7}`)), pages: await pages(demoGrid.id) };
const t0 = performance.now();
const org = seedStreetOffice(s, HOUSEHOLDS);
const seedS = (performance.now() - t0) / 1000;
const big = { presses: await presses(Array.from({ length: 1000 }, (_, i) => org.devices[(i * 37) % org.devices.length])), pages: await pages(org.grids[17]) };
console.log(JSON.stringify({ households: HOUSEHOLDS, grids: s.grid.list().length, staff: s.staff.count(), seedS: +seedS.toFixed(1), thin, streetOffice: big }, null, 1));
await client.close();
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
