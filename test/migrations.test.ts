/** Schema migrations on a database that already holds data. */
import { it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { MIGRATIONS } from '../dispatcher/store/migrations.ts';
import { migrate } from '../dispatcher/store/db.ts';
import { tempDbPath } from './helpers/hub-harness.ts';

it('9: change rows lose their stored view, keep their numbers, and numbering goes on past the highest ever given', () => {
  const { dir, dbPath } = tempDbPath();
  const db = new Database(dbPath);
  try {
    for (let v = 0; v < 8; v++) db.exec(MIGRATIONS[v]);
    db.pragma('user_version = 8');
    const add = db.prepare('INSERT INTO changes (alert_id, grid_path, at, body) VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= 5; i++) add.run(`a${i}`, '/1/', 1000 + i, '{"big":"view"}');
    db.prepare('DELETE FROM changes WHERE seq >= 4').run(); // pruned or never kept: 4 and 5 were still given out
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT seq, alert_id AS alertId, grid_path AS gridPath, at FROM changes ORDER BY seq').all()).toEqual([
      { seq: 1, alertId: 'a1', gridPath: '/1/', at: 1001 }, { seq: 2, alertId: 'a2', gridPath: '/1/', at: 1002 }, { seq: 3, alertId: 'a3', gridPath: '/1/', at: 1003 },
    ]);
    const cols = (db.prepare('PRAGMA table_info(changes)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(['seq', 'alert_id', 'grid_path', 'at']);
    const next = db.prepare('INSERT INTO changes (alert_id, grid_path, at) VALUES (?, ?, ?)').run('a6', '/1/', 2000).lastInsertRowid;
    expect(Number(next)).toBe(6); // a console that saw 5 must not miss the next change
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'changes'").all()).toEqual([{ name: 'changes_at' }]);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
