/** Open calls written straight to a hub's store, as a mass event leaves them (no console was listening). */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../dispatcher/store/store.ts';

export interface OpenCallsSpec {
  count: number;
  /** Only the households of this grid (by name); every household when absent. */
  gridName?: string;
  raisedAt: (i: number) => number;
  level?: (i: number) => number;
  deadlineAt?: number | null;
  detail?: (i: number) => string;
}

/** Inserts `count` raised calls without devices, spread over the households; returns their ids in order. */
export function seedOpenCalls(s: Store, spec: OpenCallsSpec): string[] {
  const homes = s.householdLists.list(null).filter((h) => spec.gridName === undefined || s.grid.get(h.gridId).name === spec.gridName);
  const ids: string[] = [];
  s.tx(() => {
    for (let i = 0; i < spec.count; i++) {
      const hh = homes[i % homes.length];
      const grid = s.grid.get(hh.gridId);
      const id = randomUUID();
      const at = spec.raisedAt(i);
      const deadlineAt = spec.deadlineAt ?? null;
      s.alerts.insert({ id, kind: 'call', reason: 'press', deviceId: null, householdId: hh.id, gridId: grid.id, gridPath: grid.path,
        state: 'raised', level: spec.level?.(i) ?? 0, presses: 1, isTest: false, detail: spec.detail?.(i) ?? '', raisedAt: at,
        deadlineAt, deadlineKind: deadlineAt === null ? null : 'escalate' });
      s.alerts.appendEvent(id, at, 'raised', null, { reason: 'press', via: 'test' });
      ids.push(id);
    }
  });
  return ids;
}
