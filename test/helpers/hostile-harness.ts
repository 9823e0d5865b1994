/**
 * The frame every hostile-input case runs in: a legitimate device pressing 10 times a second
 * alongside the attack, then checks that nothing was lost, acks stayed fast, the hub still
 * serves, and its memory did not grow by more than the budget.
 *
 * Memory: the hub runs in-process, so the figure is this process's V8 heap + ArrayBuffers
 * after a forced full GC (rss never shrinks and mostly measures allocator slack). GC is
 * exposed at run time with v8.setFlagsFromString('--expose-gc'), so the shared vitest
 * config needs no execArgv. Attack-side buffers are released before the second sample.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'vitest';
import { startTestHub, type TestHub } from './hub-harness.ts';
import type { SimDevice, PressResult } from '../../simulator/sim-device.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export const MEMORY_BUDGET_BYTES = 20 * 1024 * 1024;
export const ACK_P99_BUDGET_MS = 2000;

export async function memSample(): Promise<{ heap: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** 10 presses a second from one device, each awaited until its ack. */
export class PressStream {
  private timer: NodeJS.Timeout | null = null;
  private readonly pending = new Set<Promise<PressResult>>();
  readonly results: PressResult[] = [];
  readonly seqs: number[] = [];
  sent = 0;

  constructor(readonly device: SimDevice, readonly perSecond = 10) {}

  start(): void {
    this.timer = setInterval(() => {
      const p = this.device.send('press');
      this.seqs.push(this.device.lastSeq());
      this.sent++;
      this.pending.add(p);
      p.then((r) => { this.results.push(r); this.pending.delete(p); });
    }, 1000 / this.perSecond);
  }

  /** Stops sending and waits (bounded) for the outstanding acks. */
  async stop(graceMs = 15_000): Promise<{ sent: number; acked: number; p99: number; max: number }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = Date.now() + graceMs;
    while (this.pending.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const rtts = this.results.map((r) => r.rttMs);
    return { sent: this.sent, acked: this.results.length, p99: Math.round(percentile(rtts, 99)), max: Math.round(Math.max(0, ...rtts)) };
  }
}

export interface CaseFigures { name: string; ms: number; sent: number; acked: number; stored: number; p99: number; heapDeltaMB: number; rssDeltaMB: number }
export const figures: CaseFigures[] = [];

/** Closes the stream device's open call so each case starts from a quiet queue. */
async function quietQueue(t: TestHub, adminToken: string, deviceId: string): Promise<void> {
  const r = await t.api('GET', '/api/alerts', adminToken);
  for (const a of (r.body.alerts ?? []) as { id: string; deviceId: string; state: string }[]) {
    if (a.deviceId !== deviceId) continue;
    if (a.state === 'raised') await t.api('POST', `/api/alerts/${a.id}/ack`, adminToken);
    await t.api('POST', `/api/alerts/${a.id}/resolve`, adminToken, { outcome: 'false_alarm', note: 'hostile-input test stream' });
  }
}

export interface CaseContext { t: TestHub; stream: SimDevice; adminToken: string }

/**
 * Runs one attack with the legitimate stream alongside and asserts the invariants.
 * `minMs` keeps the stream running for at least that long even if the attack is quick.
 */
export async function hostileCase(ctx: CaseContext, name: string, attack: () => Promise<void>, opts: { minMs?: number; memoryBudget?: number } = {}): Promise<CaseFigures> {
  const { t, stream, adminToken } = ctx;
  await quietQueue(t, adminToken, stream.opts.id);
  const before = await memSample();
  const started = Date.now();
  const ps = new PressStream(stream);
  let stats = { sent: 0, acked: 0, p99: 0, max: 0 };
  ps.start();
  try {
    await attack();
    const left = (opts.minMs ?? 2500) - (Date.now() - started);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
  } finally {
    stats = await ps.stop();
  }
  const s = stats;
  const ms = Date.now() - started;
  // Every acked (and every sent) press is in the store exactly once.
  const q = t.hub.store.db.prepare(`SELECT count(*) AS n FROM device_events WHERE device_id = ? AND seq IN (${ps.seqs.map(() => '?').join(',') || 'NULL'})`);
  const stored = (q.get(stream.opts.id, ...ps.seqs) as { n: number }).n;
  const health = await t.api('GET', '/healthz');
  const after = await memSample();
  const f: CaseFigures = {
    name, ms, sent: s.sent, acked: s.acked, stored, p99: s.p99,
    heapDeltaMB: +((after.heap - before.heap) / 1048576).toFixed(2), rssDeltaMB: +((after.rss - before.rss) / 1048576).toFixed(2),
  };
  figures.push(f);
  expect(health.status, `${name}: hub still serving`).toBe(200);
  expect(s.sent, `${name}: the stream ran`).toBeGreaterThan(0);
  expect(s.acked, `${name}: 0 presses lost (acked)`).toBe(s.sent);
  expect(stored, `${name}: 0 presses lost (stored once each)`).toBe(s.sent);
  expect(s.p99, `${name}: ack p99`).toBeLessThan(ACK_P99_BUDGET_MS);
  expect(after.heap - before.heap, `${name}: memory growth`).toBeLessThan(opts.memoryBudget ?? MEMORY_BUDGET_BYTES);
  return f;
}

export function printFigures(title: string): void {
  // eslint-disable-next-line no-console
  console.log(`\n${title}\n${figures.map((f) => `  ${f.name.padEnd(58)} ${String(f.ms).padStart(6)} ms  sent ${f.sent} acked ${f.acked} stored ${f.stored}  p99 ${f.p99} ms  heap ${f.heapDeltaMB} MB  rss ${f.rssDeltaMB} MB`).join('\n')}`);
}

export interface HostileHub extends CaseContext {
  /** Devices provisioned for attacks (grid 1), with their secrets; demo-0001 is the stream. */
  spare: { id: string; secret: string }[];
}

/** A hub with the demo data, a stream device (demo-0001), an admin token and `spares` fresh devices. */
export async function startHostileHub(env: Record<string, string> = {}, spares = 60): Promise<HostileHub> {
  const t = await startTestHub({ env });
  const adminToken = await t.login('admin');
  const hh = await t.api('GET', '/api/households', adminToken);
  const householdId = (hh.body.households as { id: number }[])[0].id;
  const bulk = await t.api('POST', '/api/devices/bulk', adminToken, { prefix: 'hx-', count: spares, householdIds: [householdId] });
  if (bulk.status !== 201) throw new Error(`bulk provisioning: ${bulk.status} ${JSON.stringify(bulk.body)}`);
  const stream = await t.device('demo-0001');
  return { t, stream, adminToken, spare: bulk.body.devices };
}
