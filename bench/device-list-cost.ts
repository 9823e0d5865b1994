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
import { massEventHub, seedFleet, silenceFleet } from './mass-seed.ts';
import { FetchElsewhere, idlePause, timeGets } from './fetch-elsewhere.ts';

const N = Number(process.argv[2] ?? 10_000);
const OFFLINE = Number(process.argv[3] ?? 2_000);
const { hub, dir, token } = await massEventHub(0, Date.now());
const now = Date.now();
seedFleet(hub.store, 'dl', N, now);
await silenceFleet(hub, 'dl', OFFLINE, now - 3_600_000, now);

// Requests from a worker thread (fetch-elsewhere.ts): neither reading an answer nor starting a client is counted as the hub's pause.
const client = new FetchElsewhere();
const time = (path: string) => timeGets(client, `http://127.0.0.1:${hub.ports.http}${path}`, token);
console.log(`${N} devices, ${OFFLINE} offline with an open alert`);
// The first list starts the report worker (a new thread loading the hub's TypeScript): timed apart.
const first = await client.get(`http://127.0.0.1:${hub.ports.http}/api/devices/health`, token);
console.log(`first request (starts the report worker): ${first.ms.toFixed(1)} ms`);
console.log(await idlePause());
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
