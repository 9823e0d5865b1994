/**
 * `npx tsx bench/device-list-cost.ts [N] [OFFLINE]`: what the supervisors' device list costs the hub. N
 * devices (default 10,000), OFFLINE of them (default 2,000) silent with an open offline alert, as after
 * a power cut in part of the street office. Times GET /api/devices/health (whole, and the page of 300
 * rows a devices view asks for, plain, with only problems and with a search) and GET /api/devices as an
 * admin, from a worker thread (7 requests each, one after another, after one that starts
 * the report worker: p50 and max), and the hub's longest event-loop pause meanwhile. Each open
 * console's devices view asks for the health list every 30 s. The hub runs in this process.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { massEventHub, seedFleet, silenceFleet } from './mass-seed.ts';
import { FetchElsewhere } from './fetch-elsewhere.ts';

const N = Number(process.argv[2] ?? 10_000);
const OFFLINE = Number(process.argv[3] ?? 2_000);
const { hub, dir, token } = await massEventHub(0, Date.now());
const now = Date.now();
seedFleet(hub.store, 'dl', N, now);
await silenceFleet(hub, 'dl', OFFLINE, now - 3_600_000, now);

/** One GET from a worker thread (fetch-elsewhere.ts), so that neither reading the answer nor starting a client is counted as the hub's pause. */
const client = new FetchElsewhere();
async function get(path: string): Promise<{ ms: number; bytes: number }> {
  const r = await client.get(`http://127.0.0.1:${hub.ports.http}${path}`, token);
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  return r;
}

async function time(path: string): Promise<string> {
  const ms: number[] = [];
  let bytes = 0;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  for (let i = 0; i < 7; i++) {
    const r = await get(path);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  h.disable();
  ms.sort((a, b) => a - b);
  return `${path}: p50 ${ms[3].toFixed(1)} ms, max ${ms[6].toFixed(1)} ms, ${bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`}; longest event-loop pause ${(h.max / 1e6).toFixed(1)} ms`;
}
console.log(`${N} devices, ${OFFLINE} offline with an open alert`);
// The first list starts the report worker (a new thread loading the hub's TypeScript): timed apart.
const first = await get('/api/devices/health');
console.log(`first request (starts the report worker): ${first.ms.toFixed(1)} ms`);
{ // The hub's own pauses with nobody asking: its health sweep (every 5 s), the collector.
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, 6000));
  h.disable();
  console.log(`no request for 6 s (a health sweep or more): longest event-loop pause ${(h.max / 1e6).toFixed(1)} ms`);
}
console.log(await time('/api/devices/health'));
// What a devices view asks for every 30 s: the counts and the 300 rows it draws, and with its filters.
console.log(await time('/api/devices/health?limit=300'));
console.log(await time('/api/devices/health?limit=300&problems=only'));
console.log(await time('/api/devices/health?limit=300&q=dl-1999'));
console.log(await time('/api/devices'));
await client.close();
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
