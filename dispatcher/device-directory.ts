/**
 * Device authentication for the gateway. scrypt is deliberately slow (tens of ms), which a
 * reconnect storm of thousands of devices cannot afford, so a secret that verified once is
 * remembered as a SHA-256 digest in memory until the device is revoked or the hub restarts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceDirectory } from '../gateway/events.ts';
import type { Store } from './store/store.ts';
import { verifySecret } from './auth/secrets.ts';

export class StoreDeviceDirectory implements DeviceDirectory {
  private readonly verified = new Map<string, Buffer>();

  constructor(private readonly store: Store) {}

  async verifySecret(deviceId: string, secret: Buffer): Promise<boolean> {
    const hash = this.store.devices.secretHash(deviceId);
    if (!hash) return false;
    const digest = createHash('sha256').update(hash).update('\0').update(secret).digest();
    const known = this.verified.get(deviceId);
    if (known && timingSafeEqual(known, digest)) return true;
    const ok = await verifySecret(secret, hash);
    if (ok) this.verified.set(deviceId, digest);
    return ok;
  }

  forget(deviceId: string): void {
    this.verified.delete(deviceId);
  }
}
