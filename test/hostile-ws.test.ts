/**
 * Hostile console WebSocket input, each case beside the legitimate 10/s press stream (0 loss,
 * ack p99 < 2 s, < 20 MB): oversized frames, invalid JSON and unknown types, a flood, a client
 * that ignores pings (ANXIN_WS_PING_MS=300 here), foreign Origins, expired tokens, and logout or
 * a password change closing that user's sockets within 5 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect } from 'node:net';
import { hostileCase, printFigures, startHostileHub, type HostileHub } from './helpers/hostile-harness.ts';
import { DEFAULT_SOCKET_OPTIONS } from '../dispatcher/push/console-socket.ts';

let h: HostileHub;
const wsUrl = (token: string) => `ws://127.0.0.1:${h.t.hub.ports.http}/ws?token=${encodeURIComponent(token)}`;

beforeAll(async () => {
  h = await startHostileHub({ ANXIN_WS_PING_MS: '300' }, 1);
}, 60_000);

afterAll(async () => {
  printFigures('hostile WebSocket');
  await h?.t.stop();
});

function open(token: string, opts: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; frames: any[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(wsUrl(token), opts);
  const frames: any[] = [];
  ws.on('message', (d) => { try { frames.push(JSON.parse(d.toString())); } catch { frames.push(d.toString()); } });
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('error', reject);
  });
}

/** The HTTP status of a refused upgrade. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('open', () => { resolve(101); ws.close(); });
    ws.on('error', () => resolve(-1));
  });
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`not within ${ms} ms`)), ms))]);

describe('hostile console WebSocket input', () => {
  it('an oversized frame closes that socket with 1009', async () => {
    await hostileCase(h, 'oversized frame', async () => {
      const c = await open(await h.t.login('grid1'));
      c.ws.send('x'.repeat(DEFAULT_SOCKET_OPTIONS.maxPayload + 1));
      expect((await within(c.closed, 5000)).code).toBe(1009);
    });
  });

  it('invalid JSON, binary frames and unknown types get an error frame; the socket stays', async () => {
    await hostileCase(h, 'invalid JSON / unknown type', async () => {
      const c = await open(await h.t.login('grid1'));
      for (const m of ['{not json', '[]', '"str"', 'null', '{"type":"ack","id":"x"}', '{"type":"__proto__"}', '{"__proto__":{"type":"ping"}}']) c.ws.send(m);
      c.ws.send(Buffer.from([0xff, 0x00, 0x01]), { binary: true });
      c.ws.send(JSON.stringify({ type: 'ping' }));
      await expect.poll(() => c.frames.filter((f) => f.type === 'pong').length, { timeout: 5000 }).toBe(1);
      expect(c.frames.filter((f) => f.type === 'error' && f.code === 'E_BAD_REQUEST').length).toBe(8);
      expect(c.ws.readyState).toBe(WebSocket.OPEN);
      expect(({} as Record<string, unknown>).type).toBeUndefined();
      c.ws.close();
    });
  });

  it('a flood from one client closes that client (1008) and nobody else', async () => {
    await hostileCase(h, 'flood from one client', async () => {
      const token = await h.t.login('grid1');
      const bystander = await h.t.console('grid1');
      const c = await open(token);
      for (let i = 0; i < DEFAULT_SOCKET_OPTIONS.maxMsgsPerMinute + 200; i++) c.ws.send('{"type":"ping"}');
      const closed = await within(c.closed, 5000);
      expect(closed.code).toBe(1008);
      expect(c.frames.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(DEFAULT_SOCKET_OPTIONS.maxMsgsPerMinute);
      expect(bystander.closed).toBe(false);
      bystander.ws.send('{"type":"ping"}');
      await bystander.waitFor((f) => f.type === 'pong', 3000);
      bystander.close();
    });
  });

  it('a client that ignores pings is terminated; its calls still reach the others', async () => {
    await hostileCase(h, 'client that ignores pings', async () => {
      const other = await h.t.console('grid1');
      const silent = await open(await h.t.login('grid1'), { autoPong: false });
      // Counted by the hub once its hello is sent: the handshake itself is answered by the console process.
      await expect.poll(() => silent.frames.some((f) => f.type === 'hello'), { timeout: 3000 }).toBe(true);
      const before = h.t.hub.socket.connectedCount();
      const closed = await within(silent.closed, 5000); // 300 ms pings: gone after the second
      expect(closed.code).toBe(1006);
      await expect.poll(() => h.t.hub.socket.connectedCount(), { timeout: 3000 }).toBe(before - 1);
      const dev = await h.t.device('demo-0003');
      const { alertId } = await dev.send('press');
      const seen = await other.change(alertId!, () => true, 5000);
      expect(seen.deviceId).toBe('demo-0003');
      other.close();
    });
  });

  it('a foreign, malformed or "null" Origin is refused at the upgrade', async () => {
    await hostileCase(h, 'foreign Origin', async () => {
      const token = await h.t.login('grid1');
      expect(await upgradeStatus(wsUrl(token), { origin: 'https://evil.example' })).toBe(403);
      expect(await upgradeStatus(wsUrl(token), { origin: `http://127.0.0.1:${h.t.hub.ports.http + 1}` })).toBe(403);
      expect(await upgradeStatus(wsUrl(token), { origin: 'null' })).toBe(403);
      expect(await upgradeStatus(wsUrl(token), { origin: '::not a url::' })).toBe(403);
      expect(await upgradeStatus(wsUrl(token), { origin: `http://127.0.0.1:${h.t.hub.ports.http}` })).toBe(101);
      expect(await upgradeStatus(`ws://127.0.0.1:${h.t.hub.ports.http}/elsewhere?token=${token}`)).toBe(404);
      // A request target that is not a URL at all, on a raw socket.
      for (const target of ['http://[', 'http://x:99999/ws', '/ws?token=%ZZ']) {
        const reply = await new Promise<string>((resolve) => {
          const s = connect(h.t.hub.ports.http, '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`));
          let buf = '';
          s.on('data', (d) => { buf += d.toString(); });
          s.on('close', () => resolve(buf));
          s.on('error', () => resolve(buf));
          setTimeout(() => { s.destroy(); resolve(buf); }, 3000);
        });
        expect(reply, target).not.toMatch(/^HTTP\/1\.1 101/);
      }
      expect((await h.t.api('GET', '/healthz')).status).toBe(200);
    });
  });

  it('expired, forged and missing tokens are refused at the upgrade', async () => {
    await hostileCase(h, 'expired / forged / missing token', async () => {
      const staffId = (await h.t.api('GET', '/api/me', await h.t.login('grid1'))).body.user.id as number;
      const expired = h.t.hub.store.staff.openSession(staffId, Date.now() - 3 * 3600_000, 3600_000).token;
      expect(await upgradeStatus(wsUrl(expired))).toBe(401);
      expect(await upgradeStatus(wsUrl('A'.repeat(43)))).toBe(401);
      expect(await upgradeStatus(`ws://127.0.0.1:${h.t.hub.ports.http}/ws`)).toBe(401);
    });
  });

  it('a socket whose session expires while it is open is closed at the next ping', async () => {
    await hostileCase(h, 'session expires while connected', async () => {
      const staffId = (await h.t.api('GET', '/api/me', await h.t.login('grid1'))).body.user.id as number;
      const short = h.t.hub.store.staff.openSession(staffId, Date.now(), 1000).token; // valid for 1 s
      const c = await open(short);
      const closed = await within(c.closed, 5000);
      expect(closed).toEqual({ code: 4001, reason: 'session expired' });
    });
  });

  it('logout closes the sockets of that session within 5 s, not the user\'s others', async () => {
    await hostileCase(h, 'logout closes its sockets', async () => {
      const t1 = await h.t.login('grid2');
      const t2 = await h.t.login('grid2');
      const a = await open(t1);
      const b = await open(t1);
      const other = await open(t2);
      expect((await h.t.api('DELETE', '/api/session', t1)).status).toBe(200);
      const [ca, cb] = await within(Promise.all([a.closed, b.closed]), 5000);
      expect([ca.code, cb.code]).toEqual([4001, 4001]);
      expect(await upgradeStatus(wsUrl(t1))).toBe(401);
      expect(other.ws.readyState).toBe(WebSocket.OPEN);
      other.ws.close();
    });
  });

  it('a password change closes the user\'s other sessions\' sockets within 5 s and ends those sessions; the one that changed it stays open', async () => {
    await hostileCase(h, 'password change closes sockets', async () => {
      const t1 = await h.t.login('community');
      const t2 = await h.t.login('community');
      const a = await open(t1);
      const b = await open(t2);
      const bystander = await open(await h.t.login('grid1'));
      expect((await h.t.api('PUT', '/api/me/password', t1, { currentPassword: 'wrong-pass', newPassword: 'another-pass-1' })).status).toBe(403);
      expect((await h.t.api('PUT', '/api/me/password', t1, { currentPassword: 'demo-pass', newPassword: 'another-pass-1' })).status).toBe(200);
      const cb = await within(b.closed, 5000);
      expect(cb.code).toBe(4001);
      expect(a.ws.readyState).toBe(WebSocket.OPEN); // the console the change was made from stays on duty
      a.ws.close();
      expect((await h.t.api('GET', '/api/me', t2)).status).toBe(401); // the other session ended
      expect((await h.t.api('GET', '/api/me', t1)).status).toBe(200); // the one that changed it stays
      expect((await h.t.api('POST', '/api/session', undefined, { username: 'community', password: 'demo-pass' })).status).toBe(401);
      expect((await h.t.api('POST', '/api/session', undefined, { username: 'community', password: 'another-pass-1' })).status).toBe(200);
      expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
      bystander.ws.close();
    });
  });
});
