/**
 * Device authentication for the gateway.
 *
 * A secret the hub generated is stored as a salted SHA-256 and checked in microseconds. A secret an
 * installer supplied is stored as scrypt, deliberately slow (54 ms on the benchmark machine), which
 * a fleet reconnecting after a restart pays once per device. For those:
 * - a secret that verified once is remembered as a SHA-256 digest in memory until the device is
 *   revoked or the hub restarts;
 * - a device that tries again while its check is still waiting for a lane of the pool (its
 *   connection timed out, it reconnected) joins that check instead of queueing a second one, so a
 *   storm's queue never holds the same work twice and every finished check serves the device's next
 *   attempt.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceDirectory } from '../gateway/events.ts';
import type { Store } from './store/store.ts';
import { isSlowHash, verifySecret } from './auth/secrets.ts';

export class StoreDeviceDirectory implements DeviceDirectory {
  private readonly verified = new Map<string, Buffer>();
  private readonly checking = new Map<string, Promise<boolean>>();

  constructor(private readonly store: Store) {}

  async verifySecret(deviceId: string, secret: Buffer): Promise<boolean> {
    const hash = this.store.devices.secretHash(deviceId);
    if (!hash) return false;
    if (!isSlowHash(hash)) return verifySecret(secret, hash);
    const digest = createHash('sha256').update(hash).update('\0').update(secret).digest();
    const known = this.verified.get(deviceId);
    if (known && timingSafeEqual(known, digest)) return true;
    const key = `${deviceId}\0${digest.toString('base64')}`;
    let check = this.checking.get(key);
    if (!check) {
      check = verifySecret(secret, hash).then((ok) => {
        if (ok && this.store.devices.secretHash(deviceId) === hash) this.verified.set(deviceId, digest);
        return ok;
      }).finally(() => this.checking.delete(key));
      this.checking.set(key, check);
    }
    return check;
  }

  forget(deviceId: string): void {
    this.verified.delete(deviceId);
  }
}
