/** Call buttons added straight to a test hub's store, spread over the demo households. */
import type { Store } from '../../dispatcher/store/store.ts';

/** `n` buttons `${prefix}0` … `${prefix}${n - 1}`, installed at `at`, one household after another. */
export function addDemoFleet(store: Store, prefix: string, n: number, at: number): void {
  const homes = store.householdLists.list(null);
  store.tx(() => {
    for (let i = 0; i < n; i++) store.devices.create({ id: `${prefix}${i}`, kind: 'mqtt-button', householdId: homes[i % homes.length].id }, 'x', at);
  });
}
