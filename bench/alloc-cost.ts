/**
 * `npx tsx bench/alloc-cost.ts [CONSOLES]`: what a new call allocates in the hub, and the garbage
 * collection it costs. A hub in this process, started as the tests start one (demo community,
 * 3,000 devices provisioned in 第一网格), CONSOLES counting consoles (default 20, bench/ws-lite.ts:
 * they skip payloads, so they allocate little themselves) and 3,000 real MQTT devices
 * (bench/mqtt-lite.ts). Each device presses once, one press at a time, the next after the PUBACK.
 * Two rounds of 1,000 presses, after 500 to warm up; for each: wall time, the collections that ran
 * (node:v8 GCProfiler) and the heap allocated between them per press. Then a sampling heap profile
 * of a third round, which counts objects already collected too: the functions that allocated
 * the most, in KB per press (self size; the load generator's own functions appear as well).
 */
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Session } from 'node:inspector/promises';
import { startTestHub } from '../test/helpers/hub-harness.ts';
import { LiteClient } from './mqtt-lite.ts';
import { openCountingConsoles } from './b5-fanout.ts';

const CONSOLES = Number(process.argv[2] ?? 20);
const ROUND = 1000;
const t = await startTestHub({ env: { ANXIN_ESCALATE_AFTER_S: '3600' } });
const token = await t.login('admin');
const grid = (await t.api('GET', '/api/grid', token)).body.nodes.find((n: { name: string }) => n.name === '第一网格');
const { devices } = (await t.api('POST', '/api/devices/bulk', token, { prefix: 'a-', count: 500 + 3 * ROUND, start: 1, width: 6, gridId: grid.id })).body as { devices: { id: string; secret: string }[] };
const port = Number(new URL(t.mqttUrl).port);
const clients: LiteClient[] = [];
for (const d of devices) clients.push(await LiteClient.connect({ host: '127.0.0.1', port, clientId: d.id, username: d.id, password: d.secret }));
await openCountingConsoles(t.httpUrl, CONSOLES);

let next = 0;
let seq = 1;
async function presses(n: number): Promise<void> {
  for (let k = 0; k < n; k++, next++) {
    const i = next;
    await new Promise<void>((acked) => clients[i].publish(`anxin/v1/dev/${devices[i].id}/up/event`, `{"seq":${seq++},"type":"press","ts":${Date.now()}}`, 1, acked));
  }
}

interface GcStat { gcType: string; cost: number; beforeGC: { heapSpaceStatistics: { spaceUsedSize: number }[] }; afterGC: { heapSpaceStatistics: { spaceUsedSize: number }[] } }
const used = (s: GcStat['beforeGC']) => s.heapSpaceStatistics.reduce((a, x) => a + x.spaceUsedSize, 0);

setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
await presses(500);
process.stdout.write(`hub in this process, ${CONSOLES} consoles, 3,000 MQTT devices; rounds of ${ROUND} presses from distinct devices\n`);
for (let round = 1; round <= 2; round++) {
  // A full collection before and after the round bounds it, so that every byte allocated in it is counted.
  const p = new GCProfiler();
  p.start();
  fullGc();
  const t0 = performance.now();
  await presses(ROUND);
  const wall = performance.now() - t0;
  fullGc();
  const all = (p.stop() as unknown as { statistics: GcStat[] }).statistics;
  let allocated = 0;
  for (let i = 1; i < all.length; i++) allocated += used(all[i].beforeGC) - used(all[i - 1].afterGC);
  const during = all.slice(1, -1).map((x) => x.cost / 1000);
  process.stdout.write(`round ${round}: ${(wall / ROUND * 1000).toFixed(0)} µs per press (press to PUBACK); ${(allocated / 1024 / ROUND).toFixed(1)} KB allocated per press; `
    + `${during.length} collections during the round (${[...new Set(all.slice(1, -1).map((x) => x.gcType))].join(', ') || 'none'}), ${during.reduce((a, b) => a + b, 0).toFixed(1)} ms in all, longest ${Math.max(0, ...during).toFixed(2)} ms\n`);
}

const s = new Session();
s.connect();
await s.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
await presses(ROUND);
const { profile } = (await s.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
interface Node { callFrame: { functionName: string; url: string }; selfSize: number; children: Node[] }
const bySite = new Map<string, number>();
const walk = (n: Node) => {
  const site = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*?\/(dispatcher|gateway|bench|node_modules)\//, '$1/')}`;
  if (n.selfSize) bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
  n.children.forEach(walk);
};
walk(profile.head);
const total = [...bySite.values()].reduce((a, b) => a + b, 0);
process.stdout.write(`sampled: ${(total / 1024 / ROUND).toFixed(1)} KB per press in all; the top allocators (KB per press):\n`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`  ${(bytes / 1024 / ROUND).toFixed(2).padStart(6)}  ${site}\n`);
await t.stop();
process.exit(0);
