/**
 * `npm run bench [-- --quick | --full] [--only 1,3] [--repeats N]`: the fixed benchmark suite
 * of issue 6. Each benchmark gets a fresh hub in its own process; where a reference applies,
 * Mosquitto on 127.0.0.1:1883 is measured in the same run, alternating (hub first on even
 * repeats, Mosquitto first on odd ones). Every figure is the median over the repeats.
 * Results go to bench/results/<time>-<mode>.json and .md; the table is printed.
 */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import { median } from '../simulator/stats.ts';
import { REPO_ROOT } from '../simulator/hub-process.ts';
import { mosquittoUp, startBenchHub, type BenchHub } from './common.ts';
import { ingest } from './b1-ingest.ts';
import { latency } from './b2-latency.ts';
import { memory } from './b3-memory.ts';
import { storm } from './b4-storm.ts';
import { fanout } from './b5-fanout.ts';
import { soak } from './b6-soak.ts';
import { diskCheck, type DiskCheck } from './disk-check.ts';

type Target = 'hub' | 'ref';
type Fn = (target: Target, hub: BenchHub) => Promise<Record<string, number>>;
interface Row { n: number; what: string; target: string; key: string; hub: Record<string, number>; ref: Record<string, number> | null; ratio: number | null; runs: { hub: Record<string, number>[]; ref: Record<string, number>[] } }
interface Bench { n: number; what: string; devices: number; ref: boolean; fn: Fn; key: string; target: string; higherIsBetter: boolean; env?: Record<string, string>; refAgg?: 'max'; freshHub?: boolean }

/** Calls nobody accepts would escalate after 60 s and add bursts of changes to the measured path; benchmark 6 keeps them. */
const NO_ESCALATION = { ANXIN_ESCALATE_AFTER_S: '3600' };

