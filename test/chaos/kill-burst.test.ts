/**
 * Kill -9 during a burst. 200 simulated devices send 5,000 presses to a hub running as a child
 * process; the hub is SIGKILLed at random moments (at least 10, one of them while a WAL
 * checkpoint is running inside it) and restarted on the same database. Then: every acked press
 * is stored, every sent press is stored within 30 s of the last restart, no (device, seq) twice,
 * PRAGMA integrity_check is ok, and every open alert reaches a reconnecting console within 2 s.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SimDevice } from '../../simulator/sim-device.ts';
import { ConsoleClient } from '../helpers/console-client.ts';
import { ChildHub, CHECKPOINT_PRELOAD } from './helpers/child-hub.ts';
import { seedChaosDb, CHAOS_SECRET } from './helpers/seed.ts';

const DEVICES = Number(process.env.CHAOS_DEVICES ?? 200);
const PRESSES = Number(process.env.CHAOS_PRESSES ?? 5000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 10);
const PER_DEVICE = Math.ceil(PRESSES / DEVICES);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.random() * (b - a);

interface KillPoint { n: number; at: number; sentSoFar: number; ackedSoFar: number; inFlight: number; duringCheckpoint: boolean; downMs: number; restartMs: number; integrity: string }

describe('kill -9 during a burst of presses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-chaos-kill-'));
  const dbPath = join(dir, 'anxin.db');
  let hub: ChildHub | null = null;
  const devices: SimDevice[] = [];
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close(false).catch(() => {})));
    await hub?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${DEVICES} devices, ${PRESSES} presses, ${KILLS}+ SIGKILLs: nothing acked is lost, nothing is stored twice`, async () => {
    const ids = await seedChaosDb(dbPath, DEVICES);
    hub = await ChildHub.create({ dbPath, preload: [CHECKPOINT_PRELOAD], env: { ANXIN_CHAOS_CHECKPOINT_MS: '1500', ANXIN_ESCALATE_AFTER_S: '300' } });
    const h = hub;
    await h.start();
    const ro = () => new Database(dbPath, { readonly: true, fileMustExist: true });

    // Checkpoint markers from the preload inside the hub.
    const ckpt = { open: new Set<number>(), ended: new Set<number>(), durations: [] as number[] };
    h.onLine((line) => {
      const b = /^chaos:ckpt-begin (\d+)/.exec(line);
      if (b) ckpt.open.add(Number(b[1]));
      const e = /^chaos:ckpt-end (\d+) ([\d.]+)ms/.exec(line);
      if (e) { ckpt.ended.add(Number(e[1])); ckpt.open.delete(Number(e[1])); ckpt.durations.push(Number(e[2])); }
    });

    const login = await fetch(`${h.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo-pass' }) });
    const token = ((await login.json()) as { token: string }).token;
    // Keep the grid staff online so calls ring at grid level (sessions live in the store and survive restarts).
    const staffTokens: string[] = [];
    for (const u of ['grid1', 'grid2']) {
      const r = await fetch(`${h.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: 'demo-pass' }) });
      staffTokens.push(((await r.json()) as { token: string }).token);
    }
    let staffConsoles: ConsoleClient[] = [];
    const openStaffConsoles = async () => { staffConsoles = await Promise.all(staffTokens.map((t) => ConsoleClient.open(h.wsUrl, t))); };
    await openStaffConsoles();

    for (let i = 0; i < ids.length; i += 25) {
      await Promise.all(ids.slice(i, i + 25).map(async (id) => {
        const d = new SimDevice({ url: h.mqttUrl, id, secret: CHAOS_SECRET, resendMs: 2000, reconnectMs: 300, firstSeq: 0 });
        await d.connect();
        devices.push(d);
      }));
    }

    const sent = new Set<string>();
    const acked = new Set<string>();
    let pressesDone = false;
    const burstStart = Date.now();
    const pressers = devices.map(async (d) => {
      await sleep(rand(0, 2000));
      const pending: Promise<unknown>[] = [];
      for (let k = 0; k < PER_DEVICE && sent.size < PRESSES; k++) {
        const p = d.send('press');
        const key = `${d.opts.id}|${d.lastSeq()}`;
        sent.add(key);
        pending.push(p.then(() => acked.add(key)));
        await sleep(rand(2000, 4500));
      }
      return Promise.all(pending);
    });
    const allPressed = Promise.all(pressers.map((p) => p.then(() => undefined)));
    const sendingDone = (async () => { while (sent.size < PRESSES) await sleep(100); pressesDone = true; })();

    // Console catch-up after each restart: every alert open in the store must reach a fresh console within 2 s.
    const catchUps: number[] = [];
    let lastSeq = 0;
    let known = new Set<string>();
    const checkConsole = async (useSince: boolean) => {
      const db = ro();
      const open = (db.prepare("SELECT id FROM alerts WHERE state IN ('raised','accepted','on_site','cancelled')").all() as { id: string }[]).map((r) => r.id);
      db.close();
      const t0 = Date.now();
      const resume = useSince && lastSeq > 0;
      const c = await ConsoleClient.open(h.wsUrl, token, resume ? lastSeq : undefined);
      // A resuming console keeps what it knew and gets the changes it missed; a fresh one gets a snapshot.
      const base = resume ? known : new Set<string>();
      const seen = () => { const s = c.alertIds(); return open.every((id) => s.has(id) || base.has(id)); };
      const deadline = t0 + 5000;
      while (!seen() && Date.now() < deadline) await sleep(20);
      const ms = Date.now() - t0;
      lastSeq = Math.max(lastSeq, c.lastSeq());
      known = new Set([...base, ...c.alertIds()]);
      c.close();
      catchUps.push(seen() ? ms : Infinity);
    };

    // The kill loop: random uptime, SIGKILL, random downtime, restart. One kill waits for a checkpoint to begin.
    const kills: KillPoint[] = [];
    const checkpointKillAt = 1 + Math.floor(Math.random() * 4);
    let checkpointKills = 0;
    for (let n = 1; kills.length < KILLS || !pressesDone; n++) {
      await sleep(rand(1500, 4000));
      let duringCheckpoint = false;
      let killed: { at: number; gone: Promise<void> } | null = null;
      if (n >= checkpointKillAt && checkpointKills === 0) {
        // Wait for the preload to announce a checkpoint, then kill in the same turn.
        killed = await new Promise<{ at: number; gone: Promise<void> } | null>((resolve) => {
          const off = h.onLine((line) => {
            if (!line.startsWith('chaos:ckpt-begin')) return;
            off();
            resolve(h.killNow());
          });
          setTimeout(() => { off(); resolve(null); }, 10_000);
        });
        if (killed) {
          await killed.gone;
          await sleep(100); // let the last piped lines arrive
          duringCheckpoint = ckpt.open.size > 0;
          if (duringCheckpoint) checkpointKills++;
          ckpt.open.clear();
        }
      }
      if (!killed) {
        killed = h.killNow();
        if (killed) await killed.gone;
      }
      for (const c of staffConsoles) c.close();
      const at = killed?.at ?? Date.now();
      const sentSoFar = sent.size;
      const ackedSoFar = acked.size;
      const downMs = rand(0, 1500);
      // While it is down, check the file as a fresh process would find it.
      const db = new Database(dbPath);
      const integrity = String(db.pragma('quick_check', { simple: true }));
      db.close();
      await sleep(downMs);
      const rec = await h.start();
      await openStaffConsoles();
      kills.push({ n, at: at - burstStart, sentSoFar, ackedSoFar, inFlight: sentSoFar - ackedSoFar, duringCheckpoint, downMs: Math.round(downMs), restartMs: rec.readyAt - rec.spawnedAt, integrity });
      await checkConsole(n % 2 === 0);
      if (n > 40) break;
    }
    await sendingDone;
    const lastReady = h.starts.at(-1)!.readyAt;

    // Every press sent must be stored within 30 s of the last restart.
    const want = [...sent];
    let missing = want.length;
    let storedAllAt = 0;
    while (Date.now() - lastReady < 30_000) {
      const db = ro();
      const have = new Set((db.prepare('SELECT device_id AS d, seq FROM device_events WHERE seq IS NOT NULL').all() as { d: string; seq: number }[]).map((r) => `${r.d}|${r.seq}`));
      db.close();
      missing = want.filter((k) => !have.has(k)).length;
      if (missing === 0) { storedAllAt = Date.now(); break; }
      await sleep(250);
    }
    // Devices get their (duplicate) acks for whatever was committed but not acked before a kill.
    await Promise.race([allPressed, sleep(20_000)]);
    await checkConsole(false);
    const finalKill = h.killNow();
    await finalKill?.gone;

    const db = new Database(dbPath);
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const stored = new Set((db.prepare('SELECT device_id AS d, seq FROM device_events WHERE seq IS NOT NULL').all() as { d: string; seq: number }[]).map((r) => `${r.d}|${r.seq}`));
    const dups = (db.prepare('SELECT count(*) AS n FROM (SELECT device_id, seq FROM device_events WHERE seq IS NOT NULL GROUP BY device_id, seq HAVING count(*) > 1)').get() as { n: number }).n;
    const alerts = (db.prepare("SELECT count(*) AS n FROM alerts WHERE kind = 'call'").get() as { n: number }).n;
    db.close();
    const lostAcked = [...acked].filter((k) => !stored.has(k));
    const resends = devices.reduce((n, d) => n + d.connects - 1, 0);

    const figures = {
      devices: DEVICES, pressesSent: sent.size, acked: acked.size, stored: stored.size, lostAcked: lostAcked.length, missingAfter30s: missing,
      duplicates: dups, callAlerts: alerts, integrity, kills: kills.length, checkpointKills,
      storedAllMsAfterLastRestart: storedAllAt ? storedAllAt - lastReady : null,
      restartMs: { min: Math.min(...kills.map((k) => k.restartMs)), max: Math.max(...kills.map((k) => k.restartMs)) },
      consoleCatchUpMs: { max: Math.max(...catchUps), all: catchUps },
      checkpointMs: { n: ckpt.durations.length, max: Math.max(0, ...ckpt.durations) },
      deviceReconnects: resends, burstSeconds: Math.round((Date.now() - burstStart) / 1000),
      killPoints: kills,
    };
    console.log(`CHAOS kill-burst figures ${JSON.stringify(figures, null, 1)}`);

    expect(kills.length).toBeGreaterThanOrEqual(KILLS);
    expect(checkpointKills).toBeGreaterThanOrEqual(1);
    expect(kills.every((k) => k.integrity === 'ok')).toBe(true);
    expect(integrity).toBe('ok');
    expect(lostAcked).toEqual([]);
    expect(missing).toBe(0);
    expect(storedAllAt - lastReady).toBeLessThanOrEqual(30_000);
    expect(dups).toBe(0);
    expect(sent.size).toBe(PRESSES);
    expect(Math.max(...catchUps)).toBeLessThanOrEqual(2000);
  }, 420_000);
});
