/**
 * A street office's organisation, seeded straight into a store (shared by the street-office
 * benchmarks): 15 communities × 20 grids under the demo's street node; two 网格员 per grid, day
 * (08–20, 20 days off over the past year) and night (20–08, called in for the hour around now, so
 * every grid has someone on duty whatever the hour); a leader per community on duty all day; and
 * households with a resident, two contacts and a button (`so-N`), placed on grids by `gridOf`
 * (round-robin by default).
 */
import type { Store } from '../dispatcher/store/store.ts';
import { hashSecretSync } from '../dispatcher/auth/secrets.ts';
import { EVERY_DAY } from '../dispatcher/domain/roster.ts';

export const COMMUNITIES = 15, GRIDS_PER_COMMUNITY = 20;
export const STREET_OFFICE_PASSWORD = 'street-office-pass';

export interface StreetOffice {
  /** Grid node ids, community by community. */
  grids: number[];
  /** Device ids, household by household, and the grid (index into `grids`) each is on. */
  devices: string[];
  gridIndexOf: number[];
  /** Staff ids: each grid's day and night 网格员, and each community's leader. */
  gridStaff: [number, number][];
  leaders: number[];
}

export function seedStreetOffice(s: Store, households: number, gridOf: (i: number, gridCount: number) => number = (i, n) => i % n): StreetOffice {
  const now = Date.now();
  const street = s.grid.list().find((g) => g.level === 'street')!;
  const pw = hashSecretSync(STREET_OFFICE_PASSWORD);
  const out: StreetOffice = { grids: [], devices: [], gridIndexOf: [], gridStaff: [], leaders: [] };
  s.tx(() => {
    for (let c = 1; c <= COMMUNITIES; c++) {
      const community = s.grid.add(street.id, `第${c}社区`, 'community');
      const leader = s.staff.create({ username: `leader-${c}`, displayName: `社区网格长 ${c}`, role: 'leader', scopeNodeId: community.id, phone: '' }, pw, now);
      out.leaders.push(leader.id);
      s.rosters.addShift(community.id, { staffId: leader.id, weekdays: EVERY_DAY, startMin: 0, endMin: 1440 });
      for (let g = 1; g <= GRIDS_PER_COMMUNITY; g++) {
        const grid = s.grid.add(community.id, `第${c}社区第${g}网格`, 'grid');
        out.grids.push(grid.id);
        const [day, night] = ['day', 'night'].map((k) => s.staff.create({ username: `g-${c}-${g}-${k}`, displayName: `网格员 ${c}-${g} ${k}`, role: 'staff', scopeNodeId: grid.id, phone: '' }, pw, now));
        out.gridStaff.push([day.id, night.id]);
        s.rosters.addShift(grid.id, { staffId: day.id, weekdays: EVERY_DAY, startMin: 480, endMin: 1200 });
        s.rosters.addShift(grid.id, { staffId: night.id, weekdays: EVERY_DAY, startMin: 1200, endMin: 480 });
        for (let o = 0; o < 20; o++) {
          const startsAt = now - (o + 1) * 18 * 86_400_000;
          s.rosters.addOverride(grid.id, { staffId: day.id, startsAt, endsAt: startsAt + 86_400_000, onDuty: false });
        }
        s.rosters.addOverride(grid.id, { staffId: night.id, startsAt: now - 3_600_000, endsAt: now + 3_600_000, onDuty: true });
      }
    }
    for (let i = 0; i < households; i++) {
      const g = gridOf(i, out.grids.length);
      const h = s.households.create({ gridId: out.grids[g], address: `第 ${i} 户`, accessNote: '',
        residents: [{ name: `住户 ${i}`, age: 80, phone: '', medicalNote: '' }],
        contacts: [{ name: `女儿 ${i}`, relation: '女儿', phone: '13800000000' }, { name: `邻居 ${i}`, relation: '邻居', phone: '13900000000' }] }, now);
      const id = `so-${i}`;
      s.devices.create({ id, kind: 'mqtt-button', householdId: h.id }, null, now);
      out.devices.push(id);
      out.gridIndexOf.push(g);
    }
  });
  s.households.forgetCache();
  s.rosters.forgetCache();
  s.staff.forgetCache();
  return out;
}
