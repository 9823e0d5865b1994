/**
 * The audit trail: who did what, when and from where. Append-only (the migration adds
 * triggers that refuse UPDATE and DELETE) and hash-chained: each row stores the hash of the
 * row before it and a SHA-256 over that hash and its own content, so changing or deleting a
 * row, even after dropping the triggers, breaks the chain and verify() says where.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/db.ts';

export interface AuditEntry {
  at: number;
  /** Staff id, or null for an unknown or failed login. */
  actorId: number | null;
  /** Username (as typed for a failed login), or '-' when unknown. */
  actor: string;
  ip: string;
  /** login, login_failed, logout, alert_action, admin_change, denied, export, … */
  action: string;
  /** What was acted on: "POST /api/alerts/:id/ack", an alert id, … */
  target: string;
  /** ok, or the error code. */
  outcome: string;
  detail?: Record<string, unknown>;
}

export interface AuditRow extends Required<AuditEntry> { id: number; prevHash: string; hash: string }

export interface VerifyResult {
  ok: boolean;
  rows: number;
  /** First broken row id and why, when not ok. */
  problems: { id: number; why: string }[];
}

export const GENESIS = '0'.repeat(64);

/** The hash of a row: over the previous hash and a fixed-order serialization of its content. */
export function rowHash(prevHash: string, r: Omit<AuditRow, 'hash' | 'prevHash'>): string {
  const content = JSON.stringify([r.id, r.at, r.actorId, r.actor, r.ip, r.action, r.target, r.outcome, r.detail]);
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

const COLS = 'id, at, actor_id AS actorId, actor, ip, action, target, outcome, detail, prev_hash AS prevHash, hash';

export class AuditLog {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      last: db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'),
      insert: db.prepare(`INSERT INTO audit_log (id, at, actor_id, actor, ip, action, target, outcome, detail, prev_hash, hash)
        VALUES (@id, @at, @actorId, @actor, @ip, @action, @target, @outcome, @detail, @prevHash, @hash)`),
      page: db.prepare(`SELECT ${COLS} FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000`),
      recent: db.prepare(`SELECT ${COLS} FROM audit_log ORDER BY id DESC LIMIT ?`),
      search: db.prepare(`SELECT ${COLS} FROM audit_log WHERE id < @before AND id >= @from
        AND (@actor IS NULL OR actor = @actor) AND (@action IS NULL OR action = @action) AND (@target IS NULL OR instr(target, @target) > 0)
        ORDER BY id DESC LIMIT @limit`),
      anyBefore: db.prepare('SELECT 1 FROM audit_log WHERE id < ? LIMIT 1'),
      seq: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"),
    };
  }

  /** Appends one entry in its own transaction (or inside the caller's). Returns the row id. */
  append(e: AuditEntry): number {
    return this.db.transaction(() => {
      const last = this.s.last.get() as { id: number; hash: string } | undefined;
      // Ids come from AUTOINCREMENT's high-water mark, so a removed tail leaves a gap that verify() sees.
      const seq = (this.s.seq.get() as { seq: number } | undefined)?.seq ?? 0;
      const row = {
        id: Math.max(seq, last?.id ?? 0) + 1, at: e.at, actorId: e.actorId, actor: e.actor.slice(0, 128), ip: e.ip.slice(0, 64),
        action: e.action, target: e.target.slice(0, 256), outcome: e.outcome, detail: e.detail ?? {},
      };
      const prevHash = last?.hash ?? GENESIS;
      const hash = rowHash(prevHash, row);
      this.s.insert.run({ ...row, detail: JSON.stringify(row.detail), prevHash, hash });
      return row.id;
    })();
  }

  recent(limit = 100): AuditRow[] {
    return (this.s.recent.all(limit) as (Omit<AuditRow, 'detail'> & { detail: string })[]).map(parse);
  }

  /**
   * Rows before id `before` (newest first), filtered, for an admin reading the log. At most `window`
   * rows are looked at, through the primary key: a filter that matches rarely costs one window, not
   * the whole log. `next` is where to go on (null at the start of the log).
   */
  search(q: { before: number | null; limit: number; actor?: string; action?: string; target?: string; window?: number }): { rows: Omit<AuditRow, 'prevHash' | 'hash'>[]; next: number | null } {
    const top = q.before ?? ((this.s.last.get() as { id: number } | undefined)?.id ?? 0) + 1;
    const from = Math.max(1, top - (q.window ?? 20_000));
    const rows = (this.s.search.all({ before: top, from, actor: q.actor ?? null, action: q.action ?? null, target: q.target ?? null, limit: q.limit }) as (Omit<AuditRow, 'detail'> & { detail: string })[])
      .map(parse).map(({ prevHash: _p, hash: _h, ...r }) => r);
    if (rows.length === q.limit) return { rows, next: rows[rows.length - 1].id };
    return { rows, next: from > 1 && this.s.anyBefore.get(from) !== undefined ? from : null };
  }


  /** Walks the whole chain. Detects changed rows, deleted rows (a gap or a broken link) and a deleted tail. */
  verify(): VerifyResult {
    const problems: { id: number; why: string }[] = [];
    let prevHash = GENESIS;
    let expectId = 1;
    let rows = 0;
    let cursor = 0;
    for (;;) {
      const page = this.s.page.all(cursor) as (Omit<AuditRow, 'detail'> & { detail: string })[];
      for (const raw of page) {
        rows++;
        cursor = raw.id;
        let r: AuditRow;
        try {
          r = parse(raw);
        } catch {
          problems.push({ id: raw.id, why: 'detail is not valid JSON' });
          prevHash = raw.hash;
          expectId = raw.id + 1;
          continue;
        }
        if (r.id !== expectId) problems.push({ id: r.id, why: `rows ${expectId}..${r.id - 1} are missing` });
        if (r.prevHash !== prevHash) problems.push({ id: r.id, why: 'does not link to the row before it (a row was changed or removed)' });
        const { hash: _h, prevHash: _p, ...content } = r;
        if (rowHash(r.prevHash, content) !== r.hash) problems.push({ id: r.id, why: 'content does not match its hash (the row was changed)' });
        prevHash = r.hash;
        expectId = r.id + 1;
      }
      if (page.length < 1000) break;
    }
    const seq = (this.s.seq.get() as { seq: number } | undefined)?.seq ?? 0;
    if (seq > expectId - 1) problems.push({ id: expectId, why: `rows ${expectId}..${seq} were written and are gone (the end of the log was removed)` });
    return { ok: problems.length === 0, rows, problems };
  }
}

function parse(r: Omit<AuditRow, 'detail'> & { detail: string }): AuditRow {
  return { ...r, detail: JSON.parse(r.detail) as Record<string, unknown> };
}
