/**
 * The hub's own TLS: HTTPS (API, console WebSocket) and MQTT over TLS, with a self-signed
 * certificate made here by the openssl CLI; and the start-up checks of ANXIN_TLS_CERT/KEY.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { loadConfig, ConfigError } from '../dispatcher/config.ts';

let dir = '';
let cert = '', key = '', otherKey = '';
let ca: Buffer;
let t: TestHub;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

function https(method: string, path: string, o: { token?: string; body?: unknown; trust?: boolean } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = httpsRequest({
      host: '127.0.0.1', port: t.hub.ports.http, path, method, servername: 'localhost', ca: o.trust === false ? undefined : ca,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(data ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => { try { resolve({ status: res.statusCode!, body: JSON.parse(text) }); } catch { resolve({ status: res.statusCode!, body: text }); } });
    });
    req.on('error', reject);
    req.end(data);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-tls-'));
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  otherKey = join(dir, 'other-key.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', otherKey]);
  ca = Buffer.from(execFileSync('cat', [cert]));
  t = await startTestHub({ env: { ANXIN_TLS_CERT: cert, ANXIN_TLS_KEY: key, ANXIN_MQTT_TLS_PORT: '0', ANXIN_MQTT_CONNECT_TIMEOUT_MS: '1000' } });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS with the hub\'s own certificate', () => {
  it('serves the API over HTTPS; plain HTTP and an untrusted client get nothing', async () => {
    expect((await https('GET', '/healthz')).status).toBe(200);
    const login = await https('POST', '/api/session', { body: { username: 'grid1', password: 'demo-pass' } });
    expect(login.status).toBe(200);
    expect((await https('GET', '/api/alerts', { token: login.body.token })).status).toBe(200);
    await expect(https('GET', '/healthz', { trust: false })).rejects.toThrow(/self.signed|certificate/i);
    const plain = await fetch(`http://127.0.0.1:${t.hub.ports.http}/healthz`).then((r) => r.status, () => 'refused');
    expect(plain).not.toBe(200);
  });

  it('the console WebSocket works over wss://', async () => {
    const token = (await https('POST', '/api/session', { body: { username: 'grid1', password: 'demo-pass' } })).body.token;
    const ws = new WebSocket(`wss://127.0.0.1:${t.hub.ports.http}/ws?token=${token}`, { ca, servername: 'localhost' } as WebSocket.ClientOptions);
    const first = await new Promise<any>((resolve, reject) => { ws.once('message', (d) => resolve(JSON.parse(d.toString()))); ws.once('error', reject); });
    expect(first.type).toBe('hello');
    ws.close();
  });

  it('a device presses over MQTT over TLS and gets its ack after the commit', async () => {
    expect(t.hub.ports.mqttTls).toBeGreaterThan(0);
    const id = 'demo-0001';
    const c = mqtt.connect(`mqtts://127.0.0.1:${t.hub.ports.mqttTls}`, { clientId: id, username: id, password: 'demo-secret', protocolVersion: 4, reconnectPeriod: 0, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
    await c.subscribeAsync(`anxin/v1/dev/${id}/down/#`, { qos: 1 });
    const ack = new Promise<any>((resolve) => c.on('message', (topic, p) => { if (topic.endsWith('/down/ack')) resolve(JSON.parse(p.toString())); }));
    await c.publishAsync(`anxin/v1/dev/${id}/up/event`, JSON.stringify({ seq: 77, type: 'press', ts: Date.now() }), { qos: 1 });
    expect(await ack).toMatchObject({ seq: 77 });
    expect(t.hub.store.db.prepare('SELECT count(*) AS n FROM device_events WHERE device_id = ? AND seq = 77').get(id)).toEqual({ n: 1 });
    await c.endAsync();
    // Without the CA the device refuses the hub's certificate.
    const bad = mqtt.connect(`mqtts://127.0.0.1:${t.hub.ports.mqttTls}`, { clientId: id, username: id, password: 'demo-secret', reconnectPeriod: 0, servername: 'localhost' });
    await expect(new Promise((resolve, reject) => { bad.once('connect', resolve); bad.once('error', reject); })).rejects.toThrow(/self.signed|certificate/i);
    bad.end(true);
  });

  it('over TLS too, a declared 256 MB packet is cut off at its header (the frame guard sits on the TLS socket)', async () => {
    const before = t.hub.broker.rejectedFrames;
    const s = tlsConnect({ host: '127.0.0.1', port: t.hub.ports.mqttTls, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => { s.once('secureConnect', () => resolve()); s.once('error', reject); });
    const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
    s.on('error', () => { /* the hub drops the link */ });
    s.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])); // CONNECT, remaining length 268,435,455
    await closed;
    expect(t.hub.broker.rejectedFrames).toBe(before + 1);
  });

  it('a TCP connection that never finishes the TLS handshake is closed by the connect timeout', async () => {
    const closed = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      const s = netConnect(t.hub.ports.mqttTls, '127.0.0.1');
      s.on('close', () => resolve(Date.now() - t0));
      s.on('error', () => { /* close follows */ });
      setTimeout(() => { s.destroy(); resolve(-1); }, 8000);
    });
    expect(closed).toBeGreaterThan(0);
  });

  it('bad TLS settings are reported at start-up with the setting named', () => {
    const base = { ANXIN_DB: join(dir, 'x.db') };
    const problems = (env: Record<string, string>) => {
      try { loadConfig({ ...base, ...env }); return []; } catch (e) { return (e as ConfigError).problems; }
    };
    expect(problems({ ANXIN_TLS_CERT: cert })).toEqual([expect.stringMatching(/ANXIN_TLS_CERT and ANXIN_TLS_KEY: set both/)]);
    expect(problems({ ANXIN_TLS_CERT: cert, ANXIN_TLS_KEY: join(dir, 'missing.pem') })).toEqual([expect.stringMatching(/^ANXIN_TLS_KEY=.*cannot read the file \(ENOENT\)/)]);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    expect(problems({ ANXIN_TLS_CERT: junk, ANXIN_TLS_KEY: key })).toEqual([expect.stringMatching(/^ANXIN_TLS_CERT=.*not a PEM certificate/)]);
    expect(problems({ ANXIN_TLS_CERT: cert, ANXIN_TLS_KEY: otherKey })).toEqual([expect.stringMatching(/^ANXIN_TLS_KEY=.*not a usable private key/)]);
    expect(problems({ ANXIN_TLS_CERT: cert, ANXIN_TLS_KEY: key, ANXIN_MQTT_TLS_PORT: '70000' })).toEqual([expect.stringMatching(/^ANXIN_MQTT_TLS_PORT/)]);
    expect(loadConfig({ ...base, ANXIN_TLS_CERT: cert, ANXIN_TLS_KEY: key }).tls?.subject).toContain('CN=localhost');
  });
});
