/**
 * `npx tsx bench/street-office-cost.ts [HOUSEHOLDS]`: the hub at the size of a street office's
 * organisation, not only its fleet. The demo has one community, two grids and four staff; a street
 * office has communities by the dozen, grids by the hundred, staff on day and night shifts, and a
 * year of roster overrides (leave, swaps). Seeded straight into the store of a hub in this process:
 * 15 communities × 20 grids, two 网格员 per grid (day 08–20, night 20–08) and a leader per
 * community on duty all day, 20 past overrides per grid and one running now, HOUSEHOLDS (default
 * 10,000) households with a resident, two contacts and a button, spread over the grids.
 * Measured, before and after the organisation is seeded:
 * - a new call's commit (what its ack waits for), 1,000 presses from distinct devices, ms;
 * - each admin page's request, and the hub's longest event-loop pause while it was served.
 * Not a test: a figure.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { massEventHub } from './mass-seed.ts';
import { hashSecretSync } from '../dispatcher/auth/secrets.ts';
import { EVERY_DAY } from '../dispatcher/domain/roster.ts';

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

/** The request from a worker thread, so that reading a megabyte answer is not counted as the hub's pause. */
const client = new Worker(`
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', async ({ url, token }) => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
    const bytes = (await res.arrayBuffer()).byteLength;
    parentPort.postMessage({ status: res.status, bytes, ms: performance.now() - t });
  });`, { eval: true });
const fetchElsewhere = (url: string) => new Promise<{ status: number; bytes: number; ms: number }>((resolve) => {
  client.once('message', resolve);
  client.postMessage({ url, token });
});

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

function seedOrganisation(): { devices: string[]; grids: number[] } {
  const now = Date.now();
  const street = s.grid.list().find((g) => g.level === 'street')!;
  const pw = hashSecretSync('street-office-pass');
  const grids: number[] = [];
  const devices: string[] = [];
  s.tx(() => {
    for (let c = 1; c <= 15; c++) {
      const community = s.grid.add(street.id, `第${c}社区`, 'community');
      const leader = s.staff.create({ username: `leader-${c}`, displayName: `社区网格长 ${c}`, role: 'leader', scopeNodeId: community.id, phone: '' }, pw, now);
      s.rosters.addShift(community.id, { staffId: leader.id, weekdays: EVERY_DAY, startMin: 0, endMin: 1440 });
      for (let g = 1; g <= 20; g++) {
        const grid = s.grid.add(community.id, `第${c}社区第${g}网格`, 'grid');
        grids.push(grid.id);
        const [day, night] = ['day', 'night'].map((k) => s.staff.create({ username: `g-${c}-${g}-${k}`, displayName: `网格员 ${c}-${g} ${k}`, role: 'staff', scopeNodeId: grid.id, phone: '' }, pw, now));
        s.rosters.addShift(grid.id, { staffId: day.id, weekdays: EVERY_DAY, startMin: 480, endMin: 1200 });
        s.rosters.addShift(grid.id, { staffId: night.id, weekdays: EVERY_DAY, startMin: 1200, endMin: 480 });
        for (let o = 0; o < 20; o++) {
          const startsAt = now - (o + 1) * 18 * 86_400_000;
          s.rosters.addOverride(grid.id, { staffId: day.id, startsAt, endsAt: startsAt + 86_400_000, onDuty: false });
        }
        s.rosters.addOverride(grid.id, { staffId: night.id, startsAt: now - 3_600_000, endsAt: now + 3_600_000, onDuty: true });
      }
    }
    for (let i = 0; i < HOUSEHOLDS; i++) {
      const h = s.households.create({ gridId: grids[i % grids.length], address: `第 ${i} 户`, accessNote: '',
        residents: [{ name: `住户 ${i}`, age: 80, phone: '', medicalNote: '' }],
        contacts: [{ name: `女儿 ${i}`, relation: '女儿', phone: '13800000000' }, { name: `邻居 ${i}`, relation: '邻居', phone: '13900000000' }] }, now);
      const id = `so-${i}`;
      s.devices.create({ id, kind: 'mqtt-button', householdId: h.id }, null, now);
      devices.push(id);
    }
  });
  s.households.forgetCache();
  s.rosters.forgetCache();
  s.staff.forgetCache();
  return { devices, grids };
}

// Before: the demo organisation with a thin fleet of the same size in one grid.
const demoGrid = s.grid.list().find((g) => g.name === '第一网格')!;
s.tx(() => { for (let i = 0; i < HOUSEHOLDS; i++) s.devices.create({ id: `thin-${i}`, kind: 'mqtt-button', householdId: 1 + (i % 20) }, null, Date.now()); });
const thin = { presses: await presses(Array.from({ length: 1000 }, (_, i) => `thin-${i * 7}`)), pages: await pages(demoGrid.id) };
const t0 = performance.now();
const org = seedOrganisation();
const seedS = (performance.now() - t0) / 1000;
const big = { presses: await presses(Array.from({ length: 1000 }, (_, i) => org.devices[(i * 37) % org.devices.length])), pages: await pages(org.grids[17]) };
console.log(JSON.stringify({ households: HOUSEHOLDS, grids: s.grid.list().length, staff: s.staff.count(), seedS: +seedS.toFixed(1), thin, streetOffice: big }, null, 1));
await client.terminate();
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
