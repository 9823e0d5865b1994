/**
 * Device authentication for the gateway.
 *
 * A secret the hub generated is stored as a salted SHA-256 and checked in microseconds. A secret an
 * installer supplied is stored as scrypt, deliberately slow (54 ms on the benchmark machine), which a
 * fleet reconnecting after a restart would pay once per device. For those:
 * - a secret that verified once is remembered in the store as an HMAC, under the login key, of the
 *   stored hash and the secret (store/login-memo-repo.ts, auth/login-key.ts): the device's next
 *   login with it, after a restart too, is one HMAC and one read. A new secret (a new stored hash), a
 *   revocation or another key makes the memo miss, and scrypt decides again;
 * - a device that tries again while its check is still waiting for a lane of the pool (its
 *   connection timed out, it reconnected) joins that check instead of queueing a second one, so a
 *   storm's queue never holds the same work twice.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeviceDirectory } from '../gateway/events.ts';
import type { Store } from './store/store.ts';
import { isSlowHash, verifySecret } from './auth/secrets.ts';

export class StoreDeviceDirectory implements DeviceDirectory {
  private readonly checking = new Map<string, Promise<boolean>>();
  /** Logins the memo answered, and memo writes that failed (a failing disk: logins still work, by scrypt). Read by tests. */
  readonly stats = { memoHits: 0, memoWriteErrors: 0 };

  constructor(private readonly store: Store, private readonly key: Buffer) {}

  async verifySecret(deviceId: string, secret: Buffer): Promise<boolean> {
    const hash = this.store.devices.secretHash(deviceId);
    if (!hash) return false;
    if (!isSlowHash(hash)) return verifySecret(secret, hash);
    const mac = createHmac('sha256', this.key).update(hash).update('\0').update(secret).digest();
    const known = this.store.loginMemo.get(deviceId);
    if (known && known.length === mac.length && timingSafeEqual(known, mac)) { this.stats.memoHits++; return true; }
    const key = `${deviceId}\0${mac.toString('base64')}`;
    let check = this.checking.get(key);
    if (!check) {
      check = verifySecret(secret, hash).then((ok) => {
        if (ok && this.store.devices.secretHash(deviceId) === hash) this.remember(deviceId, mac);
        return ok;
      }).finally(() => this.checking.delete(key));
      this.checking.set(key, check);
    }
    return check;
  }

  /** A revoked device's memo goes with it. */
  forget(deviceId: string): void {
    try { this.store.loginMemo.remove(deviceId); } catch { this.stats.memoWriteErrors++; }
  }

  private remember(deviceId: string, mac: Buffer): void {
    try { this.store.loginMemo.set(deviceId, mac); } catch { this.stats.memoWriteErrors++; }
  }
}
