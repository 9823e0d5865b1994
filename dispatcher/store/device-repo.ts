/** Devices: identity, secret hash, household, and presence (online, last seen, battery). */
import type { Db } from './db.ts';

export type DeviceKind = 'mqtt-button' | 'pendant' | 'rf-button';
export interface Device {
  id: string;
  kind: DeviceKind;
  householdId: number | null;
  heartbeatS: number;
  online: boolean;
  lastSeen: number | null;
  battery: number | null;
  rssi: number | null;
  fw: string | null;
  lastTestAt: number | null;
  revokedAt: number | null;
}
interface DeviceRow extends Omit<Device, 'online'> { online: number; secretHash: string | null }

const COLS = `id, kind, household_id AS householdId, heartbeat_s AS heartbeatS, online, last_seen AS lastSeen, battery, rssi, fw,
  last_test_at AS lastTestAt, revoked_at AS revokedAt, secret_hash AS secretHash`;
const toDevice = ({ secretHash: _s, online, ...r }: DeviceRow): Device => ({ ...r, online: online === 1 });

export class DeviceRepo {
  private readonly getStmt;
  private readonly seenStmt;
  private readonly householdStmt;
  private readonly secretStmt;
  private readonly insertStmt;
  private readonly existingStmt;
  /** Device id → household id, read on every press. A device's household never changes once created. */
  private readonly households = new Map<string, number | null>();
  constructor(private readonly db: Db) {
    this.getStmt = db.prepare(`SELECT ${COLS} FROM devices WHERE id = ?`);
    this.seenStmt = db.prepare(`UPDATE devices SET last_seen = max(coalesce(last_seen, 0), @at), online = coalesce(@online, online),
      battery = coalesce(@battery, battery), rssi = coalesce(@rssi, rssi), fw = coalesce(@fw, fw) WHERE id = @id`);
    this.householdStmt = db.prepare('SELECT household_id AS h FROM devices WHERE id = ?');
    this.secretStmt = db.prepare('SELECT secret_hash AS h, revoked_at AS revokedAt FROM devices WHERE id = ?');
    // Prepared once: bulk provisioning and an import with buttons create thousands in a row.
    this.insertStmt = db.prepare('INSERT INTO devices (id, kind, household_id, secret_hash, heartbeat_s, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.existingStmt = db.prepare('SELECT id, household_id AS householdId FROM devices WHERE id IN (SELECT value FROM json_each(?))');
  }

  /** Which of these ids are registered, each with its household (null: none), in one query: a sheet's buttons are checked at once. */
  owners(ids: readonly string[]): Map<string, number | null> {
    if (!ids.length) return new Map();
    return new Map((this.existingStmt.all(JSON.stringify(ids)) as { id: string; householdId: number | null }[]).map((r) => [r.id, r.householdId]));
  }

  /** The device's household: a number, null when it has none, undefined when there is no such device. */
  householdOf(id: string): number | null | undefined {
    const hit = this.households.get(id);
    if (hit !== undefined) return hit;
    const r = this.householdStmt.get(id) as { h: number | null } | undefined;
    if (!r) return undefined;
    if (this.households.size >= 200_000) this.households.clear();
    this.households.set(id, r.h);
    return r.h;
  }

  forgetCache(): void {
    this.households.clear();
  }

  create(d: { id: string; kind: DeviceKind; householdId: number | null; heartbeatS?: number }, secretHash: string | null, now: number): Device {
    this.insertStmt.run(d.id, d.kind, d.householdId, secretHash, d.heartbeatS ?? 60, now);
    return this.get(d.id)!;
  }

  /**
   * Removes devices that were created moments ago and never used: a bulk provisioning that failed part
   * way (routes-provision.ts) undoes its earlier chunks with this. A device that has sent an event is kept.
   */
  removeUnused(ids: string[]): number {
    const del = this.db.prepare('DELETE FROM devices WHERE id = ? AND NOT EXISTS (SELECT 1 FROM device_events WHERE device_id = ?)');
    let n = 0;
    for (const id of ids) {
      n += del.run(id, id).changes;
      this.households.delete(id);
    }
    return n;
  }

  get(id: string): Device | undefined {
    const r = this.getStmt.get(id) as DeviceRow | undefined;
    return r && toDevice(r);
  }

  secretHash(id: string): string | null {
    const r = this.secretStmt.get(id) as { h: string | null; revokedAt: number | null } | undefined;
    return r && r.revokedAt === null ? r.h : null;
  }

  list(): Device[] {
    return (this.db.prepare(`SELECT ${COLS} FROM devices ORDER BY id`).all() as DeviceRow[]).map(toDevice);
  }

  /**
   * The RF buttons, by id, through devices_rf (migration 18). The RF view asks every 5 s; through
   * list() that read every device of a street office (20,000) on the event loop each time.
   */
  rfButtons(): Device[] {
    return (this.db.prepare(`SELECT ${COLS} FROM devices WHERE kind = 'rf-button' ORDER BY id`).all() as DeviceRow[]).map(toDevice);
  }

  /** A household's devices, revoked ones included, through devices_household: the household editor shows them. */
  ofHousehold(householdId: number): Device[] {
    return (this.db.prepare(`SELECT ${COLS} FROM devices WHERE household_id = ? ORDER BY id`).all(householdId) as DeviceRow[]).map(toDevice);
  }

  /** Applies a batch of presence observations, inside the caller's transaction (PresenceTracker.flush). */
  applySeen(batch: { id: string; at: number; online: boolean | null; battery?: number; rssi?: number; fw?: string }[]): void {
    for (const b of batch) {
      this.seenStmt.run({ id: b.id, at: b.at, online: b.online === null ? null : b.online ? 1 : 0, battery: b.battery ?? null, rssi: b.rssi ?? null, fw: b.fw ?? null });
    }
  }

  /**
   * A test press: also the time it was last heard, in the same row write, so an installer who presses
   * test sees both at once (other events mark it heard with the next presence flush, alerts/presence.ts).
   */
  markTest(id: string, at: number): void {
    this.db.prepare('UPDATE devices SET last_test_at = ?, last_seen = max(coalesce(last_seen, 0), ?) WHERE id = ?').run(at, at, id);
  }

  revoke(id: string, at: number): boolean {
    return this.db.prepare('UPDATE devices SET revoked_at = ?, online = 0 WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
  }
}
