/**
 * Device identity under attack, over raw MQTT sockets, each beside the legitimate 10/s
 * press stream: a stolen client id with a wrong secret, a Will on a foreign topic, a revoked
 * device, and brute force (per source IP and per device id, with an admin unlock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCase, printFigures, startHostileHub, type HostileHub } from './helpers/hostile-harness.ts';
import { RawClient, rawDevice, PT, publishPacket } from './helpers/raw-mqtt.ts';
import { DEFAULT_LIMIT_POLICY } from '../dispatcher/security/rate-limiter.ts';

let h: HostileHub;
let port = 0;

beforeAll(async () => {
  h = await startHostileHub({}, 40);
  port = h.t.hub.ports.mqtt;
}, 60_000);

afterAll(async () => {
  printFigures('hostile identity');
  await h?.t.stop();
});

async function tryLogin(id: string, secret: string, extra = {}): Promise<number | null> {
  const c = await RawClient.open(port);
  const rc = await c.connect({ clientId: id, username: id, password: secret, ...extra });
  c.destroy();
  return rc;
}

describe('device identity (raw sockets)', () => {
  it('wrong credentials with a connected device\'s client id do not disconnect the real device', async () => {
    await hostileCase(h, 'stolen client id, wrong secret', async () => {
      const d = h.spare[0];
      const real = await h.t.device(d.id, d.secret);
      for (let i = 0; i < 3; i++) expect(await tryLogin(d.id, 'not-the-secret')).toBe(4);
      expect(await tryLogin(d.id, '')).toBe(4);
      const c = await RawClient.open(port); // username of another device, client id of this one
      expect(await c.connect({ clientId: d.id, username: h.spare[1].id, password: h.spare[1].secret })).toBe(2);
      await new Promise((r) => setTimeout(r, 300));
      expect(real.connected).toBe(true);
      expect(h.t.hub.broker.isConnected(d.id)).toBe(true);
      const press = await real.send('press');
      expect(press.sends).toBe(1); // acked on the first send: the link never dropped
      await real.close();
    });
  });

  it('a Will on another device\'s topic is refused, and never published', async () => {
    await hostileCase(h, 'Will on a foreign topic', async () => {
      const d = h.spare[2];
      const victim = h.spare[3];
      for (const topic of [`anxin/v1/dev/${victim.id}/state`, `anxin/v1/dev/${victim.id}/up/event`, `anxin/v1/dev/${d.id}/up/event`]) {
        const c = await RawClient.open(port);
        const rc = await c.connect({ clientId: d.id, username: d.id, password: d.secret, will: { topic, payload: 'offline', qos: 1 } });
        expect([null, 5], topic).toContain(rc);
        expect(await c.waitClosed(5000)).toBe(true);
      }
      expect(h.t.hub.store.devices.get(victim.id)!.online).toBe(false);
      // Its own state topic is fine.
      const ok = await rawDevice(port, d.id, d.secret, { will: { topic: `anxin/v1/dev/${d.id}/state`, payload: 'offline', qos: 1, retain: true } });
      ok.destroy();
    });
  });

  it('revoking a device closes its live connection within 5 s and refuses its reconnect', async () => {
    await hostileCase(h, 'revoke a connected device', async () => {
      const d = h.spare[4];
      const c = await rawDevice(port, d.id, d.secret);
      const t0 = Date.now();
      const r = await h.t.api('POST', `/api/devices/${d.id}/revoke`, h.adminToken);
      expect(r.status).toBe(200);
      expect(await c.waitClosed(5000)).toBe(true);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(await tryLogin(d.id, d.secret)).toBe(4);
      // A revoked device's stray publish on a fresh socket goes nowhere either.
      const again = await RawClient.open(port);
      again.send(publishPacket(`anxin/v1/dev/${d.id}/up/event`, '{"seq":1,"type":"press"}', { qos: 1, id: 1 }));
      expect(await again.waitClosed(5000)).toBe(true);
      expect(again.packets.some((p) => p.type === PT.PUBACK)).toBe(false);
      // Not an admin: 403; unknown device: 404.
      const grid1 = await h.t.login('grid1');
      expect((await h.t.api('POST', `/api/devices/${h.spare[5].id}/revoke`, grid1)).status).toBe(403);
      expect((await h.t.api('POST', '/api/devices/nope-9999/revoke', h.adminToken)).status).toBe(404);
    });
  });

  it('brute force over MQTT is limited per device id and per source IP, and an admin can unlock', async () => {
    await hostileCase(h, 'MQTT brute force, per account and per source', async () => {
      const target = h.spare[10];
      const trusted = h.spare[11];
      expect(await tryLogin(trusted.id, trusted.secret)).toBe(0); // logged in before the attack
      // Per account: after N failures even the right secret is refused from an unknown pair...
      for (let i = 0; i < DEFAULT_LIMIT_POLICY.maxFailuresPerAccount; i++) expect(await tryLogin(target.id, `guess-${i}`)).toBe(4);
      expect(await tryLogin(target.id, target.secret)).toBe(5);
      // ...but a device that logged in from this address before keeps its access.
      for (let i = 0; i < DEFAULT_LIMIT_POLICY.maxFailuresPerAccount; i++) await tryLogin(trusted.id, `guess-${i}`);
      expect(await tryLogin(trusted.id, trusted.secret)).toBe(0);
      // Per source: failures spread over many device ids lock the source IP.
      const others = h.spare.slice(12, 40);
      let refused = 0;
      for (let i = 0; i < DEFAULT_LIMIT_POLICY.maxFailuresPerSource + 5; i++) if ((await tryLogin(others[i % others.length].id, 'wrong')) === 5) refused++;
      expect(refused).toBeGreaterThan(0);
      expect(await tryLogin(h.spare[39].id, h.spare[39].secret)).toBe(5);
      expect(await tryLogin(trusted.id, trusted.secret)).toBe(0); // known devices still get in
      const locks = await h.t.api('GET', '/api/security/locks', h.adminToken);
      expect(locks.body.devices.sources.map((s: { key: string }) => s.key)).toContain('127.0.0.1');
      expect(locks.body.devices.accounts.map((s: { key: string }) => s.key)).toContain(target.id);
      // Only an admin may unlock.
      const grid1 = await h.t.login('grid1');
      expect((await h.t.api('POST', '/api/security/unlock', grid1, { ip: '127.0.0.1' })).status).toBe(403);
      expect((await h.t.api('POST', '/api/security/unlock', h.adminToken, {})).status).toBe(400);
      expect((await h.t.api('POST', '/api/security/unlock', h.adminToken, { ip: '127.0.0.1', account: target.id })).body).toEqual({ ok: true, cleared: true });
      expect(await tryLogin(h.spare[39].id, h.spare[39].secret)).toBe(0);
      expect(await tryLogin(target.id, target.secret)).toBe(0);
    });
  }, 60_000);
});
