/**
 * Security routes: a staff member changes their own password (which ends their other sessions
 * and closes their open consoles), and an admin lists and clears brute-force locks.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from '../http/services.ts';
import { requireAdmin, requireStaff } from '../http/app.ts';
import { hashSecret, verifySecret } from '../auth/secrets.ts';
import { HubError } from '../errors.ts';

const passwordBody = {
  type: 'object', additionalProperties: false, required: ['currentPassword', 'newPassword'],
  properties: { currentPassword: { type: 'string', minLength: 1, maxLength: 256 }, newPassword: { type: 'string', minLength: 8, maxLength: 256 } },
} as const;

const unlockBody = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: { ip: { type: 'string', minLength: 1, maxLength: 64 }, account: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const securityRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  app.put<{ Body: { currentPassword: string; newPassword: string } }>('/api/me/password', { schema: { body: passwordBody } }, async (req) => {
    const staff = requireStaff(req);
    const full = svc.store.staff.byUsername(staff.username);
    if (!full || !(await verifySecret(req.body.currentPassword, full.passwordHash))) {
      req.log.warn({ username: staff.username, ip: req.ip }, 'password change refused: wrong current password');
      throw new HubError('E_FORBIDDEN', 'the current password is wrong');
    }
    if (req.body.newPassword === req.body.currentPassword) throw new HubError('E_VALIDATION', 'the new password must differ from the current one');
    const ended = svc.store.staff.setPassword(staff.id, await hashSecret(req.body.newPassword), req.token, false);
    // Their other consoles go to the login page; the one that asked keeps its session and its socket.
    const closed = svc.closeSockets({ staffId: staff.id, exceptToken: req.token ?? undefined }, 'password changed');
    req.log.info({ username: staff.username, ip: req.ip, sessionsEnded: ended, socketsClosed: closed }, 'password changed');
    return { ok: true, sessionsEnded: ended };
  });

  app.get('/api/security/locks', async (req) => {
    requireAdmin(req);
    return { staff: svc.limits?.staff.locked() ?? null, devices: svc.limits?.devices.locked() ?? null };
  });

  app.post<{ Body: { ip?: string; account?: string } }>('/api/security/unlock', { schema: { body: unlockBody } }, async (req) => {
    const admin = requireAdmin(req);
    const which = { source: req.body.ip, account: req.body.account };
    const staff = svc.limits?.staff.unlock(which) ?? false;
    const devices = svc.limits?.devices.unlock(which) ?? false;
    req.log.info({ admin: admin.username, ip: req.ip, unlockIp: which.source, unlockAccount: which.account }, 'brute-force lock cleared');
    return { ok: true, cleared: staff || devices };
  });
};
