/**
 * Password and device-secret hashing in a self-describing format: scrypt (memory-hard) for secrets a
 * person chose, salted SHA-256 for the device secrets the hub generates itself.
 */
import { createHash, randomBytes, randomInt, scrypt as scryptCb, scryptSync, timingSafeEqual } from 'node:crypto';

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
/** Hashes given to the pool now, the most at once since start-up, and scrypt hashes run (read by tests). */
export const hashing = { running: () => running, peak: 0, done: 0 };

async function scrypt(secret: string | Buffer, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  if (running < HASH_LANES) running++;
  else await new Promise<void>((go) => queued.push(go)); // the finishing hash hands over its lane
  hashing.peak = Math.max(hashing.peak, running);
  try {
    return await new Promise((resolve, reject) =>
      scryptCb(secret, salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
  } finally {
    hashing.done++;
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

const sha256 = (salt: Buffer, secret: string | Buffer) => createHash('sha256').update(salt).update(secret).digest();

/**
 * A device secret the hub makes: 128 random bits, and its stored form `sha256$salt$hash`.
 *
 * A memory-hard hash is there to slow down guessing a secret a person chose. Nobody guesses 128 random
 * bits, whatever each guess costs, so scrypt would buy these secrets nothing; but every device pays one
 * check of its stored hash at its first login after a hub restart. With scrypt at the bulk cost
 * (N=1024, 5 ms here), 10,000 devices were all back only 38 s after a restart, and presses made
 * meanwhile waited 11 s at the median; at the interactive cost (N=16384, 54 ms) 2,000 devices were not
 * all back after a minute (bench/restart-storm.ts). On the event loop, checking one
 * takes 2-5 µs and making one (two random draws and a hash) 6-8 µs: 10,000 in 60-78 ms (2-core Xeon,
 * 2026-12-01, five runs).
 */
export function generateSecret(): { secret: string; stored: string } {
  const secret = randomBytes(16).toString('base64url');
  const salt = randomBytes(16);
  return { secret, stored: `sha256$${salt.toString('base64url')}$${sha256(salt, secret).toString('base64url')}` };
}

/** Letters and digits nobody mixes up on a printed slip or a phone keyboard (no 0/o, 1/l/i). */
const SLIP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * A first password the hub makes for an account (an imported one): 12 characters from 31, about 59
 * bits, to hand over on a slip and type on a phone. Its holder must replace it at first use
 * (security/first-password.ts), so it is stored as a generated secret is (salted SHA-256), not
 * with scrypt: a sheet of 600 accounts would otherwise hold two lanes of the pool for 16 s.
 */
export function generatePassword(): { secret: string; stored: string } {
  const secret = Array.from({ length: 12 }, () => SLIP_ALPHABET[randomInt(SLIP_ALPHABET.length)]).join('');
  const salt = randomBytes(16);
  return { secret, stored: `sha256$${salt.toString('base64url')}$${sha256(salt, secret).toString('base64url')}` };
}

/** True when checking `stored` costs a scrypt run (a lane of the pool), false for a generated secret's hash. */
export const isSlowHash = (stored: string) => stored.startsWith('scrypt$');

export async function verifySecret(secret: string | Buffer, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const parts = stored.split('$');
  if (parts.length === 3 && parts[0] === 'sha256') {
    const want = Buffer.from(parts[2], 'base64url');
    const got = sha256(Buffer.from(parts[1], 'base64url'), secret);
    return got.length === want.length && timingSafeEqual(got, want);
  }
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const want = Buffer.from(hash, 'base64url');
  const got = await scrypt(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return got.length === want.length && timingSafeEqual(got, want);
}
