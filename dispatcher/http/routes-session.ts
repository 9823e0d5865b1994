/** Login, logout and "who am I". */
import type { FastifyPluginAsync } from 'fastify';
import { verifySecret } from '../auth/secrets.ts';
import { HubError } from '../errors.ts';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { staffView } from './staff-view.ts';

const loginSchema = {
  body: {
    type: 'object', additionalProperties: false, required: ['username', 'password'],
    properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
  },
} as const;

// A real hash to compare against when the user does not exist, so timing does not reveal it.
const DUMMY = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export const sessionRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  app.post<{ Body: { username: string; password: string } }>('/api/session', { schema: loginSchema }, async (req) => {
    const { username, password } = req.body;
    const limit = svc.limits?.staff.check(req.ip, username);
    if (limit && !limit.ok) {
      req.log.warn({ username, ip: req.ip, reason: limit.reason }, 'login refused: too many failed attempts');
      throw new HubError('E_RATE_LIMITED', 'too many failed logins: try again later or ask an admin to unlock', { retryAfterS: Math.ceil(limit.retryAfterMs / 1000) });
    }
    const user = svc.store.staff.byUsername(username);
    const ok = await verifySecret(password, user?.passwordHash ?? DUMMY);
    if (!user || !ok || user.disabled) {
      req.log.warn({ username, ip: req.ip }, 'login failed');
      svc.limits?.staff.failure(req.ip, username);
      throw new HubError('E_AUTH', 'wrong username or password');
    }
    svc.limits?.staff.success(req.ip, username);
    const { token, expiresAt } = svc.store.staff.openSession(user.id, svc.clock.now(), svc.config.sessionTtlH * 3600_000);
    req.log.info({ username, ip: req.ip }, 'login');
    return { token, expiresAt, user: staffView(user) };
  });

  app.delete('/api/session', async (req) => {
    svc.store.staff.closeSession(req.token!);
    svc.closeSockets({ token: req.token! }, 'logged out');
    return { ok: true };
  });

  app.get('/api/me', async (req) => ({ user: staffView(requireStaff(req)) }));
};
