/**
 * `npx tsx bench/street-office-consoles.ts`: every console of a street office open at once, and its
 * calls escalating through the tree. The organisation is street-office-seed.ts (300 grids, 600
 * 网格员, 15 leaders) seeded into a hub in this process; the consoles are `ws` clients in a worker
 * thread, one per staff member with a session of their own, plus one admin's. Presses go straight to
 * the hub's ingest at 200 a second from distinct devices; a press's time is taken as it is handed
 * over, each receipt as a console reads the change (both on the process's wall clock).
 *
 * 1. thin: only the 20 consoles of community 1's grids 1–10 are open; presses on those grids.
 * 2. crowded: all 616 consoles open (the connect storm's figures: every console's snapshot); presses
 *    on community 1's grids 11–20, which look like grids 1–10. 1 against 2 is what 596 more open
 *    consoles cost the two that must hear of a call.
 * 3. spread: presses over all 300 grids; receipts at the grid's own consoles, its community
 *    leader's and the admin's.
 * 4. escalation: every grid escalates after ESC_S seconds; presses over all grids; nobody accepts.
 *    The lateness of each call's arrival on its leader's console at level 1 after its deadline, and
 *    the calls it reached.
 * 5. mass event: MASS (10,000) more open calls all over the street office, and all 616 consoles
 *    reconnecting at once; how long until every snapshot is complete, and a device's presses'
 *    commits (what its acks wait for) meanwhile.
 * With all consoles open, also what one duty hint (push/duty-hint.ts: a small frame to every open
 * console) costs the event loop, the median of 21, and one for a grid worker's console opening
 * (only the consoles above, on or below their grid: gridDutyHint).
 * The hub's longest event-loop pause is given for each phase. Not a test: a figure.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { massEventHub, seedOpenCalls, steadyPresser } from './mass-seed.ts';
import { seedStreetOffice, GRIDS_PER_COMMUNITY } from './street-office-seed.ts';

const RATE = 200, PRESSES = 1000, ESC_S = 3, MASS = 10_000;

/** One duty hint to every open console, timed on the event loop; the median of 21 sends. */
function dutyHintCost(areas: readonly string[] | null = null): number {
  const ms = Array.from({ length: 21 }, () => { const t = performance.now(); hub.socket.pushDutyHint(areas); return performance.now() - t; }).sort((a, b) => a - b);
  return Number(ms[10].toFixed(2));
}
/** A grid worker's console opening: the hint for their grid's area, its time and how many consoles it reaches. */
function gridHint(): { ms: number; consoles: number } {
  const area = s.grid.find(org.grids[0])!.path;
  return { ms: dutyHintCost([area]), consoles: hub.socket.pushDutyHint([area]) };
}
const { hub, dir, token: adminToken } = await massEventHub(0, Date.now());
const s = hub.store;
// Community 1's 20 grids hold 100 households each, for phases 1 and 2; the other 280 grids 8 each.
const perGrid = (g: number) => (g < GRIDS_PER_COMMUNITY ? 100 : 8);
const slots: number[] = [];
for (let g = 0; g < 300; g++) for (let k = 0; k < perGrid(g); k++) slots.push(g);
const org = seedStreetOffice(s, slots.length, (i) => slots[i]);
const devicesOf = (grids: (g: number) => boolean) => org.devices.filter((_, i) => grids(org.gridIndexOf[i]));
const wall = () => performance.timeOrigin + performance.now();

