/**
 * Hostile HTTP input, each case beside the legitimate 10/s press stream (0 loss, ack p99 < 2 s,
 * < 20 MB memory growth): content types, body size, schemas, SQL-looking and __proto__ values,
 * tokens, 2,000 headers, another grid's alert, and login brute force with an admin unlock.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCase, printFigures, startHostileHub, type HostileHub } from './helpers/hostile-harness.ts';
import { DEFAULT_LIMIT_POLICY } from '../dispatcher/security/rate-limiter.ts';

let h: HostileHub;
let grid1 = '';

beforeAll(async () => {
  h = await startHostileHub({}, 1);
  grid1 = await h.t.login('grid1');
}, 60_000);

afterAll(async () => {
  printFigures('hostile HTTP');
  await h?.t.stop();
});

async function raw(method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<{ status: number; body: any }> {
  const res = await fetch(`${h.t.httpUrl}${path}`, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  try { return { status: res.status, body: JSON.parse(text) }; } catch { return { status: res.status, body: text }; }
}

const login = (username: string, password: string) => h.t.api('POST', '/api/session', undefined, { username, password });

describe('hostile HTTP input', () => {
  it('a wrong or missing Content-Type, and application/json garbage, are refused', async () => {
    await hostileCase(h, 'wrong / missing Content-Type, JSON garbage', async () => {
      const creds = JSON.stringify({ username: 'grid1', password: 'demo-pass' });
      expect((await raw('POST', '/api/session', { 'content-type': 'text/plain' }, creds)).status).toBe(415);
      expect((await raw('POST', '/api/session', { 'content-type': 'application/x-www-form-urlencoded' }, 'username=grid1&password=demo-pass')).status).toBe(415);
      expect((await raw('POST', '/api/session', {}, creds)).status).toBe(415); // fetch sends text/plain for a string
      const noType = await raw('POST', '/api/session', {}, Buffer.from(creds)); // no Content-Type at all
      expect([400, 415]).toContain(noType.status);
      const garbage = await raw('POST', '/api/session', { 'content-type': 'application/json' }, 'garbage');
      expect(garbage.status).toBe(400);
      expect(garbage.body.error.code).toBe('E_BAD_REQUEST');
      const odd = await raw('POST', '/api/session', { 'content-type': 'application/json garbage' }, 'garbage');
      expect([400, 415]).toContain(odd.status);
      expect((await raw('POST', '/api/session', { 'content-type': 'application/json' }, '')).status).toBe(400);
    });
  });

  it('an oversized body gets 413 (limit 16 KB)', async () => {
    await hostileCase(h, 'oversized body', async () => {
      const big = JSON.stringify({ username: 'grid1', password: 'x'.repeat(17 * 1024) });
      const r = await raw('POST', '/api/session', { 'content-type': 'application/json' }, big);
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('E_TOO_LARGE');
      const huge = await raw('POST', '/api/alerts/x/resolve', { 'content-type': 'application/json', authorization: `Bearer ${grid1}` }, Buffer.alloc(8 * 1024 * 1024, 0x20));
      expect(huge.status).toBe(413);
    });
  });

  it('schema violations get 400 E_VALIDATION', async () => {
    await hostileCase(h, 'schema violations', async () => {
      const bad: [string, string, unknown][] = [
        ['POST', '/api/session', { username: 'grid1' }],
        ['POST', '/api/session', { username: 'grid1', password: 'demo-pass', admin: true }],
        ['POST', '/api/session', { username: 42, password: 'demo-pass' }],
        ['POST', '/api/session', ['grid1', 'demo-pass']],
        ['POST', '/api/session', { username: 'g'.repeat(65), password: 'demo-pass' }],
        ['POST', '/api/alerts/x/resolve', { outcome: 'eaten-by-wolves' }],
        ['POST', '/api/alerts/x/resolve', { outcome: 'assisted', note: 'n'.repeat(2001) }],
        ['POST', '/api/alerts/x/ack', { extra: 1 }],
        ['POST', '/api/devices', { id: 'bad id with spaces', householdId: 1 }],
        ['PUT', '/api/me/password', { currentPassword: 'demo-pass', newPassword: 'short' }],
      ];
      for (const [m, p, b] of bad) {
        const token = p === '/api/session' ? undefined : p === '/api/devices' ? h.adminToken : grid1;
        const r = await h.t.api(m, p, token, b);
        expect(r.status, `${m} ${p} ${JSON.stringify(b).slice(0, 60)}`).toBe(400);
        expect(r.body.error.code).toBe('E_VALIDATION');
      }
      expect((await h.t.api('GET', '/api/alerts?limit=-1', grid1)).status).toBe(400);
      expect((await h.t.api('GET', '/api/alerts?state=everything', grid1)).status).toBe(400);
      expect((await h.t.api('GET', '/api/reports/response-times?from=yesterday', grid1)).status).toBe(400);
    });
  });

  it('SQL-looking and __proto__ values are inert', async () => {
    await hostileCase(h, 'SQL-looking and __proto__ values', async () => {
      const alertsBefore = (h.t.hub.store.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
      for (const username of ["' OR '1'='1", "admin'--", 'admin"; DROP TABLE staff; --']) {
        expect((await login(username, "' OR '1'='1")).status).toBe(401);
      }
      for (const id of ["1' OR '1'='1", '1; DROP TABLE alerts', '%27%20OR%201=1', '__proto__', 'constructor']) {
        const r = await h.t.api('GET', `/api/alerts/${encodeURIComponent(id)}`, grid1);
        expect([403, 404], id).toContain(r.status);
        expect((await h.t.api('POST', `/api/alerts/${encodeURIComponent(id)}/ack`, grid1)).status).toBe(404);
      }
      const proto = await raw('POST', '/api/session', { 'content-type': 'application/json' }, '{"username":"grid1","password":"demo-pass","__proto__":{"role":"admin"}}');
      expect(proto.status).toBe(400);
      const ctor = await raw('POST', '/api/session', { 'content-type': 'application/json' }, '{"username":"grid1","password":"demo-pass","constructor":{"prototype":{"role":"admin"}}}');
      expect(ctor.status).toBe(400);
      expect(({} as Record<string, unknown>).role).toBeUndefined();
      // A real alert resolved with an SQL-looking note stores the note as text.
      const dev = await h.t.device('demo-0002');
      const { alertId } = await dev.send('press');
      await h.t.api('POST', `/api/alerts/${alertId}/ack`, grid1);
      const note = "'); DROP TABLE alerts; -- __proto__ {\"$where\":1}";
      const res = await h.t.api('POST', `/api/alerts/${alertId}/resolve`, grid1, { outcome: 'assisted', note });
      expect(res.status).toBe(200);
      expect(res.body.alert.note).toBe(note);
      expect((h.t.hub.store.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n).toBeGreaterThan(alertsBefore);
      expect((h.t.hub.store.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    });
  });

  it('forged, expired and missing tokens get 401', async () => {
    await hostileCase(h, 'forged, expired, missing tokens', async () => {
      const staffId = (await h.t.api('GET', '/api/me', grid1)).body.user.id as number;
      const expired = h.t.hub.store.staff.openSession(staffId, Date.now() - 3 * 3600_000, 3600_000).token;
      const cases: Record<string, string | undefined> = {
        missing: undefined, empty: 'Bearer ', forged: `Bearer ${'A'.repeat(43)}`, expired: `Bearer ${expired}`,
        basic: `Basic ${Buffer.from('grid1:demo-pass').toString('base64')}`, 'token with tail': `Bearer ${grid1}x`, 'lowercase scheme': `bearer ${grid1}`,
        'huge token': `Bearer ${'B'.repeat(8000)}`,
      };
      for (const [name, auth] of Object.entries(cases)) {
        const r = await raw('GET', '/api/alerts', auth ? { authorization: auth } : {});
        expect(r.status, name).toBe(401);
        expect(r.body.error.code, name).toBe('E_AUTH');
      }
      expect((await raw('GET', '/api/alerts', { authorization: `Bearer ${grid1}` })).status).toBe(200);
    });
  });

  it('2,000 headers are refused at the HTTP layer', async () => {
    await hostileCase(h, '2,000 headers', async () => {
      const headers = Array.from({ length: 2000 }, (_, i) => `X-H${i}: v${i}\r\n`).join('');
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(h.t.hub.ports.http, '127.0.0.1', () => s.write(`GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${grid1}\r\n${headers}\r\n`));
        let buf = '';
        s.on('data', (d) => { buf += d.toString(); });
        s.on('close', () => resolve(buf));
        s.on('error', reject);
        setTimeout(() => { s.destroy(); resolve(buf); }, 5000);
      });
      expect(reply).toMatch(/^HTTP\/1\.1 (431|400)/);
    });
  });

  it('another grid\'s alert can be neither read nor acted on, and does not leak in lists or reports', async () => {
    await hostileCase(h, "another grid's alert", async () => {
      const dev = await h.t.device('demo-0011'); // grid 2
      const { alertId } = await dev.send('press');
      expect(alertId).toBeTruthy();
      for (const [m, p, b] of [['GET', `/api/alerts/${alertId}`, undefined], ['GET', `/api/alerts/${alertId}/timeline`, undefined], ['POST', `/api/alerts/${alertId}/ack`, undefined],
        ['POST', `/api/alerts/${alertId}/arrive`, undefined], ['POST', `/api/alerts/${alertId}/resolve`, { outcome: 'assisted' }], ['POST', `/api/alerts/${alertId}/confirm-cancel`, undefined]] as const) {
        const r = await h.t.api(m, p, grid1, b);
        expect([403, 404], `${m} ${p}`).toContain(r.status);
        expect(JSON.stringify(r.body)).not.toContain('demo-0011');
      }
      for (const p of ['/api/alerts', '/api/alerts?state=all&limit=1000', '/api/reports/response-times', '/api/devices', '/api/households', '/api/devices/health']) {
        const r = await h.t.api('GET', p, grid1);
        expect(r.status, p).toBe(200);
        expect(JSON.stringify(r.body), p).not.toContain(alertId);
        expect(JSON.stringify(r.body), p).not.toContain('demo-0011');
      }
      const nodes = (await h.t.api('GET', '/api/grid', h.adminToken)).body.nodes as { id: number; name: string }[];
      const grid2 = nodes.find((n) => n.name === '第二网格')!;
      expect((await h.t.api('GET', `/api/reports/response-times?grid=${grid2.id}`, grid1)).status).toBe(403);
      const csv = await raw('GET', '/api/reports/response-times', { authorization: `Bearer ${grid1}`, accept: 'text/csv' });
      expect(csv.status).toBe(200);
      expect(String(csv.body)).not.toContain('第二网格');
      const state = (await h.t.api('GET', `/api/alerts/${alertId}`, h.adminToken)).body.alert.state;
      expect(state).toBe('raised'); // nothing grid 1 did touched it
    });
  });

  it('login brute force is limited per account and per source IP, with an admin unlock', async () => {
    await hostileCase(h, 'HTTP login brute force', async () => {
      for (let i = 0; i < DEFAULT_LIMIT_POLICY.maxFailuresPerAccount; i++) expect((await login('community', `guess-${i}`)).status).toBe(401);
      const locked = await login('community', 'demo-pass');
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('E_RATE_LIMITED');
      expect(locked.body.error.retryAfterS).toBeGreaterThan(0);
      expect((await login('grid2', 'demo-pass')).status).toBe(200); // other accounts are unaffected
      let limited = 0;
      for (let i = 0; i < DEFAULT_LIMIT_POLICY.maxFailuresPerSource; i++) if ((await login(`nobody-${i}`, 'x')).status === 429) limited++;
      expect(limited).toBeGreaterThan(0);
      expect((await login('grid2', 'demo-pass')).status).toBe(429); // the source is locked for everyone
      expect((await h.t.api('POST', '/api/security/unlock', grid1, { ip: '127.0.0.1' })).status).toBe(403);
      expect((await h.t.api('POST', '/api/security/unlock', h.adminToken, { ip: '127.0.0.1' })).status).toBe(200);
      expect((await login('grid2', 'demo-pass')).status).toBe(200);
      expect((await login('community', 'demo-pass')).status).toBe(429);
      expect((await h.t.api('POST', '/api/security/unlock', h.adminToken, { account: 'community' })).body.cleared).toBe(true);
      expect((await login('community', 'demo-pass')).status).toBe(200);
    });
  }, 60_000);
});
