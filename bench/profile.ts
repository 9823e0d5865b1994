/**
 * `npx tsx bench/profile.ts [1|2|4|5|6]`: runs one benchmark against a hub started with
 * `node --cpu-prof`, then prints the hub's top functions by self time (and keeps the
 * .cpuprofile in /tmp/anxin-prof for Chrome DevTools).
 */
import { readdirSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HubProcess } from '../simulator/hub-process.ts';
import { startBenchHub } from './common.ts';
import { ingest } from './b1-ingest.ts';
import { latency } from './b2-latency.ts';
import { fanout } from './b5-fanout.ts';
import { soak } from './b6-soak.ts';
import { storm } from './b4-storm.ts';

const which = process.argv[2] ?? '1';
const dir = '/tmp/anxin-prof';
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const orig = HubProcess.start.bind(HubProcess);
HubProcess.start = (o = {}) => orig({ ...o, nodeArgs: [...(o.nodeArgs ?? []), '--cpu-prof', `--cpu-prof-dir=${dir}`] });
const hub = await startBenchHub(which === '2' ? 2000 : which === '4' ? 5000 : 500, { ANXIN_ESCALATE_AFTER_S: '3600' });
const m = which === '1' ? await ingest({ devices: 200, window: 2, seconds: 10, pacedPerS: 10_000, pacedSeconds: 5 }, 'hub', hub)
  : which === '2' ? await latency({ devices: 2000, consoles: 20, rate: 1000, seconds: 8 }, 'hub', hub)
  : which === '4' ? await storm({ devices: 5000, withinS: 5, alarmsPerS: 100 }, 'hub', hub)
  : which === '5' ? await fanout({ consoles: 300, rate: 400, seconds: 8 }, 'hub', hub)
  : await soak({ devices: 500, rate: 100, seconds: 20 }, 'hub', hub);
console.log(m);
await hub.stop();
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const byFn = new Map<string, number>();
let total = 0;
for (const n of prof.nodes) {
  const t = self.get(n.id) ?? 0;
  total += t;
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/\/work\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
}
const top = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
for (const [k, t] of top) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`);
process.exit(0);
