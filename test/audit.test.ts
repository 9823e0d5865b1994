/** The audit log: who, when, from where; append-only; hash-chained; audit-verify catches tampering. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { AuditLog } from '../dispatcher/audit/audit-log.ts';

function verifyCli(dbPath: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'dispatcher/main.ts', 'audit-verify'], {
    env: { ...process.env, ANXIN_DB: dbPath }, encoding: 'utf8', timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

type Row = { id: number; at: number; actor_id: number | null; actor: string; ip: string; action: string; target: string; outcome: string; detail: string };

describe('audit log', () => {
  let t: TestHub;
  let raw: Database.Database;
  const rows = (): Row[] => raw.prepare('SELECT * FROM audit_log ORDER BY id').all() as Row[];

  beforeAll(async () => {
    t = await startTestHub();
    raw = new Database(t.dbPath);
  });
  afterAll(async () => {
    raw.close();
    await t.stop();
  });

  it('records logins and failed logins with who, when and from where, never the password', async () => {
    const before = Date.now();
    await t.login('grid1');
    const bad = await t.api('POST', '/api/session', undefined, { username: 'grid1', password: 'wrong-password-xyz' });
    expect(bad.status).toBe(401);
    const unknown = await t.api('POST', '/api/session', undefined, { username: 'nobody', password: 'x' });
    expect(unknown.status).toBe(401);
    const r = rows();
    const ok = r.find((x) => x.action === 'login' && x.actor === 'grid1')!;
    expect(ok).toBeDefined();
    expect(ok.actor_id).toBe(t.hub.store.staff.byUsername('grid1')!.id);
    expect(ok.ip).toMatch(/127\.0\.0\.1/);
    expect(ok.at).toBeGreaterThanOrEqual(before - 1000);
    const failed = r.filter((x) => x.action === 'login_failed');
    expect(failed.map((x) => x.actor)).toEqual(['grid1', 'nobody']);
    expect(failed.every((x) => x.outcome === 'E_AUTH' && x.actor_id === null)).toBe(true);
    expect(JSON.stringify(r)).not.toContain('wrong-password-xyz');
  });

  it('records alert actions, admin changes (without secrets) and permission denials', async () => {
    const dev = await t.device('demo-0003');
    const press = await dev.send('press');
    const grid1 = await t.login('grid1');
    const grid2 = await t.login('grid2');
    const admin = await t.login('admin');

    const denied = await t.api('POST', `/api/alerts/${press.alertId}/ack`, grid2);
    expect(denied.status).toBe(403);
    const acked = await t.api('POST', `/api/alerts/${press.alertId}/ack`, grid1);
    expect(acked.status).toBe(200);
    const resolved = await t.api('POST', `/api/alerts/${press.alertId}/resolve`, grid1, { outcome: 'false_alarm', note: 'pressed by mistake' });
    expect(resolved.status).toBe(200);
    const notAdmin = await t.api('POST', '/api/devices', grid1, { id: 'audit-dev-x', householdId: 1, secret: 'grid1-should-not' });
    expect(notAdmin.status).toBe(403);
    const made = await t.api('POST', '/api/devices', admin, { id: 'audit-dev-1', householdId: 1, secret: 'very-secret-device-key' });
    expect(made.status).toBe(201);
    const noToken = await t.api('GET', '/api/alerts');
    expect(noToken.status).toBe(401);
    const { default: WebSocket } = await import('ws');
    const wsStatus = await new Promise<number>((resolve) => {
      const w = new WebSocket(`ws://127.0.0.1:${t.hub.ports.http}/ws?token=forged-token`);
      w.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      w.on('error', () => resolve(-1));
    });
    expect(wsStatus).toBe(401);

    const r = rows();
    const actions = r.filter((x) => x.action === 'alert_action' && x.target === press.alertId);
    expect(actions.map((x) => [x.actor, JSON.parse(x.detail).action, x.outcome])).toEqual([['grid1', 'ack', 'ok'], ['grid1', 'resolve', 'ok']]);
    expect(JSON.parse(actions[1].detail).resolveOutcome).toBe('false_alarm');
    const deny = r.filter((x) => x.action === 'denied');
    expect(deny.map((x) => [x.actor, x.outcome])).toEqual(expect.arrayContaining([['grid2', 'E_FORBIDDEN'], ['grid1', 'E_FORBIDDEN'], ['-', 'E_AUTH']]));
    expect(deny.find((x) => x.actor === 'grid2')!.target).toBe(press.alertId);
    expect(deny.find((x) => x.target === 'GET /ws')).toMatchObject({ outcome: 'E_AUTH', actor: '-' });
    const change = r.find((x) => x.action === 'admin_change' && x.actor === 'admin' && x.target === 'POST /api/devices')!;
    expect(change.outcome).toBe('ok');
    expect(JSON.parse(change.detail).body).toEqual({ id: 'audit-dev-1', householdId: 1 });
    expect(JSON.stringify(r)).not.toContain('very-secret-device-key');
    expect(new AuditLog(raw).verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses UPDATE and DELETE through its triggers', () => {
    expect(() => raw.prepare("UPDATE audit_log SET actor = 'mallory' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit_log WHERE id = 1').run()).toThrow(/append-only/);
  });

  it('audit-verify passes an intact log and catches a changed row, a removed row and a removed tail', async () => {
    const intact = verifyCli(t.dbPath);
    expect(intact.out).toMatch(/audit log intact: \d+ rows/);
    expect(intact.code).toBe(0);

    // An attacker with the database file drops the triggers first.
    raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    const victim = rows().find((x) => x.action === 'denied' && x.actor === 'grid2')!;
    raw.prepare("UPDATE audit_log SET actor = 'grid1' WHERE id = ?").run(victim.id);
    const changed = verifyCli(t.dbPath);
    expect(changed.code).toBe(1);
    expect(changed.out).toContain(`row ${victim.id}: content does not match its hash`);

    // Even re-computing the row's own hash does not help: the next row's link breaks.
    const log = new AuditLog(raw);
    const v = raw.prepare('SELECT * FROM audit_log WHERE id = ?').get(victim.id) as Row & { prev_hash: string };
    const { rowHash } = await import('../dispatcher/audit/audit-log.ts');
    const forged = rowHash(v.prev_hash, { id: v.id, at: v.at, actorId: v.actor_id, actor: v.actor, ip: v.ip, action: v.action, target: v.target, outcome: v.outcome, detail: JSON.parse(v.detail) });
    raw.prepare('UPDATE audit_log SET hash = ? WHERE id = ?').run(forged, victim.id);
    expect(log.verify().problems).toContainEqual({ id: victim.id + 1, why: expect.stringMatching(/does not link/) });

    // Deleting a row in the middle.
    raw.prepare('DELETE FROM audit_log WHERE id = 2').run();
    expect(log.verify().problems).toContainEqual({ id: 3, why: 'rows 2..2 are missing' });

    // Deleting the newest rows, then letting the hub write on.
    const last = (raw.prepare('SELECT max(id) AS m FROM audit_log').get() as { m: number }).m;
    raw.prepare('DELETE FROM audit_log WHERE id >= ?').run(last - 1);
    expect(log.verify().problems.some((p) => /were written and are gone/.test(p.why))).toBe(true);
    await t.login('community');
    const after = verifyCli(t.dbPath);
    expect(after.code).toBe(1);
    expect(after.out).toContain(`rows ${last - 1}..${last} are missing`);
  });

  it('audit-verify says clearly when there is no database', () => {
    const r = verifyCli('/nonexistent/dir/anxin.db');
    expect(r.code).toBe(2);
    expect(r.out).toContain('no database');
  });
});

describe('reading the audit log (GET /api/audit)', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub(); });
  afterAll(async () => { await t.stop(); });

  it('an admin reads it newest first, by who, what and target, a page at a time; nobody else can', async () => {
    const admin = await t.login('admin');
    const leader = await t.login('community');
    const hh = t.hub.store.households.get(t.hub.store.devices.householdOf('demo-0003')!)!;
    expect((await t.api('PUT', `/api/households/${hh.id}`, leader, { ...hh, id: undefined, accessNote: '钥匙在邻居家' })).status).toBe(200);
    await t.api('POST', '/api/session', undefined, { username: 'grid2', password: 'not-it-at-all' });

    const all = (await t.api('GET', '/api/audit?limit=500', admin)).body;
    expect(all.rows.map((r: { id: number }) => r.id)).toEqual([...all.rows.map((r: { id: number }) => r.id)].sort((a, b) => b - a));
    expect(all.rows[0]).not.toHaveProperty('hash');
    const change = (await t.api('GET', `/api/audit?actor=community&action=admin_change`, admin)).body.rows;
    expect(change).toEqual([expect.objectContaining({ actor: 'community', target: 'PUT /api/households/:id', outcome: 'ok', detail: expect.objectContaining({ params: { id: String(hh.id) } }) })]);
    expect((await t.api('GET', '/api/audit?action=login_failed', admin)).body.rows.map((r: { actor: string }) => r.actor)).toEqual(['grid2']);
    expect((await t.api('GET', `/api/audit?target=${encodeURIComponent('/api/households')}`, admin)).body.rows).toHaveLength(1);

    // Pages: two at a time until the start of the log, every row once.
    const seen: number[] = [];
    let before: number | null = null;
    for (let i = 0; i < 50; i++) {
      const page: { rows: { id: number }[]; next: number | null } = (await t.api('GET', `/api/audit?limit=2${before ? `&before=${before}` : ''}`, admin)).body;
      seen.push(...page.rows.map((r) => r.id));
      if (page.next === null) break;
      before = page.next;
    }
    const everyRow = (t.hub.store.db.prepare('SELECT id FROM audit_log ORDER BY id DESC').all() as { id: number }[]).map((r) => r.id);
    expect(seen).toEqual(everyRow.filter((id) => id <= seen[0]));

    expect((await t.api('GET', '/api/audit', leader)).status).toBe(403);
    for (const bad of ['limit=0', 'limit=501', 'before=abc', 'action=drop_table', 'actor=', 'sort=id']) {
      expect((await t.api('GET', `/api/audit?${bad}`, admin)).status, bad).toBe(400);
    }
  });

  it('a filter that rarely matches looks one window back and says where to go on', () => {
    const log = new AuditLog(t.hub.store.db);
    const top = log.recent(1)[0].id;
    const page = log.search({ before: null, limit: 10, actor: 'nobody-has-this-name', window: 3 });
    expect(page.rows).toEqual([]);
    expect(page.next).toBe(top + 1 - 3);
    expect(log.search({ before: 3, limit: 10, window: 5 })).toEqual({ rows: [expect.objectContaining({ id: 2 }), expect.objectContaining({ id: 1 })], next: null });
  });
});
