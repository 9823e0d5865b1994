/**
 * The demo community's four RF buttons (issue 5). Idempotent: adds only what is missing, so it
 * also upgrades a demo database created before RF support.
 *   0x10001..0x10004, key 1 press, 2 cancel, 4 test → demo-rf-01..04 in the households of
 *   demo-0001, demo-0002 (第一网格) and demo-0011, demo-0012 (第二网格).
 */
import type { Store } from '../store/store.ts';
import { RfRepo } from './rf-repo.ts';
import { DEFAULT_KEYS } from './rf-service.ts';

export const DEMO_RF_BUTTONS = [
  { id: 'demo-rf-01', address: 0x10001, householdOf: 'demo-0001' },
  { id: 'demo-rf-02', address: 0x10002, householdOf: 'demo-0002' },
  { id: 'demo-rf-03', address: 0x10003, householdOf: 'demo-0011' },
  { id: 'demo-rf-04', address: 0x10004, householdOf: 'demo-0012' },
] as const;

export function seedDemoRf(store: Store, now: number): number {
  const repo = new RfRepo(store.db);
  let added = 0;
  store.tx(() => {
    for (const b of DEMO_RF_BUTTONS) {
      if (store.devices.get(b.id)) continue;
      const householdId = store.devices.get(b.householdOf)?.householdId;
      if (householdId == null) continue;
      store.devices.create({ id: b.id, kind: 'rf-button', householdId }, null, now);
      for (const [key, action] of Object.entries(DEFAULT_KEYS)) repo.bind({ address: b.address, key: Number(key), deviceId: b.id, action }, now, false);
      added++;
    }
  });
  return added;
}