const WORKER = `
const { parentPort } = require('node:worker_threads');
const WebSocket = require('ws');
const wall = () => performance.timeOrigin + performance.now();
const seen = [], socks = [];
let snapshots = [];
parentPort.on('message', (m) => {
  if (m.cmd === 'take') { parentPort.postMessage({ seen: seen.splice(0), snapshots: snapshots.splice(0) }); return; }
  if (m.cmd === 'close') {
    let open = socks.length;
    for (const ws of socks.splice(0)) { ws.on('close', () => { if (--open === 0) parentPort.postMessage({ closed: true }); }); ws.close(); }
    return;
  }
  const t0 = wall();
  let opened = 0;
  for (const c of m.consoles) {
    const ws = new WebSocket(m.url + '?token=' + c.token);
    socks.push(ws);
    let first = 0;
    ws.on('message', (data) => {
      const head = data.subarray(0, 40).toString();
      if (head.startsWith('{"type":"change"')) {
        const a = JSON.parse(data.toString()).alert;
        seen.push({ who: c.who, deviceId: a.deviceId, level: a.level, at: wall() });
      } else if (head.startsWith('{"type":"snapshot')) {
        if (!first) first = wall() - t0;
        if (/"remaining":0[,}]/.test(data.subarray(0, 200).toString())) {
          snapshots.push({ firstMs: first, lastMs: wall() - t0 });
          if (++opened === m.consoles.length) parentPort.postMessage({ opened });
        }
      }
    });
    ws.on('error', (e) => parentPort.postMessage({ error: c.who + ': ' + e.message }));
  }
});`;
const worker = new Worker(WORKER, { eval: true });
type Seen = { who: string; deviceId: string; level: number; at: number };
const reply = <T>(): Promise<T> => new Promise((resolve, reject) => worker.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m))));
const take = () => { const r = reply<{ seen: Seen[]; snapshots: { firstMs: number; lastMs: number }[] }>(); worker.postMessage({ cmd: 'take' }); return r; };

async function open(consoles: { who: string; staffId: number | null }[]): Promise<{ consoles: number; allSnapshotsMs: number; pauseMs: number }> {
  const now = Date.now();
  const list = consoles.map((c) => ({ who: c.who, token: c.staffId === null ? adminToken : s.staff.openSession(c.staffId, now, 3_600_000).token }));
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const done = reply<{ opened: number }>();
  worker.postMessage({ url: `ws://127.0.0.1:${hub.ports.http}/ws`, consoles: list });
  await done;
  h.disable();
  const { snapshots } = await take();
  return { consoles: list.length, allSnapshotsMs: +Math.max(...snapshots.map((x) => x.lastMs)).toFixed(1), pauseMs: +(h.max / 1e6).toFixed(1) };
}

let seq = 1;
/** PRESSES presses at RATE/s from distinct devices; the time each was handed to the hub, by device. */
async function press(devices: string[]): Promise<{ pressedAt: Map<string, number>; pauseMs: number }> {
  const pressedAt = new Map<string, number>();
  const commits: Promise<unknown>[] = [];
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  for (let i = 0; i < PRESSES; i++) {
    const due = t0 + (i * 1000) / RATE;
    while (performance.now() < due) await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const deviceId = devices[i];
    pressedAt.set(deviceId, wall());
    commits.push(hub.ingest.commitEvent({ kind: 'device-event', deviceId, seq: seq++, type: 'press', deviceTs: null, receivedAt: Date.now(), via: 'bench' }));
  }
  await Promise.all(commits);
  await new Promise((r) => setTimeout(r, 500));
  h.disable();
  return { pressedAt, pauseMs: +(h.max / 1e6).toFixed(1) };
}

const pct = (xs: number[], q: number) => (xs.length ? +[...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))].toFixed(2) : NaN);
const dist = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 0.5), p99: pct(xs, 0.99), max: pct(xs, 1) });

/** Press → first receipt of the call, at level 0, on the consoles `who` picks, one figure per press. */
function latency(seen: Seen[], pressedAt: Map<string, number>, who: (w: string) => boolean) {
  const first = new Map<string, number>();
  for (const x of seen) if (x.level === 0 && who(x.who) && pressedAt.has(x.deviceId) && !first.has(x.deviceId)) first.set(x.deviceId, x.at - pressedAt.get(x.deviceId)!);
  return { ...dist([...first.values()]), missing: pressedAt.size - first.size };
}

const community = (gi: number) => Math.floor(gi / GRIDS_PER_COMMUNITY) + 1;
const gridWho = (gi: number) => [`g-${community(gi)}-${(gi % GRIDS_PER_COMMUNITY) + 1}-day`, `g-${community(gi)}-${(gi % GRIDS_PER_COMMUNITY) + 1}-night`];
const staffConsoles = (grids: number[]) => grids.flatMap((gi) => gridWho(gi).map((who, k) => ({ who, staffId: org.gridStaff[gi][k] })));
const gridOfDevice = new Map(org.devices.map((d, i) => [d, org.gridIndexOf[i]]));
const ownGrid = (deviceId: string, who: string) => gridWho(gridOfDevice.get(deviceId)!).includes(who);
/** Press → receipt at the pressed grid's own two consoles (the first of them). */
function ownLatency(seen: Seen[], pressedAt: Map<string, number>) {
  return latency(seen.filter((x) => pressedAt.has(x.deviceId) && ownGrid(x.deviceId, x.who)), pressedAt, () => true);
}

