/** RF codes (address + key → device and action), unknown transmitters, and learn sessions. */
import type { Db } from '../store/db.ts';
import type { RfAction } from '../../gateway/events.ts';

export interface RfCodeRow { address: number; key: number; deviceId: string; action: RfAction }
export interface UnknownTransmitter { receiver: string; address: number; key: number; firstHeard: number; lastHeard: number; count: number }
export interface LearnSession {
  id: number; householdId: number; openedBy: number | null; openedAt: number; expiresAt: number; closedAt: number | null;
  outcome: 'open' | 'bound' | 'expired' | 'cancelled'; deviceId: string | null; address: number | null; key: number | null; receiver: string | null;
}

/** Unknown codes kept for admins; beyond this the least recently heard are dropped. */
const MAX_UNKNOWN = 1000;
const LEARN_COLS = `id, household_id AS householdId, opened_by AS openedBy, opened_at AS openedAt, expires_at AS expiresAt, closed_at AS closedAt,
  outcome, device_id AS deviceId, address, key, receiver`;

export class RfRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      lookup: db.prepare(`SELECT c.device_id AS deviceId, c.action FROM rf_codes c JOIN devices d ON d.id = c.device_id
        WHERE c.address = ? AND c.key = ? AND d.revoked_at IS NULL`),
      unknown: db.prepare(`INSERT INTO unknown_transmitters (receiver, address, key, first_heard, last_heard, count) VALUES (?, ?, ?, ?, ?, 1)
        ON CONFLICT (receiver, address, key) DO UPDATE SET last_heard = max(last_heard, excluded.last_heard), count = count + 1`),
      openLearn: db.prepare(`SELECT ${LEARN_COLS} FROM rf_learn_sessions WHERE outcome = 'open' ORDER BY id DESC LIMIT 1`),
    };
  }

  lookup(address: number, key: number): { deviceId: string; action: RfAction } | null {
    return (this.s.lookup.get(address, key) as { deviceId: string; action: RfAction } | undefined) ?? null;
  }

  codesFor(deviceId: string): RfCodeRow[] {
    return this.db.prepare('SELECT address, key, device_id AS deviceId, action FROM rf_codes WHERE device_id = ? ORDER BY address, key').all(deviceId) as RfCodeRow[];
  }

  allCodes(): RfCodeRow[] {
    return this.db.prepare('SELECT address, key, device_id AS deviceId, action FROM rf_codes ORDER BY device_id, address, key').all() as RfCodeRow[];
  }

  /** Binds a code; replaces an existing binding of the same code when `replace`. */
  bind(c: RfCodeRow, now: number, replace = true): boolean {
    const verb = replace ? 'INSERT OR REPLACE' : 'INSERT OR IGNORE';
    return this.db.prepare(`${verb} INTO rf_codes (address, key, device_id, action, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(c.address, c.key, c.deviceId, c.action, now).changes > 0;
  }

  unbind(address: number, key: number): boolean {
    return this.db.prepare('DELETE FROM rf_codes WHERE address = ? AND key = ?').run(address, key).changes > 0;
  }

  recordUnknown(receiver: string, address: number, key: number, at: number): void {
    this.s.unknown.run(receiver, address, key, at, at);
    const n = (this.db.prepare('SELECT count(*) AS n FROM unknown_transmitters').get() as { n: number }).n;
    if (n > MAX_UNKNOWN) {
      this.db.prepare(`DELETE FROM unknown_transmitters WHERE rowid IN (SELECT rowid FROM unknown_transmitters ORDER BY last_heard LIMIT ?)`).run(n - MAX_UNKNOWN);
    }
  }

  unknown(limit = 200): UnknownTransmitter[] {
    return this.db.prepare(`SELECT receiver, address, key, first_heard AS firstHeard, last_heard AS lastHeard, count
      FROM unknown_transmitters ORDER BY last_heard DESC LIMIT ?`).all(limit) as UnknownTransmitter[];
  }

  forgetUnknown(address: number): number {
    return this.db.prepare('DELETE FROM unknown_transmitters WHERE address = ?').run(address).changes;
  }

  openLearn(householdId: number, openedBy: number | null, now: number, windowMs: number): LearnSession {
    const id = Number(this.db.prepare(`INSERT INTO rf_learn_sessions (household_id, opened_by, opened_at, expires_at, outcome) VALUES (?, ?, ?, ?, 'open')`)
      .run(householdId, openedBy, now, now + windowMs).lastInsertRowid);
    return this.learn(id)!;
  }

  learn(id: number): LearnSession | undefined {
    return this.db.prepare(`SELECT ${LEARN_COLS} FROM rf_learn_sessions WHERE id = ?`).get(id) as LearnSession | undefined;
  }

  /** The open session, closing it as expired first if its time is up. */
  currentLearn(now: number): LearnSession | null {
    const s = this.s.openLearn.get() as LearnSession | undefined;
    if (!s) return null;
    if (s.expiresAt <= now) {
      this.closeLearn(s.id, 'expired', s.expiresAt);
      return null;
    }
    return s;
  }

  lastLearn(): LearnSession | null {
    return (this.db.prepare(`SELECT ${LEARN_COLS} FROM rf_learn_sessions ORDER BY id DESC LIMIT 1`).get() as LearnSession | undefined) ?? null;
  }

  closeLearn(id: number, outcome: 'bound' | 'expired' | 'cancelled', now: number, bound?: { deviceId: string; address: number; key: number; receiver: string }): void {
    this.db.prepare(`UPDATE rf_learn_sessions SET outcome = ?, closed_at = ?, device_id = ?, address = ?, key = ?, receiver = ? WHERE id = ? AND outcome = 'open'`)
      .run(outcome, now, bound?.deviceId ?? null, bound?.address ?? null, bound?.key ?? null, bound?.receiver ?? null, id);
  }
}
