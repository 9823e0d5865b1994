/**
 * The key of the device login memo (device-directory.ts): 32 random bytes in a file of its own,
 * made on first start with mode 0600, beside the database unless ANXIN_LOGIN_KEY_FILE says where.
 * It is kept out of the database so that a copy of the database alone does not let anyone test
 * guesses of an installer's device secret at the speed of an HMAC: the memo's MACs need this key.
 *
 * A key file that cannot be read, or holds the wrong number of bytes, does not stop the hub: it
 * logs why and uses a key for this run only. Logins then check scrypt again, once per device, as
 * after the very first start; nothing else depends on the key.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

export const LOGIN_KEY_BYTES = 32;

export function loadLoginKey(path: string | null, warn: (message: string) => void): Buffer {
  if (path === null) return randomBytes(LOGIN_KEY_BYTES);
  try {
    const key = randomBytes(LOGIN_KEY_BYTES);
    writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return ephemeral(warn, `the login key file ${path} could not be made (${(err as Error).message})`);
  }
  try {
    const key = readFileSync(path);
    if (key.length === LOGIN_KEY_BYTES) return key;
    return ephemeral(warn, `the login key file ${path} holds ${key.length} bytes, not ${LOGIN_KEY_BYTES}`);
  } catch (err) {
    return ephemeral(warn, `the login key file ${path} could not be read (${(err as Error).message})`);
  }
}

function ephemeral(warn: (message: string) => void, why: string): Buffer {
  warn(`${why}: device logins are remembered for this run only, and each device with a secret an installer supplied pays one scrypt check again after every restart. Delete the file to have a new key made.`);
  return randomBytes(LOGIN_KEY_BYTES);
}
