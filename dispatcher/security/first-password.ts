/**
 * A password someone else set is its holder's to replace. A leader who makes a grid worker's account,
 * or an admin who resets a forgotten password, has chosen it and may have said it aloud or written
 * it down; until the holder sets their own, the hub takes no change from that account except:
 *
 * - the calls: accepting, arriving, resolving. A worker logging in for the first time at 3 a.m. to a
 *   ringing console handles the call first. An emergency hub never stands between staff and a call.
 * - setting their own password (PUT /api/me/password), and logging out.
 *
 * Everything else that writes (rosters, accounts, households, devices, the tree) gets 403
 * E_PASSWORD_CHANGE with a message saying what to do; reads are not held, so the console works and
 * shows a banner that leads to the form (console/js/main.js).
 */
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.ts';
import { WRITE_METHODS, alertActionOf } from '../http/route-kinds.ts';

/** True when `route` ("METHOD /url/:pattern") stays open to an account whose password someone else set. */
export function allowedBeforeOwnPassword(route: string): boolean {
  return route === 'PUT /api/me/password' || route === 'DELETE /api/session' || alertActionOf(route) !== null;
}

export function holdChangesUntilOwnPassword(app: FastifyInstance): void {
  app.addHook('preHandler', async (req) => {
    if (!req.staff?.mustChangePassword || !WRITE_METHODS.has(req.method)) return;
    if (req.routeOptions.url === undefined) return; // no such route: its 404 says more
    if (allowedBeforeOwnPassword(`${req.method} ${req.routeOptions.url}`)) return;
    throw new HubError('E_PASSWORD_CHANGE', 'your password was set by someone else: set your own first (PUT /api/me/password; in the console, at the foot of the duty page). Calls can be handled meanwhile');
  });
}
