/** Response-time reports (JSON or CSV) and the per-alert timeline export. */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { HubError } from '../errors.ts';
import { reportFromFigures, reportPath, responseReportCsv, timelineCsv } from '../reports/response-report.ts';

const DAY = 86_400_000;
const reportQuery = {
  type: 'object', additionalProperties: false,
  properties: { from: { type: 'string', pattern: '^[0-9]{1,15}$' }, to: { type: 'string', pattern: '^[0-9]{1,15}$' }, grid: { type: 'string', pattern: '^[0-9]{1,9}$' } },
} as const;

export const reportRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  app.get<{ Querystring: { from?: string; to?: string; grid?: string } }>('/api/reports/response-times', { schema: { querystring: reportQuery } }, async (req, reply) => {
    const staff = requireStaff(req);
    const now = svc.clock.now();
    const to = req.query.to ? Number(req.query.to) : now;
    const from = req.query.from ? Number(req.query.from) : to - 30 * DAY;
    if (from >= to) throw new HubError('E_VALIDATION', '`from` must be before `to`');
    if (to - from > 400 * DAY) throw new HubError('E_VALIDATION', 'a report covers at most 400 days');
    const gridId = req.query.grid ? Number(req.query.grid) : null;
    const scope = staff.scopeNodeId === null ? null : svc.store.grid.get(staff.scopeNodeId);
    if (gridId !== null) {
      const node = svc.store.grid.find(gridId);
      if (!node) throw new HubError('E_NOT_FOUND', `grid node ${gridId} does not exist`);
      if (!svc.alerts.canSee(staff, node.path)) throw new HubError('E_FORBIDDEN', 'that grid is outside your scope');
    }
    if (staff.scopeNodeId === null && staff.role !== 'admin') throw new HubError('E_FORBIDDEN', 'no grid scope');
    // The hours of the day on the clock of the node reported on (the caller's scope when none is asked for).
    const timeZone = svc.store.grid.timeZoneOf(gridId ?? scope?.id ?? 0, svc.config.timeZone);
    const q = { from, to, gridId, now, timeZone };
    const path = reportPath(svc.store, q, scope?.path ?? '/');
    const report = reportFromFigures(svc.store, q, await svc.reports.figures({ path, from, to, now, timeZone }));
    if ((req.headers.accept ?? '').includes('text/csv')) {
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="response-times.csv"');
      return responseReportCsv(report);
    }
    return report;
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id/timeline', async (req, reply) => {
    const a = svc.alerts.visible(req.params.id, requireStaff(req));
    // The export carries every event, each repeat press included (the live view collapses them).
    const events = svc.store.alerts.fullTimeline(a);
    const names = svc.store.staff.names([...new Set(events.map((e) => e.staffId).filter((x): x is number => x !== null))]);
    const timeline = events.map((e) => ({ ...e, staffName: e.staffId === null ? null : names.get(e.staffId) ?? null }));
    if ((req.headers.accept ?? '').includes('text/csv')) {
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="alert-${a.id}.csv"`);
      return timelineCsv(timeline);
    }
    const secs = (t: number | null) => (t === null ? null : (t - a.raisedAt) / 1000);
    return {
      alertId: a.id, state: a.state, raisedAt: a.raisedAt,
      timeToAcceptS: secs(a.acceptedAt), timeToArriveS: secs(a.onSiteAt), timeToResolveS: secs(a.resolvedAt),
      timeline,
    };
  });
};
