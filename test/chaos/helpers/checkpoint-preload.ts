/**
 * Loaded into the hub child with `--import` by the crash test (never in production). When
 * ANXIN_CHAOS_CHECKPOINT_MS is set it runs `PRAGMA wal_checkpoint(TRUNCATE)` on the hub's
 * database from inside the hub process every that many milliseconds, on a connection of its
 * own, and writes a marker line to stderr (synchronously, before and after) so the test can
 * SIGKILL the process while a checkpoint is running and can tell whether it really was.
 */
import Database from 'better-sqlite3';
import { writeSync } from 'node:fs';

const every = Number(process.env.ANXIN_CHAOS_CHECKPOINT_MS ?? 0);
const path = process.env.ANXIN_DB;
if (every > 0 && path) {
  let db: Database.Database | null = null;
  let n = 0;
  const timer = setInterval(() => {
    try {
      db ??= new Database(path, { fileMustExist: true });
      db.pragma('busy_timeout = 2000');
      n++;
      const t0 = performance.now();
      writeSync(2, `chaos:ckpt-begin ${n}\n`);
      const r = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      writeSync(2, `chaos:ckpt-end ${n} ${(performance.now() - t0).toFixed(1)}ms pages=${r[0]?.checkpointed ?? -1} busy=${r[0]?.busy ?? -1}\n`);
    } catch (err) {
      writeSync(2, `chaos:ckpt-error ${n} ${(err as Error).message}\n`);
    }
  }, every);
  timer.unref();
}
