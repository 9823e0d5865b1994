/**
 * Deadlines and device silence across a SIGKILL, with the hub as a child process on a real
 * clock. Escalation: a deadline still ahead at restart fires on time (±2 s); one that fell due
 * during the downtime fires within 2 s of start-up. Silence: devices overdue before the crash
 * are flagged offline within 5 s of start-up; devices healthy at the crash get a fresh interval
 * (no storm of false offline alerts), and those that never come back are flagged after it.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SimDevice } from '../../simulator/sim-device.ts';
import { ConsoleClient } from '../helpers/console-client.ts';
import { ChildHub } from './helpers/child-hub.ts';
import { seedChaosDb } from './helpers/seed.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (cond: () => boolean, timeoutMs: number, stepMs = 100) => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await sleep(stepMs);
  return cond();
};
const dirs: string[] = [];
const hubs: ChildHub[] = [];
const devices: SimDevice[] = [];
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close(false).catch(() => {})));
  for (const h of hubs) await h.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function setup(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-chaos-crash-'));
  dirs.push(dir);
  const dbPath = join(dir, 'anxin.db');
  await seedChaosDb(dbPath, 0);
  const hub = await ChildHub.create({ dbPath, env });
  hubs.push(hub);
  const q = <T>(sql: string, ...args: unknown[]): T[] => {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try { return db.prepare(sql).all(...args) as T[]; } finally { db.close(); }
  };
  return { dbPath, hub, q };
}

async function login(h: ChildHub, username: string): Promise<string> {
  const r = await fetch(`${h.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo-pass' }) });
  return ((await r.json()) as { token: string }).token;
}

async function device(h: ChildHub, id: string, heartbeatMs?: number): Promise<SimDevice> {
  const d = new SimDevice({ url: h.mqttUrl, id, secret: 'demo-secret', resendMs: 1000, reconnectMs: 300, heartbeatMs });
  await d.connect();
  devices.push(d);
  return d;
}

describe('escalation across a crash', () => {
  // Start-up of a tsx child takes 5-15 s on a loaded 2-core machine, so the escalation period must be longer
  // than one restart for the "deadline still ahead" case to mean anything.
  const ESCALATE_S = 25;

  it('fires on time after a restart, and at once when it fell due during the downtime', async () => {
    const { hub, q } = await setup({ ANXIN_ESCALATE_AFTER_S: String(ESCALATE_S) });
    await hub.start();
    const tokens = [await login(hub, 'grid1'), await login(hub, 'grid2')];
    let consoles = await Promise.all(tokens.map((t) => ConsoleClient.open(hub.wsUrl, t)));
    const escalatedAt = (alertId: string) => q<{ at: number }>("SELECT at FROM alert_events WHERE alert_id = ? AND type = 'escalated' ORDER BY id LIMIT 1", alertId)[0]?.at;
    const deadlineOf = (alertId: string) => q<{ d: number }>('SELECT deadline_at AS d FROM alerts WHERE id = ?', alertId)[0].d;

    // A: the hub dies 2 s after the call and is back well before the deadline.
    const a = await (await device(hub, 'demo-0001')).send('press');
    const deadlineA = deadlineOf(a.alertId!);
    await sleep(2000);
    await hub.kill('SIGKILL');
    for (const c of consoles) c.close();
    const restartA = await hub.start();
    expect(restartA.readyAt).toBeLessThan(deadlineA - 2000);
    consoles = await Promise.all(tokens.map((t) => ConsoleClient.open(hub.wsUrl, t)));
    expect(await until(() => escalatedAt(a.alertId!) !== undefined, deadlineA - Date.now() + 10_000, 200)).toBe(true);
    const lateA = escalatedAt(a.alertId!)! - deadlineA;

    // B: the hub dies 2 s after the call and stays down past the deadline.
    const b = await (await device(hub, 'demo-0012')).send('press');
    const deadlineB = deadlineOf(b.alertId!);
    await sleep(2000);
    await hub.kill('SIGKILL');
    for (const c of consoles) c.close();
    await sleep(Math.max(0, deadlineB - Date.now() + 2000));
    const restartB = await hub.start();
    expect(await until(() => escalatedAt(b.alertId!) !== undefined, 10_000, 100)).toBe(true);
    const firedB = escalatedAt(b.alertId!)!;

    console.log(`CHAOS escalation figures ${JSON.stringify({ escalateAfterS: ESCALATE_S, aFiredVsDeadlineMs: lateA, aRestartMs: restartA.readyAt - restartA.spawnedAt,
      bDeadlineBeforeSpawnMs: restartB.spawnedAt - deadlineB, bFiredAfterSpawnMs: firedB - restartB.spawnedAt, bFiredVsReadyMs: firedB - restartB.readyAt })}`);
    expect(Math.abs(lateA)).toBeLessThanOrEqual(2000);
    expect(firedB).toBeGreaterThanOrEqual(restartB.spawnedAt);
    expect(firedB - restartB.readyAt).toBeLessThanOrEqual(2000);
  }, 180_000);
});

describe('silent devices across a crash', () => {
  it('flags the overdue ones within 5 s of start-up and does not flag the healthy ones all at once', async () => {
    const { dbPath, hub, q } = await setup({ ANXIN_HEARTBEAT_GRACE_S: '1' });
    const healthy = ['demo-0001', 'demo-0002', 'demo-0003', 'demo-0004', 'demo-0005'];
    const vanish = ['demo-0006', 'demo-0007', 'demo-0008', 'demo-0009', 'demo-0010'];
    const silent = ['demo-0011', 'demo-0012', 'demo-0013', 'demo-0014', 'demo-0015'];
    // Offline after 2 x heartbeat + grace: 11 s for healthy/vanish (heartbeat 5 s), 7 s for silent (3 s).
    const db = new Database(dbPath);
    db.prepare(`UPDATE devices SET heartbeat_s = 5 WHERE id IN (${[...healthy, ...vanish].map(() => '?').join(',')})`).run(...healthy, ...vanish);
    db.prepare(`UPDATE devices SET heartbeat_s = 3 WHERE id IN (${silent.map(() => '?').join(',')})`).run(...silent);
    db.close();
    await hub.start();
    const live = await Promise.all(healthy.map((id) => device(hub, id, 1000)));
    const gone = await Promise.all(vanish.map((id) => device(hub, id, 1000)));
    const quiet = await Promise.all(silent.map((id) => device(hub, id, 1000)));
    await sleep(2500);
    const aliveAt = () => q<{ value: number }>("SELECT value FROM hub_state WHERE key = 'alive_at'")[0]?.value ?? 0;
    // Right after a health sweep, the silent group stops; the next sweep (5 s on) finds them not yet overdue (7 s);
    // the crash comes 8 s on, when they are overdue but not yet flagged.
    const before = aliveAt();
    expect(await until(() => aliveAt() > before, 12_000, 50)).toBe(true);
    const s0 = Date.now();
    for (const d of quiet) await d.close(false);
    await sleep(s0 + 8000 - Date.now());
    const offline = (ids: string[]) => q<{ deviceId: string; raisedAt: number }>(
      `SELECT device_id AS deviceId, raised_at AS raisedAt FROM alerts WHERE kind = 'technical' AND reason = 'offline' AND device_id IN (${ids.map(() => '?').join(',')})`, ...ids);
    const killAt = await hub.kill('SIGKILL');
    for (const d of gone) await d.close(false);
    const silentSince = Math.max(...q<{ s: number }>(`SELECT last_seen AS s FROM devices WHERE id IN (${silent.map(() => '?').join(',')})`, ...silent).map((r) => r.s));
    const flaggedBeforeCrash = offline(silent).length;

    // Down for 15 s: longer than the healthy devices' 11 s, so a hub that judged them by last_seen alone would flag all ten.
    await sleep(15_000);
    const up = await hub.start();
    expect(await until(() => offline(silent).length === silent.length, 8000, 100)).toBe(true);
    const silentFlagged = offline(silent);
    await sleep(Math.max(0, up.readyAt + 6000 - Date.now()));
    const earlyFalse = offline([...healthy, ...vanish]).length;
    // The vanished ones are flagged once their fresh interval from start-up has run out; the live ones never.
    expect(await until(() => offline(vanish).length === vanish.length, 25_000, 250)).toBe(true);
    const vanishFlagged = offline(vanish);
    const healthyFlagged = offline(healthy).length;

    console.log(`CHAOS silent-device figures ${JSON.stringify({ overdueAtCrashMs: killAt - silentSince - 7000, flaggedBeforeCrash, downMs: up.spawnedAt - killAt,
      silentFlaggedAfterReadyMs: silentFlagged.map((r) => r.raisedAt - up.readyAt), silentFlaggedAfterSpawnMs: silentFlagged.map((r) => r.raisedAt - up.spawnedAt),
      falseOfflineIn6s: earlyFalse, vanishedFlaggedAfterReadyMs: vanishFlagged.map((r) => r.raisedAt - up.readyAt), healthyFlagged })}`);
    expect(flaggedBeforeCrash).toBe(0);
    expect(killAt - silentSince).toBeGreaterThan(7000);
    for (const r of silentFlagged) expect(r.raisedAt - up.readyAt).toBeLessThanOrEqual(5000);
    expect(earlyFalse).toBe(0);
    expect(healthyFlagged).toBe(0);
    for (const r of vanishFlagged) expect(r.raisedAt - up.spawnedAt).toBeGreaterThanOrEqual(11_000 - 1000);
    void live;
  }, 180_000);
});
