/**
 * The duty board (GET /api/duty): every grid node in the caller's scope with who is on duty now,
 * whether each has a console open, and where a call raised there now would ring first
 * (domain/duty-board.ts); and the staff in the caller's scope, for the roster editor's picker
 * and for phoning a colleague who is on duty but not connected. Read by any staff member:
 * a grid worker sees their own grid. A street office has some hundreds of nodes and staff, read
 * from memory (grid, rosters, staff are cached), so it is built on the event loop.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { accountWithin } from './staff-view.ts';
import { isWithin } from '../domain/grid.ts';
import { dutyBoard } from '../domain/duty-board.ts';

export const dutyRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  app.get('/api/duty', { schema: { querystring: { type: 'object', additionalProperties: false } } }, async (req) => {
    const me = requireStaff(req);
    const now = svc.clock.now();
    const scope = svc.alerts.scopeOf(me);
    const grid = svc.store.grid;
    const nodes = scope === undefined ? [] : grid.list().filter((n) => scope === null || isWithin(n.path, scope));
    const board = dutyBoard({
      nodes, now,
      onDuty: (id) => svc.alerts.onDutyNow(id, now),
      isOnline: (id) => svc.alerts.isOnline(id),
      escalateAfterS: (id) => grid.find(id)?.escalateAfterS ?? svc.config.escalateAfterS,
      nodeName: (id) => grid.find(id)?.name,
    });
    const person = (id: number) => {
      const s = svc.store.staff.get(id);
      return { name: s?.displayName ?? `#${id}`, phone: s?.phone ?? '', role: s?.role ?? null };
    };
    return {
      at: now,
      canEdit: me.role !== 'staff',
      summary: board.summary,
      nodes: board.nodes.map((n) => ({ ...n, onDuty: n.onDuty.map((d) => ({ ...d, ...person(d.staffId) })) })),
      staff: svc.store.staff.list().filter((s) => !s.disabled && accountWithin(s, scope, (id) => grid.find(id)?.path)).map((s) => ({
        id: s.id, name: s.displayName, role: s.role, phone: s.phone, scopeNodeId: s.scopeNodeId, online: svc.alerts.isOnline(s.id),
      })),
    };
  });
};
