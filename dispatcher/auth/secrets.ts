/** Password and device-secret hashing with scrypt (memory-hard), in a self-describing format. */
import { randomBytes, scrypt as scryptCb, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384, R = 8, P = 1, KEYLEN = 32;

/**
 * scrypt runs on libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 by default), and so does the
 * group fdatasync of the store's log that every ack and every durable answer waits for
 * (store/wal-sync.ts). The pool takes work first come, first served: thousands of hashes queued at
 * once (bulk provisioning, a fleet reconnecting after a restart) put each fdatasync behind all of
 * them. While 10,000 test devices were provisioned, a device's presses took 75 ms at the median and
 * up to 179 ms to commit (bench/provision-cost.ts). At most HASH_LANES hashes are given to the pool
 * at a time, so the rest of it stays free for the store; on two cores two hashes keep both busy.
 */
export const HASH_LANES = Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 2);
let running = 0;
const queued: (() => void)[] = [];
/** Hashes given to the pool now, and the most at once since start-up (read by tests). */
export const hashing = { running: () => running, peak: 0 };

async function scrypt(secret: string | Buffer, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  if (running < HASH_LANES) running++;
  else await new Promise<void>((go) => queued.push(go)); // the finishing hash hands over its lane
  hashing.peak = Math.max(hashing.peak, running);
  try {
    return await new Promise((resolve, reject) =>
      scryptCb(secret, salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
  } finally {
    const next = queued.shift();
    if (next) next();
    else running--;
  }
}

/** `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashSecret(secret: string | Buffer, n = N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, n, R, P);
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export function hashSecretSync(secret: string | Buffer): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string | Buffer, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const want = Buffer.from(hash, 'base64url');
  const got = await scrypt(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return got.length === want.length && timingSafeEqual(got, want);
}
