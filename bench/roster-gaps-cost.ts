/**
 * `npx tsx bench/roster-gaps-cost.ts`: GET /api/duty/gaps for a whole street office (the 300 grids
 * and 15 communities of street-office-seed.ts, each grid with a day and a night worker and their
 * overrides, 10,000 households), as its admin for 7 and for 14 days, and as a grid worker for 7:
 * the request's time (median of 5) and the hub's longest event-loop pause meanwhile. Built in the
 * hub's thread.
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { massEventHub } from './mass-seed.ts';
import { seedStreetOffice, STREET_OFFICE_PASSWORD } from './street-office-seed.ts';

const { hub, dir, token } = await massEventHub(0, Date.now());
const org = seedStreetOffice(hub.store, 10_000);
// Leave for a tenth of the day workers next week, so there are gaps to report.
const now = Date.now();
hub.store.tx(() => org.gridStaff.forEach(([day], i) => {
  if (i % 10 === 0) hub.store.rosters.addOverride(org.grids[i], { staffId: day, startsAt: now + 86_400_000, endsAt: now + 3 * 86_400_000, onDuty: false });
}));
// A grid worker's page asks for its own grid: the chain of four nodes above it.
const worker = (await (await fetch(`http://127.0.0.1:${hub.ports.http}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'g-1-1-day', password: STREET_OFFICE_PASSWORD }) })).json()).token as string;
for (const [who, days, bearer] of [['the admin', 7, token], ['the admin', 14, token], ['a grid worker', 7, worker]] as const) {
  const pause = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  let body: { starts: number; nodes: unknown[]; summary: { withGaps: number; reachNobody: number } } | undefined;
  pause.enable();
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${hub.ports.http}/api/duty/gaps?days=${days}`, { headers: { authorization: `Bearer ${bearer}` } });
    body = await res.json();
    times.push(performance.now() - t);
  }
  pause.disable();
  times.sort((a, b) => a - b);
  console.log(`${who}, ${days} days, ${body!.starts} nodes where calls are raised, ${body!.summary.withGaps} with gaps (${body!.summary.reachNobody} reaching nobody): ${times[2].toFixed(1)} ms a request (median of 5; ${times[0].toFixed(1)}-${times[4].toFixed(1)}), longest pause ${(pause.max / 1e6).toFixed(1)} ms`);
}
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
