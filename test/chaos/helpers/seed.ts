/** A crash-test database: the demo community plus `count` extra call buttons, one household each, spread over both demo grids. */
import { Store } from '../../../dispatcher/store/store.ts';
import { seedDemo } from '../../../dispatcher/demo-seed.ts';
import { hashSecret } from '../../../dispatcher/auth/secrets.ts';

export const CHAOS_SECRET = 'chaos-device-secret';

export async function seedChaosDb(dbPath: string, count: number, opts: { prefix?: string; heartbeatS?: number } = {}): Promise<string[]> {
  const store = Store.open(dbPath);
  try {
    const now = Date.now();
    seedDemo(store, now);
    const grids = store.grid.list().filter((n) => n.level === 'grid');
    // Random 128-bit-style device secrets are hashed at the bulk-provisioning cost (routes-provision.ts).
    const hash = await hashSecret(CHAOS_SECRET, 1024);
    const ids = Array.from({ length: count }, (_, i) => `${opts.prefix ?? 'chaos-'}${String(i + 1).padStart(4, '0')}`);
    store.tx(() => {
      ids.forEach((id, i) => {
        const hh = store.households.create({ gridId: grids[i % grids.length].id, address: `crash-test household ${id}`, accessNote: '', residents: [], contacts: [] }, now);
        store.devices.create({ id, kind: 'mqtt-button', householdId: hh.id, heartbeatS: opts.heartbeatS }, hash, now);
      });
    });
    return ids;
  } finally {
    store.close();
  }
}
