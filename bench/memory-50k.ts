/**
 * Benchmark 3 at 50,000 devices on a machine whose hard open-file limit is 20,000 per process:
 * the hub's memory per connected device, `npx tsx bench/memory-50k.ts [--devices 50000]
 * [--calibrate 19000] [--repeats 3]`. Every run is a fresh hub (bench/common.ts startBenchHub, MQTT on
 * a free port, ANXIN_MQTT_PORT=0) with its devices provisioned in bulk and bench/memory-50k-probe.ts
 * preloaded. Per device = (VmRSS after − VmRSS before) / N, read from /proc as bench/b3-memory.ts
 * does: 2 s of quiet, RSS before, all devices connect, 5 s of quiet, RSS after; one difference: a full
 * GC in the hub just before the 2 s of quiet (every variant), so "before" holds little garbage, and one
 * after "after" for the live heap (heapLiveKbPerDevice; RSS is read before it). Variants:
 *
 *   real     N real TCP devices from this process (bench/mqtt-lite.ts, as b3-memory.ts: own id and
 *            secret, Will, down/# at QoS 1). Only at the calibration size (19,000: the fd limit).
 *   memory   N in-memory devices inside the hub process (see memory-50k-probe.ts): each a Duplex
 *            handed to the hub's MQTT server as a 'connection' → DeviceBroker.accept →
 *            GuardedConnection → aedes.handle, with the real authentication, Will and SUBSCRIBE.
 *   harness  the same N in-memory pairs and device side, the server end only answering: what the
 *            harness itself costs. hub's own = memory − harness (medians).
 *
 * At the calibration size, real − hub's own is what the in-memory method leaves out (the net.Socket,
 * its libuv TCP handle, read buffers); the estimate at N = hub's own at N + that difference. The
 * devices' credentials are uploaded to the hub process before RSS "before" is read, so they cancel.
 * Every repeat of every variant is written to bench/results/<UTC time>-memory-50k.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll, connectPool, hubDevice, sleep, startBenchHub } from './common.ts';
import type { LiteClient } from './mqtt-lite.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: number): number => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : def; };
const N = opt('devices', 50_000), CAL = opt('calibrate', 19_000), REPEATS = opt('repeats', 3);
const PRELOAD = './bench/memory-50k-probe.ts';
/** A run that takes longer than this is abandoned (the hub is killed). */
const RUN_LIMIT_MS = 5 * 60_000;

type Variant = 'real' | 'memory' | 'harness';
interface Mem { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }
interface State { mem: Mem; mqttPort: number; aedesClients: number; subscribedDown: number; connectedClients: number | null; inMemory: number }

const log = (m: string): void => { process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`); };

/** The rule of this machine: nothing heavy while someone's timing benchmark runs. */
async function waitIdle(): Promise<void> {
  for (;;) {
    try { execFileSync('pgrep', ['-f', 'bench/run.ts|bench/profile.ts|disk-stall']); } catch { return; }
    log('another benchmark is running: waiting 60 s');
    await sleep(60_000);
  }
}

function ctrl<T>(port: number, method: string, path: string, body?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const v = JSON.parse(Buffer.concat(parts).toString());
        if (res.statusCode === 200) resolve(v); else reject(new Error(`${path}: ${v.error}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function withLimit<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_r, reject) => { t = setTimeout(() => reject(new Error(`${what}: over ${ms / 1000} s`)), ms); })]).finally(() => clearTimeout(t));
}

