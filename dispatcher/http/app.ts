/**
 * The HTTP API and console as a fastify app. Built by buildHttpApp() so tests can start it on
 * port 0 or inject requests. Errors carry a code (errors.ts) mapped to a status in one place.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { HubError, ERROR_STATUS } from '../errors.ts';
import type { Staff } from '../store/staff-repo.ts';
import type { HubServices } from './services.ts';
import { sessionRoutes } from './routes-session.ts';
import { alertRoutes } from './routes-alerts.ts';
import { directoryRoutes } from './routes-directory.ts';
import { gridRoutes } from './routes-grid.ts';
import { provisionRoutes } from './routes-provision.ts';
import { reportRoutes } from './routes-reports.ts';
import { rosterRoutes } from './routes-rosters.ts';
import { dutyRoutes } from './routes-duty.ts';
import { householdRoutes } from './routes-households.ts';
import { householdImportRoutes } from './routes-household-import.ts';
import { staffRoutes } from './routes-staff.ts';
import { staffImportRoutes } from './routes-staff-import.ts';
import { auditRoutes } from '../audit/routes-audit.ts';
import { rfRoutes } from '../rf/routes-rf.ts';
import { securityRoutes } from '../security/routes-security.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { registerAuditHook } from '../audit/audit-hook.ts';
import { holdAnswersUntilDurable } from './durable-answers.ts';
import { holdChangesUntilOwnPassword } from '../security/first-password.ts';
import { WRITE_METHODS, isDutyRoute } from './route-kinds.ts';

declare module 'fastify' {
  interface FastifyRequest { staff: Staff | null; token: string | null }
}

const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

export function buildHttpApp(svc: HubServices, log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: log.child({ part: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    ...(svc.config.tls ? { https: { cert: svc.config.tls.cert, key: svc.config.tls.key, handshakeTimeout: 10_000 } } : {}),
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  // The API speaks JSON only: without this, text/plain bodies reached the schema as strings (400, not 415).
  app.removeContentTypeParser('text/plain');
  // A timed-out TLS handshake is reported here but its socket is left open by Node: close it.
  if (svc.config.tls) app.server.on('tlsClientError', (_err: Error, s: { destroy(): void }) => s.destroy());
  app.decorateRequest('staff', null);
  app.decorateRequest('token', null);
  holdAnswersUntilDurable(app as unknown as FastifyInstance, svc.store);
  registerAuditHook(app as unknown as FastifyInstance, { audit: new AuditLog(svc.store.db), clock: svc.clock, log, staffId: (u) => svc.store.staff.byUsername(u)?.id ?? null,
    commit: (fn) => svc.store.txDeferred(fn) });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HubError) return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ?? {}) } });
    const e = err as { validation?: unknown; statusCode?: number; code?: string; message: string };
    if (e.validation) return reply.status(400).send({ error: { code: 'E_VALIDATION', message: e.message } });
    const status = e.statusCode ?? 500;
    if (status === 413) return reply.status(413).send({ error: { code: 'E_TOO_LARGE', message: 'request body too large' } });
    if (status === 415) return reply.status(415).send({ error: { code: 'E_UNSUPPORTED_MEDIA', message: 'send application/json' } });
    if (status >= 400 && status < 500) return reply.status(status).send({ error: { code: 'E_BAD_REQUEST', message: e.message } });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'E_INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: { code: 'E_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));

  // Bearer authentication for every /api route except login.
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/') || (req.url.startsWith('/api/session') && req.method === 'POST')) return;
    const h = req.headers.authorization;
    const token = h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
    const staff = token ? svc.store.staff.sessionStaff(token, svc.clock.now()) : undefined;
    if (!token || !staff) throw new HubError('E_AUTH', token ? 'session expired or unknown: log in again' : 'missing Authorization: Bearer <token>');
    req.staff = staff;
    req.token = token;
  });
  holdChangesUntilOwnPassword(app as unknown as FastifyInstance);
  // A roster, node or account that changed may change who is on duty: open duty pages are told.
  app.addHook('onResponse', async (req, reply) => {
    // Nobody edits outside their area, so the editor's area is where the boards that may read differently are.
    if (reply.statusCode < 300 && WRITE_METHODS.has(req.method) && isDutyRoute(req.routeOptions.url)) svc.dutyChanged(req.staff ? svc.alerts.scopeOf(req.staff) ?? null : null);
  });

  app.get('/healthz', async () => svc.health());
  app.register(sessionRoutes(svc));
  app.register(alertRoutes(svc));
  app.register(gridRoutes(svc));
  app.register(directoryRoutes(svc));
  app.register(householdRoutes(svc));
  app.register(householdImportRoutes(svc));
  app.register(staffRoutes(svc));
  app.register(staffImportRoutes(svc));
  app.register(auditRoutes(svc));
  app.register(provisionRoutes(svc));
  app.register(reportRoutes(svc));
  app.register(rosterRoutes(svc));
  app.register(dutyRoutes(svc));
  app.register(rfRoutes(svc));
  app.register(securityRoutes(svc));
  app.register(fastifyStatic, { root: CONSOLE_DIR, index: ['index.html'], cacheControl: false });
  return app as unknown as FastifyInstance;
}

export function requireStaff(req: FastifyRequest): Staff {
  if (!req.staff) throw new HubError('E_AUTH', 'not logged in');
  return req.staff;
}

export function requireAdmin(req: FastifyRequest): Staff {
  const s = requireStaff(req);
  if (s.role !== 'admin') throw new HubError('E_FORBIDDEN', 'admins only');
  return s;
}

export { ERROR_STATUS };
