/**
 * Reading the audit log (admins): GET /api/audit, newest first, filtered by who (`actor`, a
 * username), what (`action`) and a piece of the target (`target`: an alert id, a route), one page
 * at a time (`before`: the `next` of the page before). Each page looks at most 20,000 rows back,
 * so a filter that rarely matches answers quickly with fewer rows and a `next` to go on from.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from '../http/services.ts';
import { requireAdmin } from '../http/app.ts';
import { AuditLog } from './audit-log.ts';

const query = {
  type: 'object', additionalProperties: false,
  properties: {
    before: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' },
    limit: { type: 'string', pattern: '^([1-9][0-9]?|[1-4][0-9]{2}|500)$' },
    actor: { type: 'string', minLength: 1, maxLength: 128 },
    action: { type: 'string', enum: ['login', 'login_failed', 'logout', 'alert_action', 'admin_change', 'denied', 'export'] },
    target: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;
interface Query { before?: string; limit?: string; actor?: string; action?: string; target?: string }

export const auditRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  const log = new AuditLog(svc.store.db);
  app.get<{ Querystring: Query }>('/api/audit', { schema: { querystring: query } }, async (req) => {
    requireAdmin(req);
    const q = req.query;
    return log.search({ before: q.before === undefined ? null : Number(q.before), limit: Number(q.limit ?? 100), actor: q.actor, action: q.action, target: q.target });
  });
};
