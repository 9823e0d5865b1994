/**
 * Feeds the audit log from the HTTP API with one response hook, so no route can forget it:
 * every login and failed login, logout, every alert action, every change an admin or leader
 * makes (any POST/PUT/PATCH/DELETE under /api), every report export, and every request refused
 * with 401 or 403. Secrets never reach the log: body fields that look like one are dropped.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { AuditLog, AuditEntry } from './audit-log.ts';
import { WRITE_METHODS, alertActionOf } from '../http/route-kinds.ts';

const SECRET_KEY = /pass|secret|token|key|hash/i;

export interface AuditHookDeps {
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  /** Staff id for a username (a successful login has no session on the request yet). */
  staffId(username: string): number | null;
  /**
   * Runs the append's transaction: the store's deferred commit (no fsync on the event loop; the group
   * fdatasync follows within milliseconds). The answer has already gone out when this runs, so nothing
   * waits for it; an entry written in the last milliseconds before a power cut can be lost with it.
   */
  commit<T>(fn: () => T): T;
}

/** The entry for one finished request, or null when it is not audit-worthy (plain reads). */
export function auditEntryFor(req: FastifyRequest, status: number, errorCode: string | undefined, deps: Pick<AuditHookDeps, 'staffId'>, at: number): AuditEntry | null {
  const path = req.url.split('?')[0];
  if (!path.startsWith('/api/')) return null;
  const route = `${req.method} ${req.routeOptions?.url ?? path}`;
  const outcome = status < 400 ? 'ok' : errorCode ?? `HTTP_${status}`;
  const params = (req.params ?? {}) as Record<string, unknown>;
  const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body as Record<string, unknown> : {};
  const who = { actorId: req.staff?.id ?? null, actor: req.staff?.username ?? '-' };
  const base = { at, ip: req.ip ?? '-', outcome, ...who };

  if (route === 'POST /api/session') {
    const username = typeof body.username === 'string' ? body.username : '-';
    const ok = status < 400;
    return { ...base, actorId: ok ? deps.staffId(username) : null, actor: username, action: ok ? 'login' : 'login_failed', target: route };
  }
  if (route === 'DELETE /api/session') return { ...base, action: 'logout', target: route };
  const alertAction = alertActionOf(route);
  if (alertAction) {
    return { ...base, action: status === 403 || status === 401 ? 'denied' : 'alert_action', target: String(params.id ?? path),
      detail: { action: alertAction, route, ...(typeof body.outcome === 'string' ? { resolveOutcome: body.outcome } : {}) } };
  }
  if (status === 401 || status === 403) return { ...base, action: 'denied', target: route, detail: { path, params: safe(params) } };
  if (WRITE_METHODS.has(req.method)) return { ...base, action: 'admin_change', target: route, detail: { params: safe(params), body: safe(body) } };
  if (req.method === 'GET' && path.startsWith('/api/reports/')) return { ...base, action: 'export', target: route, detail: { query: safe((req.query ?? {}) as Record<string, unknown>) } };
  return null;
}

function safe(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === '__proto__' || k === 'constructor' || SECRET_KEY.test(k)) continue;
    const s = JSON.stringify(v) ?? 'null';
    out[k] = s.length > 200 ? `${s.slice(0, 200)}…` : v;
  }
  return out;
}

export function registerAuditHook(app: FastifyInstance, deps: AuditHookDeps): void {
  const codes = new WeakMap<FastifyRequest, string>();
  app.addHook('onError', async (req, _reply, err) => {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('E_')) codes.set(req, code);
  });
  app.addHook('onResponse', async (req, reply) => {
    const entry = auditEntryFor(req, reply.statusCode, codes.get(req), deps, deps.clock.now());
    if (!entry) return;
    try {
      deps.commit(() => deps.audit.append(entry));
    } catch (err) {
      // The store is failing (disk full, locked): the action itself already happened or failed on its own.
      deps.log.error({ err, audit: entry }, 'could not write the audit log');
    }
  });
}