function suite(full: boolean): Bench[] {
  const s = full
    ? { b1: { devices: 500, window: 2, seconds: 20, pacedPerS: 10_000, pacedSeconds: 60 }, b2: [{ rate: 200 }, { rate: 1000 }].map((r) => ({ devices: 10_000, consoles: 20, seconds: 30, ...r })),
        b3: { devices: 19_000 }, b4: { devices: 10_000, withinS: 5, alarmsPerS: 100 }, b5: { consoles: 1000, rate: 150, seconds: 20 }, b6: { devices: 1000, rate: 100, seconds: 600 } }
    : { b1: { devices: 200, window: 2, seconds: 8, pacedPerS: 10_000, pacedSeconds: 8 }, b2: [{ rate: 200 }, { rate: 1000 }].map((r) => ({ devices: 1000, consoles: 20, seconds: 6, ...r })),
        b3: { devices: 5000 }, b4: { devices: 2000, withinS: 5, alarmsPerS: 100 }, b5: { consoles: 300, rate: 400, seconds: 6 }, b6: { devices: 500, rate: 100, seconds: 45 } };
  return [
    { n: 1, what: `durable ingest, ${s.b1.devices} devices: × ${s.b1.window} in flight for ${s.b1.seconds} s, then ${s.b1.pacedPerS.toLocaleString('en')}/s offered for ${s.b1.pacedSeconds} s`, devices: s.b1.devices, ref: true, fn: (t, h) => ingest(s.b1, t, h), key: 'rate', target: '≥ 10,000/s with ack p99 ≤ 50 ms (paced), ≥ 0.5 × ref (rate)', higherIsBetter: true },
    ...s.b2.map((b, i): Bench => ({ n: 2, what: `press → console, ${b.devices} devices, ${b.consoles} consoles, ${b.rate}/s, ${b.seconds} s`, devices: b.devices, ref: true, fn: (t, h) => latency(b, t, h), key: 'p99Ms', target: i === 0 ? 'p50 ≤ 3 ms, p99 ≤ 15 ms' : 'p99 ≤ 30 ms', higherIsBetter: false })),
    { n: 3, what: `memory, ${s.b3.devices} connected devices`, devices: s.b3.devices, ref: true, fn: (t, h) => memory(s.b3, t, h), key: 'kbPerDevice', target: '≤ 25 KB/device (at 50,000)', higherIsBetter: false, refAgg: 'max', freshHub: true },
    { n: 4, what: `reconnect storm, ${s.b4.devices} devices within ${s.b4.withinS} s, ${s.b4.alarmsPerS} alarms/s`, devices: s.b4.devices, ref: true, fn: (t, h) => storm(s.b4, t, h), key: 'allBackS', target: 'all back ≤ 15 s, 0 gave up, ack p99 ≤ 1,000 ms', higherIsBetter: false },
    { n: 5, what: `console fan-out, ${s.b5.consoles} consoles, ${s.b5.rate} changes/s`, devices: 500, ref: true, fn: (t, h) => fanout(s.b5, t, h), key: 'deliveriesPerS', target: '≥ 100,000 deliveries/s', higherIsBetter: true, freshHub: true },
    { n: 6, what: `event-loop soak, ${s.b6.rate} alarms/s + reports, ${s.b6.seconds} s`, devices: s.b6.devices, ref: false, fn: (t, h) => soak(s.b6, t, h), key: 'maxPauseMs', target: 'no pause > 100 ms', higherIsBetter: false, env: { BENCH_SLOW_SQL_MS: '50' } },
  ];
}

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function medians(runs: Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))]));
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({ options: { quick: { type: 'boolean' }, full: { type: 'boolean' }, only: { type: 'string' }, repeats: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (v.help) {
    process.stdout.write('npm run bench [-- --quick (default) | --full] [--only 1,2] [--repeats N]\nSee bench/README.md.\n');
    return;
  }
  const full = !!v.full;
  const repeats = Number(v.repeats ?? (full ? 5 : 3));
  const only = v.only ? new Set(v.only.split(',').map(Number)) : null;
  const refUp = await mosquittoUp();
  if (!refUp) process.stderr.write('bench: Mosquitto is not answering on 127.0.0.1:1883: reference columns will be empty\n');
  const loadAvgAtStart = loadavg().map((x) => +x.toFixed(2));
  // The disk decides some figures (benchmark 6 on a disk that stalls): measured first, written beside them.
  process.stderr.write('bench: checking the disk for 10 s (bench/disk-check.ts)\n');
  const disk = await diskCheck(10);
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAvgAtStart, disk };
  const rows: Row[] = [];
  const started = new Date();
  for (const b of suite(full)) {
    if (only && !only.has(b.n)) continue;
    process.stderr.write(`bench ${b.n}: ${b.what} (${repeats} repeats)\n`);
    let hub = await startBenchHub(b.devices, b.env ?? NO_ESCALATION);
    const runs = { hub: [] as Record<string, number>[], ref: [] as Record<string, number>[] };
    try {
      for (let r = 0; r < repeats; r++) {
        // Memory: a hub that already served N devices reuses the heap it freed. Fan-out: the calls of the last
        // repeat are still open, and every new console's snapshot would carry thousands of them. A new hub each time.
        if (b.freshHub && r > 0) {
          await hub.stop();
          hub = await startBenchHub(b.devices, b.env ?? NO_ESCALATION);
        }
        const order: Target[] = b.ref && refUp ? (r % 2 === 0 ? ['hub', 'ref'] : ['ref', 'hub']) : ['hub'];
        for (const t of order) {
          const m = await b.fn(t, hub);
          runs[t].push(m);
          process.stderr.write(`  ${t === 'hub' ? 'hub      ' : 'mosquitto'} #${r + 1}: ${Object.entries(m).map(([k, x]) => `${k}=${fmt(x)}`).join(' ')}\n`);
        }
      }
    } finally {
      await hub.stop();
    }
    const hubM = medians(runs.hub);
    // Mosquitto keeps freed memory for its next clients, so only its first repeat shows the growth: take the maximum.
    const refM = !runs.ref.length ? null : b.refAgg === 'max' ? Object.fromEntries(Object.keys(runs.ref[0]).map((k) => [k, Math.max(...runs.ref.map((r) => r[k]))])) : medians(runs.ref);
    // A long-running Mosquitto that already grew shows ~0 growth: no ratio rather than an absurd one.
    const ratio = refM && Number.isFinite(refM[b.key]) && Math.abs(refM[b.key]) >= (b.refAgg === 'max' ? 0.1 : 1e-9) ? hubM[b.key] / refM[b.key] : null;
    rows.push({ n: b.n, what: b.what, target: b.target, key: b.key, hub: hubM, ref: refM, ratio, runs });
    writeResults(started, full, repeats, machine, rows);
  }
  process.stdout.write(writeResults(started, full, repeats, machine, rows));
  process.stderr.write(`results written to bench/results/${stamp(started)}-*.{json,md}\n`);
}

const stamp = (started: Date) => started.toISOString().replace(/[:.]/g, '-').slice(0, 19);

/** Writes the table and the JSON so far; called after every benchmark, so a run cut short keeps what it measured. */
function writeResults(started: Date, full: boolean, repeats: number, machine: Record<string, unknown> & { cpus: number; cpu?: string; memGiB: number; node: string; loadAvgAtStart: number[]; disk: DiskCheck }, rows: Row[]): string {
  const d = machine.disk;
  const lines = [
    `Anxin Hub benchmarks, ${full ? 'full' : 'quick'} mode, ${repeats} repeats, medians; ${started.toISOString()}`,
    `Machine: ${machine.cpus} × ${machine.cpu}, ${machine.memGiB} GiB, Node ${machine.node}, load average at start ${machine.loadAvgAtStart.join(' ')} (shared with other work: expect noise)`,
    `Disk (bench/disk-check.ts, ${d.seconds} s): log write p99 ${fmt(d.writeP99Ms)} ms, max ${fmt(d.writeMaxMs)} ms; log fdatasync p50 ${fmt(d.logSyncP50Ms)} ms, max ${fmt(d.logSyncMaxMs)} ms; database fsync p50 ${fmt(d.dbSyncP50Ms)} ms, max ${fmt(d.dbSyncMaxMs)} ms`,
    '',
    '| # | what | metric | hub | Mosquitto | hub / Mosquitto | target | hub details |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.n} | ${r.what} | ${r.key} | ${fmt(r.hub[r.key])} | ${r.ref ? fmt(r.ref[r.key]) : 'n/a'} | ${r.ratio === null ? 'n/a' : r.ratio.toFixed(2)} | ${r.target} | ${Object.entries(r.hub).filter(([k]) => k !== r.key).map(([k, x]) => `${k} ${fmt(x)}`).join(', ')} |`),
  ];
  const text = lines.join('\n') + '\n';
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${stamp(started)}-${full ? 'full' : 'quick'}`);
  writeFileSync(`${base}.json`, JSON.stringify({ started, mode: full ? 'full' : 'quick', repeats, machine, rows }, null, 1));
  writeFileSync(`${base}.md`, text);
  return text;
}

main().then(() => process.exit(0), (err) => { process.stderr.write(`bench: ${(err as Error).stack}\n`); process.exit(1); });
