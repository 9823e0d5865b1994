/**
 * What an edited household costs when many calls are open (a mass event): the hub redraws each
 * open call of that household (AlertService.householdEdited: found through the open alerts' index,
 * a new version and a timeline entry each, one change per call to the consoles). N open calls spread
 * over the demo devices' 12 households, so the household edited has N / 12 of them (a worst case: a real
 * household has one or two); and a household with none, whose edit pays only the search. For each:
 * the PUT's round trip (median of 5) and the longest event-loop pause meanwhile (perf_hooks, 1 ms).
 * Then the busiest grid renamed (PATCH /api/grid/:id, alerts/open-call-redraw.ts): each of its open
 * calls (10 of the 12 households are in it) shows its name and is redrawn; the round trip, the
 * pause, and how long until a console has received every redrawn call.
 * Not a test: a figure. Run: npx tsx bench/household-edit-cost.ts [N ...]   (default: 1000 11000)
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { massEventHub, runSizes } from './mass-seed.ts';

const REPEATS = 5;

async function measure(n: number): Promise<Record<string, number>> {
  const { hub, dir, token } = await massEventHub(n, Date.now() + 3_600_000);
  const base = `http://127.0.0.1:${hub.ports.http}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<any>;
  };
  const busy = hub.store.devices.householdOf('demo-0001')!;
  const grid = hub.store.households.get(busy)!.gridId;
  const quiet = (await call('POST', '/api/households', { gridId: grid, address: '无呼叫的住户 1 号', residents: [{ name: '甲' }], contacts: [] })).household.id as number;
  const h = monitorEventLoopDelay({ resolution: 1 });

  const edit = async (id: number) => {
    const hh = (await call('GET', `/api/households/${id}`)).household;
    const ms: number[] = [];
    let redrawn = 0;
    h.reset(); h.enable();
    for (let i = 0; i < REPEATS; i++) {
      const t0 = performance.now();
      redrawn = (await call('PUT', `/api/households/${id}`, { ...hh, id: undefined, gridId: hh.gridId, accessNote: `钥匙 ${i}` })).openCallsRedrawn;
      ms.push(performance.now() - t0);
    }
    h.disable();
    ms.sort((a, b) => a - b);
    return { redrawn, ms: +ms[Math.floor(REPEATS / 2)].toFixed(1), pause: +(h.max / 1e6).toFixed(1) };
  };
  const withCalls = await edit(busy);
  const without = await edit(quiet);

  // The busiest grid renamed: a console counts the redrawn calls as they arrive.
  const renamedGrid = grid;
  const ws = new WebSocket(`ws://127.0.0.1:${hub.ports.http}/ws?token=${token}`);
  await new Promise<void>((resolve) => ws.on('message', function first(d) { if (String(d).startsWith('{"type":"snapshot') && /"remaining":0/.test(String(d).slice(0, 200))) { ws.off('message', first); resolve(); } }));
  let seen = 0;
  // The calls whose card shows the grid's name: those raised there (all at level 0 here).
  const expected = hub.store.alerts.openUnder(renamedGrid).filter((a) => a.gridId === renamedGrid).length;
  const allSeen = new Promise<number>((resolve) => ws.on('message', (d) => {
    // One change frame per redrawn call (nothing else changes here: the calls' deadlines are an hour away).
    seen += (String(d).slice(0, 40).match(/"type":"change"/g) ?? []).length;
    if (seen >= expected) resolve(performance.now());
  }));
  h.reset(); h.enable();
  const t0 = performance.now();
  const renamed = await call('PATCH', `/api/grid/${renamedGrid}`, { name: '改名后的网格' });
  const patchMs = performance.now() - t0;
  const arrivedMs = (await Promise.race([allSeen, new Promise<number>((r) => setTimeout(() => r(Number.NaN), 60_000))])) - t0;
  h.disable();
  ws.close();
  if (!renamed.node) throw new Error('rename failed');
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
  return { open: n, redrawn: withCalls.redrawn, putMs: withCalls.ms, pauseMs: withCalls.pause, noCallsPutMs: without.ms, noCallsPauseMs: without.pause,
    renamePatchMs: +patchMs.toFixed(1), renameAllOnConsoleMs: +arrivedMs.toFixed(1), renameRedrawn: seen, renamePauseMs: +(h.max / 1e6).toFixed(1) };
}

if (import.meta.url === `file://${process.argv[1]}`) await runSizes([1000, 11_000], measure);
