/** Settings validation, port errors, and the hub and simulator command lines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { loadConfig, ConfigError } from '../dispatcher/config.ts';
import { Hub } from '../dispatcher/hub.ts';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo } from '../dispatcher/demo-seed.ts';
import { startTestHub, tempDbPath, type TestHub } from './helpers/hub-harness.ts';

const ROOT = new URL('..', import.meta.url).pathname;
function run(script: string, args: string[], env: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ANXIN_LOG_LEVEL: 'warn', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

describe('settings', () => {
  it('defaults are the documented ones', () => {
    const c = loadConfig({});
    expect([c.mqttPort, c.httpPort, c.host, c.dbPath, c.escalateAfterS, c.arriveWithinS, c.cancelWindowS]).toEqual([1883, 8080, '0.0.0.0', './data/anxin.db', 60, 1800, 120]);
  });

  it('reports every bad value together, each with the setting name', () => {
    try {
      loadConfig({ ANXIN_MQTT_PORT: 'abc', ANXIN_HTTP_PORT: '70000', ANXIN_ESCALATE_AFTER_S: '-5', ANXIN_TZ: 'Mars/Olympus', ANXIN_LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      for (const k of ['ANXIN_MQTT_PORT', 'ANXIN_HTTP_PORT', 'ANXIN_ESCALATE_AFTER_S', 'ANXIN_TZ', 'ANXIN_LOG_LEVEL']) expect(msg).toContain(k);
      expect((err as ConfigError).problems).toHaveLength(5);
    }
  });
});

describe('ports', () => {
  let blocker: Server;
  let port = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => { blocker.close(); });

  it('a taken MQTT port gives one line naming the setting', async () => {
    const { dbPath } = tempDbPath();
    const cfg = loadConfig({ ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: String(port), ANXIN_HTTP_PORT: '0', ANXIN_DB: dbPath, ANXIN_LOG_LEVEL: 'silent' });
    await expect(Hub.start(cfg)).rejects.toThrow(`MQTT port 127.0.0.1:${port} is already in use: set ANXIN_MQTT_PORT to a free port (0 picks one)`);
  });

  it('a taken HTTP port, through the real command line: exit 1, one line, no stack trace', async () => {
    const { dbPath } = tempDbPath();
    const r = await run('dispatcher/main.ts', [], { ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: '0', ANXIN_HTTP_PORT: String(port), ANXIN_DB: dbPath });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('anxin:'));
    expect(lines).toEqual([`anxin: HTTP port 127.0.0.1:${port} is already in use: set ANXIN_HTTP_PORT to a free port (0 picks one)`]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('bad settings through the command line: exit 1 with every problem', async () => {
    const r = await run('dispatcher/main.ts', [], { ANXIN_MQTT_PORT: 'twelve', ANXIN_DB: '' , ANXIN_HTTP_PORT: '-1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ANXIN_MQTT_PORT="twelve"');
    expect(r.stderr).toContain('ANXIN_HTTP_PORT="-1"');
  });
});

describe('command lines', () => {
  it('--help lists the settings', async () => {
    const r = await run('dispatcher/main.ts', ['--help'], {});
    expect(r.code).toBe(0);
    for (const k of ['ANXIN_MQTT_PORT', 'ANXIN_HTTP_PORT', 'ANXIN_HOST', 'ANXIN_DB', 'create-admin', '--demo']) expect(r.stdout).toContain(k);
  });

  it('create-admin makes the first account, which can log in; no default passwords without --demo', async () => {
    const { dbPath } = tempDbPath();
    const bad = await run('dispatcher/main.ts', ['create-admin', 'alice'], { ANXIN_DB: dbPath, ANXIN_ADMIN_PASSWORD: 'short' });
    expect(bad.code).toBe(1);
    const ok = await run('dispatcher/main.ts', ['create-admin', 'alice'], { ANXIN_DB: dbPath, ANXIN_ADMIN_PASSWORD: 'correct horse battery' });
    expect(ok.code).toBe(0);
    const t = await startTestHub({ dbPath, demo: false });
    try {
      expect((await t.api('POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' })).status).toBe(401);
      expect((await t.api('POST', '/api/session', undefined, { username: 'alice', password: 'correct horse battery' })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('the demo seed is idempotent', () => {
    const { dbPath } = tempDbPath();
    const s = Store.open(dbPath);
    expect(seedDemo(s, Date.now()).created).toBe(true);
    const counts = () => ['grid_nodes', 'households', 'devices', 'staff', 'roster_shifts'].map((t) => (s.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n);
    const first = counts();
    expect(seedDemo(s, Date.now()).created).toBe(false);
    expect(counts()).toEqual(first);
    expect(first.slice(0, 4)).toEqual([5, 20, expect.any(Number), 4]);
    s.close();
  });

  it('npm run sim -- press demo-0001 prints the ack with the round-trip time', async () => {
    const t: TestHub = await startTestHub();
    try {
      const r = await run('simulator/cli.ts', ['press', 'demo-0001', '--url', t.mqttUrl], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/ack seq=\d+ alertId=[0-9a-f-]{36} round-trip [\d.]+ ms/);
      expect(r.stdout).toMatch(/notify received/);
      const wrong = await run('simulator/cli.ts', ['press', 'demo-0001', '--url', t.mqttUrl, '--secret', 'nope'], {});
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/Bad username or password/);
    } finally {
      await t.stop();
    }
  });
});
