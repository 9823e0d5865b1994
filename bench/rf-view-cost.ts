/**
 * `npx tsx bench/rf-view-cost.ts [HOUSEHOLDS] [RF]`: what an open RF view costs the hub at a street
 * office's size. HOUSEHOLDS households (default 10,000), each with one resident, two contacts and a
 * call button, 10,000 more call buttons among them, and RF buttons (default 200). The view asks for
 * its buttons every 5 s; its household picker asks the hub's search as an admin types. Times each
 * request as an admin, from a worker thread (7 each, one after another: p50, max, size) and the hub's
 * longest event-loop pause meanwhile, beside the idle hub's over 6 s. The hub runs in this process.
 */
import { rmSync } from 'node:fs';
import { massEventHub, seedFleet } from './mass-seed.ts';
import { FetchElsewhere, idlePause, timeGets } from './fetch-elsewhere.ts';

const HOUSEHOLDS = Number(process.argv[2] ?? 10_000);
const RF = Number(process.argv[3] ?? 200);
const { hub, dir, token } = await massEventHub(0, Date.now());
const now = Date.now();
const s = hub.store;
seedFleet(s, 'rv', HOUSEHOLDS, now, true);
seedFleet(s, 'rw', 10_000, now);
const homes = s.householdLists.list(null);
s.tx(() => { for (let i = 0; i < RF; i++) s.devices.create({ id: `rf-v-${i}`, kind: 'rf-button', householdId: homes[(i * 37) % homes.length].id }, null, now); });
s.households.forgetCache();

const client = new FetchElsewhere();
const time = (path: string) => timeGets(client, `http://127.0.0.1:${hub.ports.http}${path}`, token);
console.log(`${HOUSEHOLDS} households, ${HOUSEHOLDS + 10_000} call buttons, ${RF} RF buttons`);
await client.get(`http://127.0.0.1:${hub.ports.http}/api/households?limit=1`, token); // starts the report worker
console.log(await idlePause());
console.log(await time('/api/rf/buttons'));
console.log(await time('/api/households'));
console.log(await time('/api/households?limit=50'));
console.log(await time(`/api/households?limit=50&q=${encodeURIComponent('rv 楼 12')}`));
await client.close();
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
