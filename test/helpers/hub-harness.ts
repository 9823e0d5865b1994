/** Starts a real hub in-process on port 0 with a real SQLite file, for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Hub } from '../../dispatcher/hub.ts';
import { loadConfig, type HubConfig } from '../../dispatcher/config.ts';
import { Store } from '../../dispatcher/store/store.ts';
import { seedDemo } from '../../dispatcher/demo-seed.ts';
import type { Clock } from '../../dispatcher/clock.ts';
import { SimDevice } from '../../simulator/sim-device.ts';
import { ConsoleClient } from './console-client.ts';

export interface TestHub {
  hub: Hub;
  dir: string;
  dbPath: string;
  config: HubConfig;
  mqttUrl: string;
  httpUrl: string;
  login(username: string, password?: string): Promise<string>;
  api(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }>;
  console(username: string, opts?: { since?: number; token?: string }): Promise<ConsoleClient>;
  device(id: string, secret?: string): Promise<SimDevice>;
  restart(opts?: { clock?: Clock }): Promise<void>;
  stop(): Promise<void>;
}

export function tempDbPath(): { dir: string; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-test-'));
  return { dir, dbPath: join(dir, 'anxin.db') };
}

export async function startTestHub(opts: { clock?: Clock; env?: Record<string, string>; demo?: boolean; dbPath?: string; fdatasync?: typeof import('node:fs').fdatasync } = {}): Promise<TestHub> {
  const paths = opts.dbPath ? { dir: '', dbPath: opts.dbPath } : tempDbPath();
  const config = loadConfig({ ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: '0', ANXIN_HTTP_PORT: '0', ANXIN_DB: paths.dbPath, ANXIN_LOG_LEVEL: 'silent', ...(opts.env ?? {}) });
  if (opts.demo !== false) {
    const s = Store.open(paths.dbPath);
    seedDemo(s, opts.clock?.now() ?? Date.now());
    s.close();
  }
  const log = pino({ level: process.env.ANXIN_TEST_LOG ?? 'silent' });
  let hub = await Hub.start(config, { clock: opts.clock, log, fdatasync: opts.fdatasync });
  const devices: SimDevice[] = [];
  const consoles: ConsoleClient[] = [];
  const t: TestHub = {
    get hub() { return hub; },
    dir: paths.dir,
    dbPath: paths.dbPath,
    config,
    get mqttUrl() { return `mqtt://127.0.0.1:${hub.ports.mqtt}`; },
    get httpUrl() { return `http://127.0.0.1:${hub.ports.http}`; },
    async api(method, path, token, body) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${t.httpUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, body: parsed };
    },
    async login(username, password = 'demo-pass') {
      const r = await t.api('POST', '/api/session', undefined, { username, password });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    async console(username, o = {}) {
      const token = o.token ?? (await t.login(username));
      const c = await ConsoleClient.open(`ws://127.0.0.1:${hub.ports.http}/ws`, token, o.since);
      consoles.push(c);
      return c;
    },
    async device(id, secret = 'demo-secret') {
      const d = new SimDevice({ url: t.mqttUrl, id, secret, resendMs: 2000, reconnectMs: 0 });
      await d.connect();
      devices.push(d);
      return d;
    },
    async restart(r = {}) {
      for (const c of consoles.splice(0)) c.close();
      for (const d of devices.splice(0)) await d.close(false).catch(() => {});
      await hub.stop();
      const cfg = { ...config, mqttPort: 0, httpPort: 0 };
      hub = await Hub.start(cfg, { clock: r.clock ?? opts.clock, log });
    },
    async stop() {
      for (const c of consoles.splice(0)) c.close();
      for (const d of devices.splice(0)) await d.close(false).catch(() => {});
      await hub.stop();
      if (paths.dir) rmSync(paths.dir, { recursive: true, force: true });
    },
  };
  return t;
}
