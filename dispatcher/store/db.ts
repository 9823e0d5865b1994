/** Opens the SQLite store with the durability settings DESIGN.md requires, and migrates it. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // 64 MiB of page cache instead of SQLite's 2 MiB: the indexes an alarm touches (device events by device,
  // timeline by alert) are scattered, and every miss is a read syscall on the event loop (issue 6).
  db.pragma('cache_size = -65536');
  // better-sqlite3 is synchronous: a long busy wait freezes the whole hub (consoles, acks). The hub is the
  // only writer; a lock held longer than this by an outside tool becomes a storage fault, which raises its
  // own alert while devices keep re-sending (test/chaos/storage-faults.test.ts).
  db.pragma('busy_timeout = 250');
  migrate(db);
  return db;
}

export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this hub (${MIGRATIONS.length}): upgrade the hub`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
