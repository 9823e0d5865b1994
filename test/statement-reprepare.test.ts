/**
 * A statement that compares a bound value with the same column and operator as a partial index's
 * WHERE clause (`kind = ?` beside `WHERE kind = 'technical'`) is re-prepared by SQLite at every new
 * binding: the planner weighed the value to decide whether the index applies, so a new value expires
 * the plan. The open-call lookup of every new call took 205-222 µs at the median in the hub that way,
 * 32-34 µs with the kind written into the SQL (bench/raise-cost.ts; bench/README.md, item 72). The
 * store writes such values into the SQL instead. Checked on the schema and on every statement the
 * store prepares when it opens (it found the open-call lookup's `kind = ?` before item 72).
 */
import { it, expect, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { tempDbPath } from './helpers/hub-harness.ts';
import { Store } from '../dispatcher/store/store.ts';

/** Statements allowed to re-prepare, with why it does not matter. */
const ALLOWED: Record<string, string> = {
  // The health sweep's threshold, once per sweep (every 5 s), not per call.
  'battery < @below': 'health sweep',
};

const proto = Database.prototype as unknown as { prepare(sql: string): unknown };
const original = proto.prepare;
const seen = new Set<string>();
proto.prepare = function (this: unknown, sql: string) { seen.add(sql); return original.call(this, sql); };
afterAll(() => { proto.prepare = original; });

const PARAM = String.raw`(?:\?\d*|[@:$]\w+)`;

/** `col op` pairs compared with a literal in partial indexes' WHERE clauses. */
function partialTerms(db: Database.Database): { col: string; op: string }[] {
  const sqls = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%'").pluck().all() as string[]);
  const terms: { col: string; op: string }[] = [];
  for (const sql of sqls) {
    const where = sql.slice(sql.search(/\bWHERE\b/i) + 5);
    for (const m of where.matchAll(/(\w+)\s*(<=|>=|<>|!=|=|<|>|NOT\s+IN|IN)\s*[('\d]/gi)) terms.push({ col: m[1].toLowerCase(), op: m[2].toUpperCase().replace(/\s+/, ' ') });
  }
  return [...new Map(terms.map((t) => [`${t.col} ${t.op}`, t])).values()];
}

it('no statement of the store binds a value SQLite weighs against a partial index', () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  try {
    const terms = partialTerms(store.db);
    expect(terms.map((t) => `${t.col} ${t.op}`)).toEqual(expect.arrayContaining(['kind =', 'state IN', 'battery <']));
    const found: string[] = [];
    for (const sql of seen) {
      for (const { col, op } of terms) {
        const re = op.endsWith('IN')
          ? new RegExp(String.raw`\b(?:\w+\.)?${col}\s+${op.replace(' ', String.raw`\s+`)}\s*\([^)]*${PARAM}`, 'i')
          : new RegExp(String.raw`\b(?:\w+\.)?${col}\s*${op.replace(/[<>!=]/g, (c) => `\\${c}`)}(?![<>=])\s*${PARAM}`, 'i');
        const m = re.exec(sql);
        if (m && !ALLOWED[m[0].replace(/\w+\./, '')]) found.push(`${m[0]}: ${sql.replace(/\s+/g, ' ').slice(0, 140)}`);
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(found).toEqual([]);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
