/** `npm run hub -- audit-verify`: walks the audit chain of the configured database and reports. */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { AuditLog } from './audit-log.ts';

/** Returns the process exit code: 0 intact, 1 tampered, 2 cannot check. */
export function auditVerify(dbPath: string, out: (s: string) => void, err: (s: string) => void): number {
  if (!existsSync(dbPath)) {
    err(`anxin: no database at ${dbPath} (set ANXIN_DB)\n`);
    return 2;
  }
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
    if (!has) {
      err(`anxin: ${dbPath} has no audit log yet (start the hub once to migrate it)\n`);
      return 2;
    }
    const r = new AuditLog(db).verify();
    if (r.ok) {
      out(`audit log intact: ${r.rows} rows, hash chain verified (${dbPath})\n`);
      return 0;
    }
    err(`AUDIT LOG TAMPERED: ${r.problems.length} problem(s) in ${r.rows} rows (${dbPath})\n`);
    for (const p of r.problems.slice(0, 50)) err(`  row ${p.id}: ${p.why}\n`);
    return 1;
  } finally {
    db.close();
  }
}
