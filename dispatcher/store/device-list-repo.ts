/**
 * The rows behind the supervisors' device lists: every device with its grid path, and each household's
 * address and first resident (each device's open problems come from HealthRepo.openTechnical). Read in raw rows (arrays): at
 * 10,000 devices, rows as objects took 86–123 ms to read, raw rows 30–55 ms (bench/device-list-cost.ts).
 * Used by the report worker (reports/report-worker.ts) through its own connection.
 */
import type { Db } from './db.ts';
import type { Device, DeviceKind } from './device-repo.ts';

export interface ListedDevice extends Device {
  /** The grid path of the device's household; null without a household. */
  gridPath: string | null;
}
export interface HouseholdBrief { address: string; residentName: string }

export class DeviceListRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      devices: db.prepare(`SELECT d.id, d.kind, d.household_id, d.heartbeat_s, d.online, d.last_seen, d.battery, d.rssi, d.fw, d.last_test_at, d.revoked_at, g.path
        FROM devices d LEFT JOIN households h ON h.id = d.household_id LEFT JOIN grid_nodes g ON g.id = h.grid_id ORDER BY d.id`).raw(true),
      households: db.prepare('SELECT id, address FROM households').raw(true),
      // Every resident once, in order: the first of each household is its name on the list.
      residents: db.prepare('SELECT household_id, name FROM residents ORDER BY household_id, id').raw(true),
    };
  }

  devices(): ListedDevice[] {
    return (this.s.devices.all() as unknown[][]).map((r) => ({
      id: r[0] as string, kind: r[1] as DeviceKind, householdId: r[2] as number | null, heartbeatS: r[3] as number, online: r[4] === 1,
      lastSeen: r[5] as number | null, battery: r[6] as number | null, rssi: r[7] as number | null, fw: r[8] as string | null,
      lastTestAt: r[9] as number | null, revokedAt: r[10] as number | null, gridPath: r[11] as string | null,
    }));
  }

  households(): Map<number, HouseholdBrief> {
    const out = new Map<number, HouseholdBrief>();
    for (const [id, address] of this.s.households.all() as [number, string][]) out.set(id, { address, residentName: '' });
    let last: number | null = null;
    for (const [hh, name] of this.s.residents.all() as [number, string][]) {
      if (hh === last) continue;
      last = hh;
      const b = out.get(hh);
      if (b) b.residentName = name;
    }
    return out;
  }
}
