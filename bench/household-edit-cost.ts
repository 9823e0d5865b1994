/**
 * What an edited household costs when many calls are open (a mass event): the hub redraws each
 * open call of that household (AlertService.householdEdited: found through the open alerts' index,
 * a new version and a timeline entry each, one change per call to the consoles). N open calls spread
 * over the demo devices' 12 households, so the household edited has N / 12 of them (a worst case: a real
 * household has one or two); and a household with none, whose edit pays only the search. For each:
 * the PUT's round trip (median of 5) and the longest event-loop pause meanwhile (perf_hooks, 1 ms).
 * Then the community renamed (PATCH /api/grid/:id, alerts/open-call-redraw.ts): every one of the N open
 * calls is under it and shows its name, so each is redrawn; the round trip, the pause, and how long
 * until a console has received all N redrawn calls.
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

  // The community renamed: a console counts the redrawn calls as they arrive.
  const community = hub.store.grid.list().find((x) => x.level === 'community')!;
  const ws = new WebSocket(`ws://127.0.0.1:${hub.ports.http}/ws?token=${token}`);
  await new Promise<void>((resolve) => ws.on('message', function first(d) { if (String(d).startsWith('{"type":"snapshot') && /"remaining":0/.test(String(d).slice(0, 200))) { ws.off('message', first); resolve(); } }));
  let seen = 0;
  const allSeen = new Promise<number>((resolve) => ws.on('message', (d) => {
    const text = String(d);
    if (text.includes('"type":"change"') && text.includes('"levelName"')) seen += (text.match(/"改名后的社区"/g) ?? []).length > 0 ? 1 : 0;
    if (seen >= n) resolve(performance.now());
  }));
  h.reset(); h.enable();
  const t0 = performance.now();
  const renamed = await call('PATCH', `/api/grid/${community.id}`, { name: '改名后的社区' });
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
