/**
 * `npx tsx bench/duty-board-cost.ts [COMMUNITIES] [GRIDS]`: what an open duty page costs the hub at a
 * street office's size. COMMUNITIES communities (default 10) of GRIDS grids each (default 10) under
 * the demo street, two grid workers per grid on day and night shifts, a leader per community on duty
 * around the clock, one worker in ten on leave today, and half of them with a console open (marked
 * present in the hub's duty desk rather than with real sockets: presence is what the board reads).
 * The page asks GET /api/duty every 15 s and GET /api/staff when opened. Times each request as the
 * admin, from a worker thread (7 each, one after another: p50, max, size), and the hub's longest
 * event-loop pause meanwhile, beside the idle hub's over 6 s. The hub runs in this process.
 */
import { rmSync } from 'node:fs';
import { massEventHub } from './mass-seed.ts';
import { FetchElsewhere, idlePause, timeGets } from './fetch-elsewhere.ts';
import { EVERY_DAY } from '../dispatcher/domain/roster.ts';

const COMMUNITIES = Number(process.argv[2] ?? 10);
const GRIDS = Number(process.argv[3] ?? 10);
const { hub, dir, token } = await massEventHub(0, Date.now());
const s = hub.store;
const now = Date.now();
const street = s.grid.list().find((n) => n.level === 'street')!;
let workers = 0;
s.tx(() => {
  for (let c = 0; c < COMMUNITIES; c++) {
    const community = s.grid.add(street.id, `社区 ${c}`, 'community');
    const leader = s.staff.create({ username: `lead-${c}`, displayName: `网格长 ${c}`, role: 'leader', scopeNodeId: community.id, phone: '13800000000' }, 'x', now);
    s.rosters.addShift(community.id, { staffId: leader.id, weekdays: EVERY_DAY, startMin: 0, endMin: 1440 });
    for (let g = 0; g < GRIDS; g++) {
      const grid = s.grid.add(community.id, `网格 ${c}-${g}`, 'grid');
      for (const [k, [start, end]] of [[480, 1200], [1200, 480]].entries()) {
        const w = s.staff.create({ username: `w-${c}-${g}-${k}`, displayName: `网格员 ${c}-${g}-${k}`, role: 'staff', scopeNodeId: grid.id, phone: '13800000000' }, 'x', now);
        s.rosters.addShift(grid.id, { staffId: w.id, weekdays: EVERY_DAY, startMin: start, endMin: end });
        if (workers % 10 === 0) s.rosters.addOverride(grid.id, { staffId: w.id, startsAt: now - 3_600_000, endsAt: now + 86_400_000, onDuty: false });
        if (workers % 2 === 0) hub.duty.consoleDelta(w.id, 1);
        workers++;
      }
    }
  }
});

const client = new FetchElsewhere();
const time = (path: string) => timeGets(client, `http://127.0.0.1:${hub.ports.http}${path}`, token);
console.log(`${s.grid.list().length} grid nodes, ${s.staff.list().length} staff accounts (${workers} grid workers)`);
console.log(await idlePause());
console.log(await time('/api/duty'));
console.log(await time('/api/staff'));
console.log(await time('/api/grid'));
await client.close();
await hub.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
