/** Audits refused console WebSocket upgrades (bad or expired token, foreign Origin): they are permission denials too. */
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import type { Clock } from '../clock.ts';
import { AuditLog } from './audit-log.ts';

export type DenialListener = (status: string, why: string, ip: string) => void;

export function wsDenialAuditor(db: Db, clock: Clock, log: Logger): DenialListener {
  const audit = new AuditLog(db);
  return (status, why, ip) => {
    try {
      audit.append({ at: clock.now(), actorId: null, actor: '-', ip, action: 'denied', target: 'GET /ws', outcome: status.startsWith('401') ? 'E_AUTH' : 'E_FORBIDDEN', detail: { why } });
    } catch (err) {
      log.error({ err }, 'could not write the audit log');
    }
  };
}
