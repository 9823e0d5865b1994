/**
 * `npm run hub -- backup FILE`: a consistent copy of the hub's database, taken while the hub runs.
 *
 * Copying the database file by hand while the hub writes gives a torn copy (half of it from before a
 * commit, half from after, and the newest commits still in the -wal file beside it). SQLite's
 * `VACUUM INTO` copies from one read transaction instead: every table as of one moment, compacted,
 * with no -wal to carry. In WAL mode a reader never blocks the hub's writes, so presses are acked as
 * usual; the hub's checkpoints cannot pass the copy's snapshot until it ends, so its -wal file grows
 * meanwhile and shrinks again at its next checkpoint. (SQLite's online backup API was not used: from
 * another process, it starts over after every commit of the hub's, so under steady heartbeats a large
 * database might never finish.)
 *
 * The copy is then opened and checked (`PRAGMA quick_check`), and what it holds is counted, so a
 * backup that cannot be read is known now rather than on the day it is needed. The login key
 * (docs/security.md) is not copied: keep it apart from the database's backups, or not at all.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

const COUNTED = ['alerts', 'households', 'devices', 'staff', 'grid_nodes'] as const;

/** Returns the process exit code: 0 written and checked, 1 failed (nothing left at FILE), 2 usage. */
export function backupDb(dbPath: string, file: string | undefined, out: (s: string) => void, err: (s: string) => void): number {
  if (!file) {
    err('anxin: backup needs a FILE to write: npm run hub -- backup /path/to/anxin-YYYY-MM-DD.db\n');
    return 2;
  }
  if (!existsSync(dbPath)) {
    err(`anxin: no database at ${dbPath} (set ANXIN_DB)\n`);
    return 1;
  }
  const dest = resolve(file);
  if (dest === resolve(dbPath)) {
    err('anxin: the backup must go to another file than the database itself\n');
    return 1;
  }
  if (existsSync(dest)) {
    err(`anxin: ${dest} already exists: give a new file name (a backup never overwrites one)\n`);
    return 1;
  }
  if (!existsSync(dirname(dest))) {
    err(`anxin: the folder ${dirname(dest)} does not exist\n`);
    return 1;
  }
  const started = performance.now();
  const src = new Database(dbPath, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    const version = src.pragma('user_version', { simple: true }) as number;
    if (version === 0) throw new Error(`${dbPath} is not a hub database yet (start the hub once to create it)`);
    if (version > MIGRATIONS.length) throw new Error(`${dbPath} has schema version ${version}, newer than this hub's ${MIGRATIONS.length}: back it up with the hub version that wrote it`);
    src.prepare('VACUUM INTO ?').run(dest);
    // On disk before it is called written: SQLite does not promise to sync the file VACUUM INTO makes.
    const fd = openSync(dest, 'r+');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch (e) {
    rmSync(dest, { force: true });
    err(`anxin: backup failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    src.close();
  }
  const copied = performance.now() - started;
  const check = checkCopy(dest);
  if ('error' in check) {
    rmSync(dest, { force: true });
    err(`anxin: the copy did not pass its check (${check.error}); it was removed\n`);
    return 1;
  }
  const mb = (statSync(dest).size / 1e6).toFixed(1);
  out(`backup of ${dbPath} written to ${dest}: ${mb} MB in ${(copied / 1000).toFixed(2)} s, schema ${check.version}, quick_check ok\n`);
  out(`  ${COUNTED.map((t) => `${check.counts[t].toLocaleString('en-US')} ${t.replace('_', ' ')}`).join(', ')}\n`);
  out('  the login key is not in it: keep that apart (docs/security.md). To restore: stop the hub, delete the -wal and -shm files beside ANXIN_DB (they belong to the old database), put this file at ANXIN_DB, start the hub.\n');
  return 0;
}

function checkCopy(path: string): { version: number; counts: Record<(typeof COUNTED)[number], number> } | { error: string } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('quick_check', { simple: true });
    if (result !== 'ok') return { error: String(result) };
    const counts = Object.fromEntries(COUNTED.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number])) as Record<(typeof COUNTED)[number], number>;
    return { version: db.pragma('user_version', { simple: true }) as number, counts };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    db.close();
  }
}
