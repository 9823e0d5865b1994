/**
 * The duty board (GET /api/duty): every grid node in the caller's scope with who is on duty now,
 * whether each has a console open, and where a call raised there now would ring first
 * (domain/duty-board.ts); and the staff in the caller's scope, for the roster editor's picker
 * and for phoning a colleague who is on duty but not connected. Read by any staff member:
 * a grid worker sees their own grid. A street office has some hundreds of nodes and staff, read
 * from memory (grid, rosters, staff are cached), so it is built on the event loop.
 * GET /api/duty/gaps: where the coming days' rosters leave calls to skip a level, or to reach
 * nobody (domain/roster-gaps.ts), for the nodes in scope where calls are raised.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { accountWithin } from './staff-view.ts';
import { chainUp, isWithin } from '../domain/grid.ts';
import { dutyBoard } from '../domain/duty-board.ts';
import { rosterGaps, type GapNodeIn } from '../domain/roster-gaps.ts';
import { localClock } from '../domain/roster.ts';
import { gridPathNames } from '../reports/household-csv.ts';

const gapsQuery = { type: 'object', additionalProperties: false, properties: { days: { type: 'string', pattern: '^(1[0-4]|[1-9])$' } } } as const;

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

  app.get<{ Querystring: { days?: string } }>('/api/duty/gaps', { schema: { querystring: gapsQuery } }, async (req) => {
    const me = requireStaff(req);
    const now = svc.clock.now();
    const days = Number(req.query.days ?? 7);
    const scope = svc.alerts.scopeOf(me);
    const grid = svc.store.grid;
    const all = grid.list();
    const byId = new Map(all.map((n) => [n.id, n]));
    // Where calls are raised: the nodes with households, and every grid-level node (one being set up has none yet).
    const withHouseholds = new Set(svc.store.households.gridIds());
    const starts = scope === undefined ? [] : all.filter((n) => (scope === null || isWithin(n.path, scope)) && (n.level === 'grid' || withHouseholds.has(n.id)));
    // Their chains up to the top, and no other node: a grid worker's page asks for four.
    const chainIds = new Set(starts.flatMap((n) => chainUp(n.path)));
    const nodes = new Map<number, GapNodeIn>([...chainIds].map((id) => {
      const r = svc.store.rosters.current(id, now);
      // Only those the duty desk counts on duty there (alerts/duty.ts): not disabled, and able to see the node's calls.
      const canAct = (staffId: number) => svc.alerts.canActAt(staffId, id);
      return [id, { id, parentId: byId.get(id)?.parentId ?? null, timeZone: grid.timeZoneOf(id, svc.config.timeZone),
        shifts: r.shifts.filter((x) => canAct(x.staffId)), overrides: r.overrides.filter((x) => !x.onDuty || canAct(x.staffId)) }];
    }));
    const to = now + days * 86_400_000;
    const found = rosterGaps({ nodes, starts: starts.map((n) => n.id), from: now, to, localClock });
    const named = (id: number | null) => (id === null ? null : { nodeId: id, name: byId.get(id)?.name ?? String(id) });
    const rows = starts.map((n) => ({ nodeId: n.id, name: n.name, path: gridPathNames(byId, n.id), gaps: found.get(n.id)!.map((g) => ({ from: g.from, to: g.to, reaches: named(g.reaches) })) }))
      .filter((r) => r.gaps.length)
      .map((r) => ({ ...r, nobodyMinutes: r.gaps.reduce((m, g) => m + (g.reaches === null ? (g.to - g.from) / 60_000 : 0), 0) }))
      .sort((a, b) => b.nobodyMinutes - a.nobodyMinutes || a.path.localeCompare(b.path));
    return { from: now, to, days, starts: starts.length, nodes: rows, summary: { withGaps: rows.length, reachNobody: rows.filter((r) => r.nobodyMinutes > 0).length } };
  });
};
