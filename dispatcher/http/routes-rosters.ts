/**
 * Duty rosters per grid node (weekly shifts and one-off overrides) and per-node escalation
 * timing. Admins edit any node; a leader edits nodes in their subtree; anyone in scope reads.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { HubError } from '../errors.ts';
import type { GridNode } from '../store/grid-repo.ts';

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$';
const shiftBody = {
  type: 'object', additionalProperties: false, required: ['staffId', 'weekdays', 'start', 'end'],
  properties: {
    staffId: { type: 'integer', minimum: 1 },
    weekdays: { type: 'array', minItems: 1, maxItems: 7, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 7 } },
    start: { type: 'string', pattern: HHMM }, end: { type: 'string', pattern: HHMM },
  },
} as const;
const overrideBody = {
  type: 'object', additionalProperties: false, required: ['staffId', 'startsAt', 'endsAt', 'onDuty'],
  properties: { staffId: { type: 'integer', minimum: 1 }, startsAt: { type: 'integer', minimum: 0 }, endsAt: { type: 'integer', minimum: 1 }, onDuty: { type: 'boolean' } },
} as const;
const nodeBody = {
  type: 'object', additionalProperties: false,
  properties: { escalateAfterS: { anyOf: [{ type: 'integer', minimum: 5, maximum: 3600 }, { type: 'null' }] }, name: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const days = (mask: number) => [1, 2, 3, 4, 5, 6, 7].filter((d) => mask & (1 << (d - 1)));

export const rosterRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  const nodeFor = (req: FastifyRequest<{ Params: { id: string } }>, write: boolean): GridNode => {
    const staff = requireStaff(req);
    const node = svc.store.grid.find(Number(req.params.id));
    if (!node) throw new HubError('E_NOT_FOUND', `grid node ${req.params.id} does not exist`);
    if (!svc.alerts.canSee(staff, node.path)) throw new HubError('E_FORBIDDEN', 'that grid node is outside your scope');
    if (write && staff.role === 'staff') throw new HubError('E_FORBIDDEN', 'only grid leaders and admins edit rosters');
    return node;
  };
  /**
   * Someone put on duty at `node` must be able to act there: their area contains it. Otherwise their
   * console would never show the calls they were told of, and each call would wait for them until it
   * escalated (the duty desk leaves such people out: alerts/duty.ts).
   */
  const checkStaff = (id: number, node: { name: string; path: string }, onDuty: boolean) => {
    const s = svc.store.staff.get(id);
    if (!s) throw new HubError('E_NOT_FOUND', `staff ${id} does not exist`);
    if (!onDuty || svc.alerts.canSee(s, node.path)) return;
    const area = s.scopeNodeId === null ? 'no area' : `the area ${svc.store.grid.find(s.scopeNodeId)?.name ?? s.scopeNodeId}`;
    throw new HubError('E_VALIDATION', `${s.displayName} has ${area}, which does not contain ${node.name}: their console would not show its calls. Give them a wider area first (staff accounts), or put someone of ${node.name} on duty`);
  };

  app.get<{ Params: { id: string } }>('/api/grid/:id/roster', async (req) => {
    const node = nodeFor(req, false);
    const now = svc.clock.now();
    const names = svc.store.staff.names(svc.store.staff.list().map((s) => s.id));
    return {
      node: {
        id: node.id, name: node.name, level: node.level, timeZone: svc.store.grid.timeZoneOf(node.id, svc.config.timeZone),
        // What applies, and whether it is the node's own or the hub's default (ANXIN_ESCALATE_AFTER_S), for the editor.
        escalateAfterS: node.escalateAfterS ?? svc.config.escalateAfterS, escalateOwn: node.escalateAfterS !== null, escalateDefaultS: svc.config.escalateAfterS,
      },
      // `cannotAct`: disabled, or their area does not contain this node, so the hub does not count them on duty here (alerts/duty.ts).
      shifts: svc.store.rosters.shifts(node.id).map((s) => ({ id: s.id, staffId: s.staffId, name: names.get(s.staffId), weekdays: days(s.weekdays), start: fmt(s.startMin), end: fmt(s.endMin), cannotAct: !svc.alerts.canActAt(s.staffId, node.id) })),
      overrides: svc.store.rosters.overrides(node.id, now).map((o) => ({ ...o, name: names.get(o.staffId), cannotAct: o.onDuty && !svc.alerts.canActAt(o.staffId, node.id) })),
      onDutyNow: svc.alerts.onDutyNow(node.id, now).map((id) => ({ id, name: names.get(id) })),
    };
  });

  app.post<{ Params: { id: string }; Body: { staffId: number; weekdays: number[]; start: string; end: string } }>('/api/grid/:id/roster/shifts', { schema: { body: shiftBody } }, async (req, reply) => {
    const node = nodeFor(req, true);
    checkStaff(req.body.staffId, node, true);
    const start = minutes(req.body.start), end = minutes(req.body.end);
    if (start === end || start === 1440) throw new HubError('E_VALIDATION', 'a shift needs different start and end times (end before start means overnight)');
    const mask = req.body.weekdays.reduce((m, d) => m | (1 << (d - 1)), 0);
    const id = svc.store.rosters.addShift(node.id, { staffId: req.body.staffId, weekdays: mask, startMin: start, endMin: end === 0 ? 1440 : end });
    reply.status(201);
    return { id };
  });

  app.delete<{ Params: { id: string; sid: string } }>('/api/grid/:id/roster/shifts/:sid', async (req) => {
    const node = nodeFor(req, true);
    if (!svc.store.rosters.removeShift(node.id, Number(req.params.sid))) throw new HubError('E_NOT_FOUND', 'no such shift on this node');
    return { ok: true };
  });

  app.post<{ Params: { id: string }; Body: { staffId: number; startsAt: number; endsAt: number; onDuty: boolean } }>('/api/grid/:id/roster/overrides', { schema: { body: overrideBody } }, async (req, reply) => {
    const node = nodeFor(req, true);
    checkStaff(req.body.staffId, node, req.body.onDuty);
    if (req.body.endsAt <= req.body.startsAt) throw new HubError('E_VALIDATION', 'endsAt must be after startsAt');
    const id = svc.store.rosters.addOverride(node.id, req.body);
    reply.status(201);
    return { id };
  });

  app.delete<{ Params: { id: string; oid: string } }>('/api/grid/:id/roster/overrides/:oid', async (req) => {
    const node = nodeFor(req, true);
    if (!svc.store.rosters.removeOverride(node.id, Number(req.params.oid))) throw new HubError('E_NOT_FOUND', 'no such override on this node');
    return { ok: true };
  });

  app.patch<{ Params: { id: string }; Body: { escalateAfterS?: number | null; name?: string } }>('/api/grid/:id', { schema: { body: nodeBody } }, async (req) => {
    const node = nodeFor(req, true);
    if (req.body.name !== undefined) {
      const name = req.body.name.trim();
      if (!name) throw new HubError('E_VALIDATION', 'name must not be blank');
      const twin = svc.store.grid.findChild(node.parentId, name);
      if (twin && twin.id !== node.id) throw new HubError('E_CONFLICT', `a sibling is already named ${name}`);
      if (name !== node.name) {
        svc.store.grid.rename(node.id, name);
        await svc.alerts.redraw.nodeRenamed(node.id, svc.clock.now()); // open calls under it show the new name at once
      }
    }
    if (req.body.escalateAfterS !== undefined) svc.store.grid.setEscalateAfter(node.id, req.body.escalateAfterS);
    return { node: svc.store.grid.get(node.id) };
  });
};
