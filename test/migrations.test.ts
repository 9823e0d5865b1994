/** Schema migrations on a database that already holds data, and the reads that span old and new rows. */
import { it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { MIGRATIONS } from '../dispatcher/store/migrations.ts';
import { migrate } from '../dispatcher/store/db.ts';
import { tempDbPath } from './helpers/hub-harness.ts';
import { Store } from '../dispatcher/store/store.ts';
import { buildAlertView } from '../dispatcher/alerts/alert-view.ts';

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

it('10: repeat presses logged before it are neither lost nor counted twice; the live view takes the latest press time', () => {
  const { dir, dbPath } = tempDbPath();
  const db = new Database(dbPath);
  try {
    for (let v = 0; v < 9; v++) db.exec(MIGRATIONS[v]);
    db.pragma('user_version = 9');
    db.prepare("INSERT INTO grid_nodes (id, parent_id, name, level, path) VALUES (1, NULL, 'g', 'grid', '/1/')").run();
    db.prepare(`INSERT INTO alerts (id, kind, reason, device_id, grid_id, grid_path, state, presses, raised_at, updated_at)
      VALUES ('a1', 'call', 'press', 'd1', 1, '/1/', 'raised', 3, 1000, 3000)`).run();
    const ev = db.prepare('INSERT INTO alert_events (alert_id, at, type, data) VALUES (?, ?, ?, ?)');
    ev.run('a1', 1000, 'raised', '{}');
    ev.run('a1', 2000, 'repeat_press', '{"presses":2}');
    ev.run('a1', 3000, 'repeat_press', '{"presses":3}');
    const dev = db.prepare("INSERT INTO device_events (device_id, seq, type, received_at, via, alert_id) VALUES ('d1', ?, 'press', ?, 'mqtt', 'a1')");
    dev.run(1, 1000);
    dev.run(2, 2000);
    dev.run(3, 3000);
    migrate(db);
    expect(db.prepare("SELECT last_press_at AS t FROM alerts WHERE id = 'a1'").get()).toEqual({ t: 3000 });
  } finally {
    db.close();
  }
  // After the migration a fourth press is only a device_events row and a new count on the alert.
  const store = Store.open(dbPath);
  try {
    store.db.prepare("INSERT INTO device_events (device_id, seq, type, received_at, via, alert_id) VALUES ('d1', 4, 'press', 4000, 'mqtt', 'a1')").run();
    store.db.prepare("UPDATE alerts SET presses = 4, last_press_at = 4000 WHERE id = 'a1'").run();
    const a = store.alerts.get('a1')!;
    const full = store.alerts.fullTimeline(a);
    expect(full.map((e) => [e.at, e.type, e.data.presses ?? null])).toEqual([
      [1000, 'raised', null], [2000, 'repeat_press', 2], [3000, 'repeat_press', 3], [4000, 'repeat_press', 4],
    ]);
    const live = buildAlertView(store, a).timeline.filter((e) => e.type === 'repeat_press');
    expect(live).toEqual([{ at: 4000, type: 'repeat_press', staffId: null, staffName: null, data: { presses: 4 } }]);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('11: the de-duplication index covers rows without a seq, still refuses a repeated (device, seq), and serves the lookups', () => {
  const { dir, dbPath } = tempDbPath();
  const db = new Database(dbPath);
  try {
    for (let v = 0; v < 10; v++) db.exec(MIGRATIONS[v]);
    db.pragma('user_version = 10');
    const add = db.prepare("INSERT INTO device_events (device_id, seq, type, received_at, via, alert_id) VALUES (?, ?, 'press', ?, ?, 'a1')");
    add.run('rf-1', null, 1000, 'rf');
    add.run('rf-1', null, 2000, 'rf'); // RF presses carry no seq: many per device
    add.run('dev-1', 7, 1000, 'mqtt');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT count(*) AS n FROM device_events').get()).toEqual({ n: 3 });
    add.run('rf-1', null, 3000, 'rf');
    expect(() => add.run('dev-1', 7, 4000, 'mqtt')).toThrow(/UNIQUE/);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('dev-1') as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan('SELECT max(seq) FROM device_events WHERE device_id = ?')).toMatch(/USING COVERING INDEX device_events_dedupe/);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
