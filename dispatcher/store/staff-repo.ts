/** Staff accounts and their login sessions. */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

export type Role = 'staff' | 'leader' | 'admin';
export interface Staff {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  scopeNodeId: number | null;
  phone: string;
  disabled: boolean;
  /** The password was set by someone else (an account made or reset for them): theirs to replace. */
  mustChangePassword: boolean;
}
interface StaffRow extends Omit<Staff, 'disabled' | 'mustChangePassword'> { disabled: number; mustChangePassword: number; passwordHash: string }

const COLS = 'id, username, display_name AS displayName, role, scope_node_id AS scopeNodeId, phone, disabled, must_change_password AS mustChangePassword, password_hash AS passwordHash';
const toStaff = ({ passwordHash: _p, disabled, mustChangePassword, ...r }: StaffRow): Staff => ({ ...r, disabled: disabled === 1, mustChangePassword: mustChangePassword === 1 });
const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

export class StaffRepo {
  private readonly byIdStmt;
  private readonly sessionStmt;
  private readonly updateStmt;
  /**
   * Staff by id, read on every call raised (who is on duty, names in the view). This repository is the
   * only writer of the staff table in the hub process; its writes and a rollback (Store.forgetCaches) drop it.
   */
  private readonly cache = new Map<number, Staff>();
  constructor(private readonly db: Db) {
    this.byIdStmt = db.prepare(`SELECT ${COLS} FROM staff WHERE id = ?`);
    this.updateStmt = db.prepare('UPDATE staff SET display_name = ?, phone = ?, role = ?, scope_node_id = ?, disabled = ? WHERE id = ?');
    this.sessionStmt = db.prepare('SELECT staff_id AS staffId, expires_at AS expiresAt FROM sessions WHERE token_hash = ?');
  }

  /** `setByOther`: the password was chosen by whoever made the account, not its holder. */
  create(s: Omit<Staff, 'id' | 'disabled' | 'mustChangePassword'>, passwordHash: string, now: number, setByOther = false): Staff {
    const id = Number(this.db.prepare('INSERT INTO staff (username, display_name, role, scope_node_id, phone, password_hash, created_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.username, s.displayName, s.role, s.scopeNodeId, s.phone, passwordHash, now, setByOther ? 1 : 0).lastInsertRowid);
    this.cache.clear();
    return this.get(id)!;
  }

  get(id: number): Staff | undefined {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const r = this.byIdStmt.get(id) as StaffRow | undefined;
    if (!r) return undefined;
    const s = Object.freeze(toStaff(r));
    this.cache.set(id, s);
    return s;
  }

  forgetCache(): void {
    this.cache.clear();
  }

  /** Changes an account's name, phone, role, scope or disabled flag; the fields not given stay. */
  update(id: number, f: Partial<Pick<Staff, 'displayName' | 'phone' | 'role' | 'scopeNodeId' | 'disabled'>>): Staff | undefined {
    const now = this.get(id);
    if (!now) return undefined;
    const next = { ...now };
    for (const [k, v] of Object.entries(f)) if (v !== undefined) Object.assign(next, { [k]: v });
    this.updateStmt.run(next.displayName, next.phone, next.role, next.scopeNodeId, next.disabled ? 1 : 0, id);
    this.cache.delete(id);
    return this.get(id);
  }

  /**
   * Removes accounts an import made before it failed part way; their shifts and overrides go with
   * them (ON DELETE CASCADE). Nobody has held them: their first passwords were never answered.
   */
  removeNew(ids: readonly number[]): void {
    const del = this.db.prepare('DELETE FROM staff WHERE id = ?');
    for (const id of ids) del.run(id);
    this.cache.clear();
  }

  /** Which of these lower-cased usernames exist, in any case (an import refuses "Wang" beside "wang"). */
  takenNames(lowerNames: readonly string[]): Set<string> {
    if (!lowerNames.length) return new Set();
    return new Set(this.db.prepare('SELECT lower(username) FROM staff WHERE lower(username) IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(lowerNames)) as string[]);
  }

  byUsername(username: string): (Staff & { passwordHash: string }) | undefined {
    const r = this.db.prepare(`SELECT ${COLS} FROM staff WHERE username = ?`).get(username) as StaffRow | undefined;
    return r && { ...toStaff(r), passwordHash: r.passwordHash };
  }

  list(): Staff[] {
    return (this.db.prepare(`SELECT ${COLS} FROM staff ORDER BY id`).all() as StaffRow[]).map(toStaff);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM staff').get() as { n: number }).n;
  }

  names(ids: number[]): Map<number, string> {
    const out = new Map<number, string>();
    for (const id of ids) {
      const s = this.get(id);
      if (s) out.set(id, s.displayName);
    }
    return out;
  }

  /** Creates a session and returns its bearer token (only the token's hash is stored). */
  openSession(staffId: number, now: number, ttlMs: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    this.db.prepare('INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(hashToken(token), staffId, now, expiresAt);
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
    return { token, expiresAt };
  }

  sessionStaff(token: string, now: number): Staff | undefined {
    const s = this.sessionStmt.get(hashToken(token)) as { staffId: number; expiresAt: number } | undefined;
    if (!s || s.expiresAt <= now) return undefined;
    const staff = this.get(s.staffId);
    return staff && !staff.disabled ? staff : undefined;
  }

  closeSession(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
  }

  /**
   * Sets a new password hash and ends every session of that user except `keepToken`'s. `setByOther`:
   * someone else chose it (a reset), so it is the holder's to replace; their own choice clears that.
   */
  setPassword(staffId: number, passwordHash: string, keepToken: string | null, setByOther: boolean): number {
    this.cache.clear();
    return this.db.transaction(() => {
      this.db.prepare('UPDATE staff SET password_hash = ?, must_change_password = ? WHERE id = ?').run(passwordHash, setByOther ? 1 : 0, staffId);
      return this.db.prepare('DELETE FROM sessions WHERE staff_id = ? AND token_hash <> ?').run(staffId, keepToken ? hashToken(keepToken) : '').changes;
    })();
  }
}