// 1. thin
const firstTen = Array.from({ length: 10 }, (_, g) => g);
const thinOpen = await open(staffConsoles(firstTen));
const p1 = await press(devicesOf((g) => g < 10));
const thin = { consoles: thinOpen, pauseMs: p1.pauseMs, ownConsole: ownLatency((await take()).seen, p1.pressedAt) };

// 2. crowded: everybody else opens a console at once.
const rest = [...staffConsoles(Array.from({ length: 290 }, (_, g) => g + 10)), ...org.leaders.map((id, c) => ({ who: `leader-${c + 1}`, staffId: id })), { who: 'admin', staffId: null }];
const storm = await open(rest);
const p2 = await press(devicesOf((g) => g >= 10 && g < 20));
const crowded = { consoles: storm, pauseMs: p2.pauseMs, ownConsole: ownLatency((await take()).seen, p2.pressedAt), dutyHintMs: dutyHintCost(), gridDutyHint: gridHint() };

// 3. spread over all grids (the other communities' devices, one or two per grid).
const others = devicesOf((g) => g >= 20);
const spreadDevices = others.filter((_, i) => i % 2 === 0).slice(0, PRESSES);
const p3 = await press(spreadDevices);
const seen3 = (await take()).seen;
const spread = {
  pauseMs: p3.pauseMs,
  ownConsole: ownLatency(seen3, p3.pressedAt),
  leaderConsole: latency(seen3, p3.pressedAt, (w) => w.startsWith('leader-')),
  adminConsole: latency(seen3, p3.pressedAt, (w) => w === 'admin'),
};

// 4. escalation: new calls climb after ESC_S seconds.
s.tx(() => { for (const id of org.grids) s.grid.setEscalateAfter(id, ESC_S); });
const escDevices = others.filter((_, i) => i % 2 === 1).slice(0, PRESSES);
const p4 = await press(escDevices);
await new Promise((r) => setTimeout(r, ESC_S * 1000 + 1000));
const seen4 = (await take()).seen;
const climbed = new Map<string, number>();
for (const x of seen4) if (x.level === 1 && x.who.startsWith('leader-') && p4.pressedAt.has(x.deviceId) && !climbed.has(x.deviceId)) climbed.set(x.deviceId, x.at - p4.pressedAt.get(x.deviceId)! - ESC_S * 1000);
const escalation = { escalateAfterS: ESC_S, pauseMsWhilePressing: p4.pauseMs, leaderAtLevel1LateMs: { ...dist([...climbed.values()]), missing: p4.pressedAt.size - climbed.size } };

// 5. a mass event: MASS more calls open all over the street office, and every console reconnects at once
// (as after a hub restart); a device keeps pressing through it.
const closed = reply<{ closed: boolean }>();
worker.postMessage({ cmd: 'close' });
await closed;
seedOpenCalls(s, MASS, Date.now(), Date.now() + 3_600_000);
const openNow = s.alerts.openCount();
const presser = steadyPresser(hub);
const reconnect = await open([...staffConsoles(Array.from({ length: 300 }, (_, g) => g)), ...org.leaders.map((id, c) => ({ who: `leader-${c + 1}`, staffId: id })), { who: 'admin', staffId: null }]);
const commitMs = await presser.stop();
await take();
const massEvent = { openCalls: openNow, reconnect, pressCommitMs: dist(commitMs) };

console.log(JSON.stringify({ machine: `${(await import('node:os')).cpus()[0].model}, ${(await import('node:os')).cpus().length} cores`, grids: s.grid.list().length, staff: s.staff.count(), households: org.devices.length, rate: RATE, presses: PRESSES, thin, crowded, spread, escalation, massEvent }, null, 1));
await worker.terminate();
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
