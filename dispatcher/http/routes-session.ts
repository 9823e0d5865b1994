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
    const user = svc.store.staff.byUsername(username);
    const ok = await verifySecret(password, user?.passwordHash ?? DUMMY);
    if (!user || !ok || user.disabled) {
      req.log.warn({ username, ip: req.ip }, 'login failed');
      throw new HubError('E_AUTH', 'wrong username or password');
    }
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
