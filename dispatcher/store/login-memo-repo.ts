/**
 * Devices whose scrypt-hashed secret verified, by an HMAC of the stored hash and the secret under the
 * login key (auth/login-key.ts): the next login of that device with that secret, after a restart too,
 * is one HMAC and one read by primary key instead of a scrypt run (device-directory.ts).
 */
import type { Db } from './db.ts';

export class LoginMemoRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      get: db.prepare('SELECT mac FROM device_login_memo WHERE device_id = ?').pluck(),
      set: db.prepare('INSERT INTO device_login_memo (device_id, mac) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET mac = excluded.mac'),
      remove: db.prepare('DELETE FROM device_login_memo WHERE device_id = ?'),
    };
  }

  get(deviceId: string): Buffer | undefined {
    return this.s.get.get(deviceId) as Buffer | undefined;
  }

  set(deviceId: string, mac: Buffer): void {
    this.s.set.run(deviceId, mac);
  }

  remove(deviceId: string): void {
    this.s.remove.run(deviceId);
  }
}
