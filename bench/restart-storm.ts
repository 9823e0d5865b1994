/**
 * A street office's fleet reconnecting after a hub restart: N connected devices, the hub restarted
 * (SIGTERM, started again on the same file and ports), every device reconnecting at a random moment
 * within 5 s with backoff and jitter, 20 presses/s from random devices meanwhile (benchmark 4's
 * storm, bench/b4-storm.ts). Benchmark 4 drops the links with the hub's memory of verified secrets
 * warm; here the restart has emptied it, so every device's first login checks its stored hash again.
 *
 *   npx tsx bench/restart-storm.ts [N] [bulk|installed|installed-new-key]
 *
 * `bulk`: secrets the hub made, as POST /api/devices/bulk stores them. `installed`: secrets an
 * installer supplied, as POST /api/devices stores them (scrypt; written straight into the file while
 * the hub is down, one hash shared by all devices: each device still pays its own check), whose
 * logins the hub remembers across the restart (device_login_memo). `installed-new-key`: the same,
 * with the login key deleted while the hub is down, so that nothing is remembered and every device
 * pays its scrypt (a lost key; and what every restart cost before the memo).
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { startBenchHub } from './common.ts';
import { storm } from './b4-storm.ts';
import { hashSecret } from '../dispatcher/auth/secrets.ts';

const N = Number(process.argv[2] ?? 2000);
const kind = process.argv[3] ?? 'bulk';
if (!['bulk', 'installed', 'installed-new-key'].includes(kind) || !(N > 0)) throw new Error('usage: restart-storm.ts [N] [bulk|installed|installed-new-key]');

const hub = await startBenchHub(N, { ANXIN_ESCALATE_AFTER_S: '3600' });
try {
  if (kind !== 'bulk') {
    const secret = 'installed-device-secret';
    const stored = await hashSecret(secret);
    await hub.proc.restart(0, false, () => {
      const db = new Database(hub.proc.dbPath);
      db.prepare("UPDATE devices SET secret_hash = ? WHERE id LIKE 'b-%'").run(stored);
      db.close();
    });
    for (const c of hub.creds) c.secret = secret;
  }
  const t0 = performance.now();
  const newKey = () => rmSync(`${hub.proc.dbPath}.login-key`);
  const r = await storm({ devices: N, withinS: 5, alarmsPerS: 20 }, 'hub', hub, () => hub.proc.restart(0, false, kind === 'installed-new-key' ? newKey : undefined));
  console.log(JSON.stringify({ devices: N, kind, ...r, benchS: (performance.now() - t0) / 1000 }));
} finally {
  await hub.stop();
}
