/**
 * Device logins after a hub restart, when the hub's memory of verified secrets is empty: a secret the
 * hub generated is checked without scrypt; attempts of one device whose scrypt check is still running
 * share it; a supplied secret that verified is remembered across restarts under the login key;
 * malformed stored hashes are refused, not thrown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { RawClient, connectPacket } from './helpers/raw-mqtt.ts';
import { generateSecret, hashing, hashSecret, verifySecret } from '../dispatcher/auth/secrets.ts';

let t: TestHub;
let admin: string;

beforeAll(async () => {
  t = await startTestHub();
  admin = await t.login('admin');
}, 30_000);
afterAll(async () => { await t?.stop(); });

async function login(id: string, secret: string): Promise<number | null> {
  const c = await RawClient.open(t.hub.ports.mqtt);
  try { return await c.connect({ clientId: id, username: id, password: secret }); } finally { c.destroy(); }
}

const storedHash = (id: string) => (t.hub.store.db.prepare('SELECT secret_hash AS h FROM devices WHERE id = ?').get(id) as { h: string }).h;

describe('device logins', () => {
  it('a secret the hub generates is 128 bits, stored as salted SHA-256, and checked without scrypt after a restart', async () => {
    const r = await t.api('POST', '/api/devices', admin, { id: 'gen-1', householdId: 1 });
    expect(r.status).toBe(201);
    expect(Buffer.from(r.body.secret, 'base64url')).toHaveLength(16);
    expect(storedHash('gen-1')).toMatch(/^sha256\$[\w-]{22}\$[\w-]{43}$/);
    await t.restart();
    const before = hashing.done;
    expect(await login('gen-1', r.body.secret)).toBe(0);
    expect(await login('gen-1', `${r.body.secret}x`)).toBe(4);
    expect(await login('gen-1', '')).toBe(4);
    expect(hashing.done).toBe(before);
  });

  it('a supplied secret keeps scrypt; a device that gives up on its login and tries again joins the check still running', async () => {
    const secret = 'installer-chosen-1';
    expect((await t.api('POST', '/api/devices', admin, { id: 'inst-1', householdId: 1, secret })).status).toBe(201);
    expect(storedHash('inst-1')).toMatch(/^scrypt\$16384\$/);
    await t.restart();
    const before = hashing.done;
    // Seven attempts abandoned before their CONNACK (as a device's connect timeout does in a storm), then one that waits.
    for (let i = 0; i < 7; i++) {
      const c = await RawClient.open(t.hub.ports.mqtt);
      c.send(connectPacket({ clientId: 'inst-1', username: 'inst-1', password: secret }));
      await new Promise((r) => setTimeout(r, 2));
      c.destroy();
    }
    expect(await login('inst-1', secret)).toBe(0);
    expect(hashing.done - before).toBe(1);
    // A wrong secret is a check of its own, and is refused.
    expect(await login('inst-1', 'installer-chosen-2')).toBe(4);
    expect(hashing.done - before).toBe(2);
  });

  it('a supplied secret that verified is remembered across restarts under the login key; a wrong secret, a new key or a revocation is not', async () => {
    const secret = 'installer-chosen-3';
    expect((await t.api('POST', '/api/devices', admin, { id: 'inst-3', householdId: 1, secret })).status).toBe(201);
    const before = hashing.done;
    expect(await login('inst-3', secret)).toBe(0);
    expect(hashing.done - before).toBe(1);
    await t.restart();
    expect(await login('inst-3', secret)).toBe(0);
    expect(hashing.done - before).toBe(1); // the memo answered
    expect(await login('inst-3', 'installer-chosen-4')).toBe(4);
    expect(hashing.done - before).toBe(2);
    // Nothing in the database alone opens the memo: with another key it misses, and scrypt decides again.
    const keyFile = `${t.dbPath}.login-key`;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile)).toHaveLength(32);
    rmSync(keyFile);
    await t.restart();
    expect(await login('inst-3', secret)).toBe(0);
    expect(hashing.done - before).toBe(3);
    expect(await login('inst-3', secret)).toBe(0);
    expect(hashing.done - before).toBe(3);
    expect((await t.api('POST', '/api/devices/inst-3/revoke', admin)).status).toBe(200);
    expect(t.hub.store.loginMemo.get('inst-3')).toBeUndefined();
    expect(await login('inst-3', secret)).toBe(4);
  });

  it('a login key file of the wrong size is logged and replaced by a key for this run; logins still work', async () => {
    const keyFile = `${t.dbPath}.login-key`;
    writeFileSync(keyFile, 'short');
    await t.restart();
    const before = hashing.done;
    expect(await login('inst-1', 'installer-chosen-1')).toBe(0);
    expect(hashing.done - before).toBe(1);
    expect(readFileSync(keyFile).toString()).toBe('short'); // left for the admin to look at
    rmSync(keyFile);
    await t.restart();
  });

  it('bulk devices get generated secrets too', async () => {
    const r = await t.api('POST', '/api/devices/bulk', admin, { prefix: 'gb-', count: 3, householdIds: [1] });
    expect(r.status).toBe(201);
    for (const d of r.body.devices) expect(storedHash(d.id)).toMatch(/^sha256\$/);
    expect(await login(r.body.devices[2].id, r.body.devices[2].secret)).toBe(0);
    expect(await login(r.body.devices[2].id, r.body.devices[1].secret)).toBe(4);
  });

  it('malformed or unknown stored hashes are refused', async () => {
    const { secret, stored } = generateSecret();
    expect(await verifySecret(secret, stored)).toBe(true);
    const [, salt, hash] = stored.split('$');
    for (const bad of [`sha256$${salt}`, `sha256$${salt}$${hash.slice(0, 20)}`, `sha256$$${hash}`, `sha512$${salt}$${hash}`, `sha256$${salt}$${hash}$x`, '', 'x'])
      expect(await verifySecret(secret, bad)).toBe(false);
    expect(await verifySecret(secret, (await hashSecret(secret, 1024)))).toBe(true);
  });
});
