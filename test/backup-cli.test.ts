/**
 * `npm run hub -- backup FILE` against a running hub: the real command line in a child process
 * while devices keep pressing; the copy is consistent, checked and counted, and a hub started on it
 * has the calls. Bad arguments get a clear message and leave every file as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';

/** The real CLI, asynchronously: the hub in this process keeps serving while it runs. */
function backupCli(dbPath: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'dispatcher/main.ts', 'backup', ...args], { env: { ...process.env, ANXIN_DB: dbPath }, encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }));
  });
}

let t: TestHub;
let dir: string;
beforeAll(async () => {
  t = await startTestHub();
  dir = mkdtempSync(join(tmpdir(), 'anxin-backup-'));
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('backup', { timeout: 60_000 }, () => {
  it('copies the running hub\'s database while presses keep being acked; the copy is checked, and a hub started on it has the calls', async () => {
    const before = (await (await t.device('demo-0004')).send('press')).alertId!;
    const file = join(dir, 'anxin-backup.db');
    const running = backupCli(t.dbPath, file);
    const presser = await t.device('demo-0005');
    const acked: string[] = [];
    let done = false;
    running.then(() => { done = true; }, () => { done = true; });
    for (let seq = 0; !done && seq < 200; seq++) acked.push((await presser.send(seq % 2 ? 'press' : 'cancel')).alertId ?? 'ack');
    const r = await running;
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/written to .*anxin-backup\.db: [0-9.]+ MB in [0-9.]+ s, schema \d+, quick_check ok/);
    expect(r.out).toMatch(/\d+ alerts, 20 households, \d+ devices, 4 staff, 5 grid nodes/);
    expect(r.out).toContain('login key is not in it');
    expect(acked.length).toBeGreaterThan(0); // the hub answered while the copy was taken
    expect(existsSync(`${file}-wal`)).toBe(false); // one self-contained file

    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) FROM alerts WHERE id = ?').pluck().get(before)).toBe(1);
    copy.close();

    // Restore: a hub started on the copy serves the call that was open when it was taken.
    const restored = await startTestHub({ dbPath: file, demo: false });
    try {
      const open = await restored.api('GET', `/api/alerts/${before}`, await restored.login('admin'));
      expect([open.status, open.body.alert.id]).toEqual([200, before]);
    } finally {
      await restored.stop();
    }
  });

  it('refuses a missing FILE, an existing file, the database itself, a missing folder or database, and touches nothing', async () => {
    const none = await backupCli(t.dbPath);
    expect([none.code, none.out]).toEqual([2, expect.stringContaining('backup needs a FILE')]);
    const existing = join(dir, 'keep.db');
    writeFileSync(existing, 'yesterday');
    const over = await backupCli(t.dbPath, existing);
    expect([over.code, over.out]).toEqual([1, expect.stringContaining('already exists')]);
    expect(readFileSync(existing, 'utf8')).toBe('yesterday');
    expect((await backupCli(t.dbPath, t.dbPath)).out).toContain('another file than the database');
    expect((await backupCli(t.dbPath, join(dir, 'no', 'such', 'x.db'))).out).toContain('does not exist');
    const missingDb = await backupCli(join(dir, 'absent.db'), join(dir, 'y.db'));
    expect([missingDb.code, missingDb.out]).toEqual([1, expect.stringContaining('no database at')]);
    expect(existsSync(join(dir, 'y.db'))).toBe(false);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });
});