async function runOne(variant: Variant, n: number, repeat: number): Promise<Record<string, unknown>> {
  await waitIdle();
  const load = loadavg()[0];
  const ctrlFile = join(tmpdir(), `anxin-mem50k-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const hub = await startBenchHub(n, { ANXIN_MQTT_PORT: '0', ANXIN_ESCALATE_AFTER_S: '3600', BENCH_MEM_CTRL_FILE: ctrlFile }, [PRELOAD]);
  const provisionS = (performance.now() - t0) / 1000;
  let clients: LiteClient[] = [];
  try {
    const port = Number(readFileSync(ctrlFile, 'utf8'));
    const st0 = await ctrl<State>(port, 'GET', '/state');
    if (variant !== 'real') await ctrl(port, 'POST', '/creds', JSON.stringify(hub.creds.map((c) => [c.id, c.secret])));
    await ctrl(port, 'POST', '/gc');
    await sleep(2000);
    const rssBeforeKb = hub.rssKb();
    const before = (await ctrl<State>(port, 'GET', '/state')).mem;
    const tc = performance.now();
    let connect: Record<string, unknown>;
    if (variant === 'real') {
      clients = await withLimit(connectPool(n, (i) => ({ ...hubDevice(hub, i), port: st0.mqttPort }), 100), RUN_LIMIT_MS, 'connect');
      clients.forEach((c, i) => c.subscribe(`anxin/v1/dev/${hub.creds[i].id}/down/#`, 1));
      connect = { devices: n, ms: Math.round(performance.now() - tc), connackOk: clients.filter((c) => c && !c.closed).length, subackOk: null };
    } else {
      connect = await withLimit(ctrl(port, 'POST', `/connect?mode=${variant === 'memory' ? 'hub' : 'harness'}&parallel=100`), RUN_LIMIT_MS, 'connect');
    }
    await sleep(5000);
    const rssAfterKb = hub.rssKb();
    const after = await ctrl<State>(port, 'GET', '/state');
    const afterGc = (await ctrl<State>(port, 'POST', '/gc')).mem;
    const r = {
      variant, devices: n, repeat, loadAvg1: +load.toFixed(2), provisionS: +provisionS.toFixed(1),
      rssBeforeMb: +(rssBeforeKb / 1024).toFixed(1), rssAfterMb: +(rssAfterKb / 1024).toFixed(1), kbPerDevice: +((rssAfterKb - rssBeforeKb) / n).toFixed(3),
      heapUsedBeforeMb: +(before.heapUsed / 2 ** 20).toFixed(1), heapUsedAfterMb: +(after.mem.heapUsed / 2 ** 20).toFixed(1),
      heapKbPerDevice: +((after.mem.heapUsed - before.heapUsed) / 1024 / n).toFixed(3),
      heapLiveKbPerDevice: +((afterGc.heapUsed - before.heapUsed) / 1024 / n).toFixed(3), rssAfterGcMb: +(afterGc.rss / 2 ** 20).toFixed(1),
      externalKbPerDevice: +((after.mem.external - before.external) / 1024 / n).toFixed(3),
      connect, aedesClients: after.aedesClients, subscribedDown: after.subscribedDown, connectedClients: after.connectedClients, inMemory: after.inMemory,
    };
    log(`${variant} ${n} #${repeat}: ${r.kbPerDevice} KB/device (RSS ${r.rssBeforeMb} → ${r.rssAfterMb} MB, heap ${r.heapUsedBeforeMb} → ${r.heapUsedAfterMb} MB), ` +
      `CONNACK ${connect.connackOk}, SUBACK ${connect.subackOk}, failed ${connect.failed ?? 0}, aedes clients ${r.aedesClients}, with down/# ${r.subscribedDown}, connect ${connect.ms} ms`);
    return r;
  } finally {
    await hub.proc.kill('SIGKILL');
    closeAll(clients, false);
    await hub.stop();
    if (existsSync(ctrlFile)) rmSync(ctrlFile);
  }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r2 = (x: number): number => +x.toFixed(2);

const plan: [Variant, number][] = [['real', CAL], ['memory', CAL], ['harness', CAL]];
if (N !== CAL) plan.push(['memory', N], ['harness', N]);
const started = new Date();
const runs: Record<string, unknown>[] = [];
const stamp = started.toISOString().slice(0, 19).replace(/:/g, '-');
mkdirSync('bench/results', { recursive: true });
const out = `bench/results/${stamp}-memory-50k.json`;

function summarize(): Record<string, unknown> {
  const pick = (v: Variant, n: number, key = 'kbPerDevice'): number[] => runs.filter((r) => r.variant === v && r.devices === n && !r.error).map((r) => r[key] as number);
  const stat = (xs: number[]) => (xs.length ? { median: r2(median(xs)), min: r2(Math.min(...xs)), max: r2(Math.max(...xs)), repeats: xs.map(r2) } : null);
  const m = (v: Variant, n: number): number => median(pick(v, n));
  const s: Record<string, unknown> = {};
  for (const [v, n] of plan) s[`${v}@${n}`] = { kbPerDevice: stat(pick(v, n)), heapKbPerDevice: stat(pick(v, n, 'heapKbPerDevice')), heapLiveKbPerDevice: stat(pick(v, n, 'heapLiveKbPerDevice')) };
  const ownCal = m('memory', CAL) - m('harness', CAL);
  const socket = m('real', CAL) - ownCal;
  s.derived = {
    note: 'KB = KiB of VmRSS per device, medians. hubOwn = memory − harness; socketDifference = real − hubOwn at the calibration size; estimate = hubOwn at N + socketDifference (an estimate: real sockets were not measured at N)',
    [`hubOwn@${CAL}`]: r2(ownCal), [`socketDifference@${CAL}`]: r2(socket),
    ...(N !== CAL ? { [`hubOwn@${N}`]: r2(m('memory', N) - m('harness', N)), [`estimateReal@${N}`]: r2(m('memory', N) - m('harness', N) + socket) } : {}),
  };
  return s;
}

for (let rep = 1; rep <= REPEATS; rep++) {
  for (const [variant, n] of plan) {
    try { runs.push(await runOne(variant, n, rep)); } catch (err) {
      log(`${variant} ${n} #${rep} failed: ${(err as Error).message}`);
      runs.push({ variant, devices: n, repeat: rep, error: (err as Error).message });
    }
    writeFileSync(out, JSON.stringify({ started: started.toISOString(), node: process.version, devices: N, calibrate: CAL, repeats: REPEATS, runs, summary: summarize() }, null, 2));
  }
}
console.log(JSON.stringify(summarize(), null, 2));
log(`written ${out}`);
