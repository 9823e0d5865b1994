/** Shared pieces of the benchmark suite: the hub under test, the reference broker, device pools, probes. */
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { HubProcess } from '../simulator/hub-process.ts';
import { httpJson } from '../simulator/staff-client.ts';
import { LiteClient, localAddr } from './mqtt-lite.ts';

export const MOSQUITTO = { host: '127.0.0.1', port: 1883 };
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Cred { id: string; secret: string }

export interface BenchHub {
  proc: HubProcess; token: string; creds: Cred[]; probeFile: string;
  probes(sinceMs?: number): { t: number; rssKb: number; heapKb: number; elMaxMs: number; elP99Ms: number; gcMaxMs?: number; gcMs?: number; slowSqlMs?: number; sql?: string }[];
  rssKb(): number;
  stop(): Promise<void>;
}

/**
 * A fresh hub in its own process, with `devices` provisioned in bulk (one household each, in 第一网格).
 * `preload`: modules loaded into the hub process after bench/loop-probe.ts (bench/memory-50k-probe.ts).
 */
export async function startBenchHub(devices: number, env: Record<string, string> = {}, preload: string[] = []): Promise<BenchHub> {
  const probeFile = join((await import('node:os')).tmpdir(), `anxin-probe-${process.pid}-${Date.now()}.jsonl`);
  const proc = await HubProcess.start({
    env: { ANXIN_LOG_LEVEL: 'error', ANXIN_MAX_PENDING_CONNECTIONS: '20000', BENCH_PROBE_FILE: probeFile, ...env },
    nodeArgs: ['--max-old-space-size=8192'],
    preload: ['./bench/loop-probe.ts', ...preload],
  });
  const { token } = await httpJson(proc.httpUrl, 'POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' });
  const grid = (await httpJson(proc.httpUrl, 'GET', '/api/grid', token)).nodes.find((n: { name: string }) => n.name === '第一网格');
  const creds: Cred[] = [];
  for (let start = 1; start <= devices; start += 10_000) {
    const count = Math.min(10_000, devices - start + 1);
    const r = await httpJson(proc.httpUrl, 'POST', '/api/devices/bulk', token, { prefix: 'b-', count, start, width: 6, gridId: grid.id });
    for (const d of r.devices) creds.push({ id: d.id, secret: d.secret });
  }
  return {
    proc, token, creds, probeFile,
    probes(sinceMs = 0) {
      if (!existsSync(probeFile)) return [];
      return readFileSync(probeFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((p) => p.t >= sinceMs);
    },
    rssKb: () => rssKb(proc.pid!),
    stop: () => proc.stop(),
  };
}

export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s on Linux). */
export function cpuSeconds(pid: number | null | undefined): number {
  if (!pid) return NaN;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return NaN; }
}

export function mosquittoPid(): number | null {
  try {
    const out = execFileSync('pgrep', ['-x', 'mosquitto'], { encoding: 'utf8' }).trim().split('\n')[0];
    return out ? Number(out) : null;
  } catch { return null; }
}

export async function mosquittoUp(): Promise<boolean> {
  try { const c = await LiteClient.connect({ ...MOSQUITTO, clientId: `bench-probe-${process.pid}`, timeoutMs: 2000 }); c.end(); return true; } catch { return false; }
}

/** Connects many lite clients, `parallel` at a time, retrying failures with backoff. */
export async function connectPool(n: number, make: (i: number) => Parameters<typeof LiteClient.connect>[0], parallel = 200): Promise<LiteClient[]> {
  const out = new Array<LiteClient>(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        try { out[i] = await LiteClient.connect({ localAddress: localAddr(i), ...make(i) }); break; } catch (err) {
          if (attempt > 20) throw err;
          await sleep(Math.min(5000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
  return out;
}

export function hubDevice(h: BenchHub, i: number) {
  const c = h.creds[i];
  return { host: '127.0.0.1', port: h.proc.mqttPort, clientId: c.id, username: c.id, password: c.secret,
    will: { topic: `anxin/v1/dev/${c.id}/state`, payload: 'offline', qos: 1 as const, retain: true } };
}

export const refDevice = (i: number) => ({ ...MOSQUITTO, clientId: `bench-ref-${process.pid}-${i}` });

/** Console sockets for a logged-in admin; `onChange(recvAt, text)` per change frame. */
export async function openConsoles(httpUrl: string, n: number, onFrame: (text: string, at: number) => void, path = '/ws', tokens?: string[]): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  // One login for all: each login costs a scrypt (tens of ms); a session may hold many sockets.
  const shared = tokens ? null : (await httpJson(httpUrl, 'POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' })).token;
  for (let i = 0; i < n; i++) {
    const token = tokens?.[i] ?? shared;
    const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}${path}?token=${token}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (d) => {
        const text = d.toString();
        if (text.startsWith('{"type":"snapshot"') || text.startsWith('{"type":"ready"')) resolve();
        else onFrame(text, performance.now());
      });
    });
    out.push(ws);
  }
  return out;
}

export function closeAll(clients: (LiteClient | undefined)[], graceful = true): void {
  for (const c of clients) if (c) graceful ? c.end() : c.destroy();
}

/**
 * Calls `fire` at the arrival times of a Poisson process of `perS` a second: the gaps are exponential, drawn
 * from a seeded generator, so every run (hub and reference alike) is offered the same times. Presses come
 * from independent devices: at random, now and then close together, never in lockstep. A 1 ms timer fires
 * every arrival that is due; a late timer catches up instead of under-sending. Until 2026-12-01 a 10 ms
 * timer fired every press due at once, so benchmark 2 sent its 200/s as pairs in the same instant (the
 * second press of each pair shared the first one's commit and delayed its push) and benchmark 1 its
 * 10,000/s as bursts of 100 (bench/README.md, item 46).
 */
export function pace(perS: number, fire: () => void, seed = 0x5eed): { stop(): void; sent(): number } {
  const start = performance.now();
  let state = seed >>> 0;
  const uniform = () => { // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gapMs = () => (-Math.log(1 - uniform()) * 1000) / perS;
  let sent = 0;
  let nextAt = gapMs();
  const t = setInterval(() => {
    const now = performance.now() - start;
    while (nextAt <= now) {
      fire();
      sent++;
      nextAt += gapMs();
    }
  }, 1);
  return { stop: () => clearInterval(t), sent: () => sent };
}
