/**
 * The grid tree (district › street › community › grid …): anyone reads the part in their scope;
 * admins add nodes, and move or remove a node set up by mistake. Renaming and escalation timing are with the
 * rosters (routes-rosters.ts PATCH /api/grid/:id), where leaders may change them too.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireAdmin, requireStaff } from './app.ts';
import { HubError } from '../errors.ts';
import { LEVEL_ORDER, isWithin, type GridLevel } from '../domain/grid.ts';
import type { GridNodeUsage } from '../store/grid-repo.ts';

const gridNodeBody = {
  type: 'object', additionalProperties: false, required: ['parentId', 'name', 'level'],
  properties: {
    parentId: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
    name: { type: 'string', minLength: 1, maxLength: 64 },
    level: { type: 'string', enum: [...LEVEL_ORDER] },
    timeZone: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;
const validTimeZone = (tz: string) => { try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; } };
const moveBody = {
  type: 'object', additionalProperties: false, required: ['parentId'],
  properties: { parentId: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] } },
} as const;

/** Why a node cannot be removed, in words, or null when nothing depends on it. */
export function removalBlockers(u: GridNodeUsage): string | null {
  const parts = [
    u.children ? `${u.children} node(s) below it` : '',
    u.households ? `${u.households} household(s)` : '',
    u.staff ? `${u.staff} staff account(s) working there (disabled ones too)` : '',
  ].filter(Boolean);
  if (u.hasAlerts) return `calls or device alerts were raised there, and their history keeps its place in the tree: rename it instead${parts.length ? `; it also has ${parts.join(', ')}` : ''}`;
  return parts.length ? `it has ${parts.join(', ')}: move or remove them first` : null;
}

export const gridRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  app.get('/api/grid', async (req) => {
    const staff = requireStaff(req);
    return { nodes: svc.store.grid.list().filter((n) => svc.alerts.canSee(staff, n.path)) };
  });

  // An admin grows the tree: a node sits below its parent's level (a grid under a community), its name unique among its siblings.
  app.post<{ Body: { parentId: number | null; name: string; level: GridLevel; timeZone?: string } }>('/api/grid', { schema: { body: gridNodeBody } }, async (req, reply) => {
    requireAdmin(req);
    const b = req.body;
    const name = b.name.trim();
    if (!name) throw new HubError('E_VALIDATION', 'name must not be blank');
    const parent = b.parentId === null ? null : svc.store.grid.find(b.parentId);
    if (b.parentId !== null && !parent) throw new HubError('E_NOT_FOUND', `grid node ${b.parentId} does not exist`);
    if (parent && LEVEL_ORDER.indexOf(b.level) <= LEVEL_ORDER.indexOf(parent.level)) throw new HubError('E_VALIDATION', `a ${b.level} cannot sit under a ${parent.level}: levels go ${LEVEL_ORDER.join(' > ')}`);
    if (svc.store.grid.findChild(b.parentId, name)) throw new HubError('E_CONFLICT', `${parent?.name ?? 'the top'} already has a node named ${name}`);
    if (b.timeZone !== undefined && !validTimeZone(b.timeZone)) throw new HubError('E_VALIDATION', `unknown time zone ${b.timeZone}`);
    reply.status(201);
    return { node: svc.store.grid.add(b.parentId, name, b.level, { timeZone: b.timeZone ?? null }) };
  });

  // A node set up under the wrong parent moves, with everything below it (households, staff, rosters
  // keep their node), as long as no call was ever raised there: a call's place in the tree is history.
  app.post<{ Params: { id: string }; Body: { parentId: number | null } }>('/api/grid/:id/move', { schema: { body: moveBody } }, async (req) => {
    requireAdmin(req);
    const node = svc.store.grid.find(Number(req.params.id));
    if (!node) throw new HubError('E_NOT_FOUND', `grid node ${req.params.id} does not exist`);
    const parentId = req.body.parentId;
    const parent = parentId === null ? null : svc.store.grid.find(parentId);
    if (parentId !== null && !parent) throw new HubError('E_NOT_FOUND', `grid node ${parentId} does not exist`);
    if (parentId === node.parentId) return { node, moved: 0 };
    if (parent && isWithin(parent.path, node.path)) throw new HubError('E_VALIDATION', `${parent.name} is ${node.name} itself or below it`);
    if (parent && LEVEL_ORDER.indexOf(node.level) <= LEVEL_ORDER.indexOf(parent.level)) throw new HubError('E_VALIDATION', `a ${node.level} cannot sit under a ${parent.level}: levels go ${LEVEL_ORDER.join(' > ')}`);
    if (svc.store.grid.findChild(parentId, node.name)) throw new HubError('E_CONFLICT', `${parent?.name ?? 'the top'} already has a node named ${node.name}`);
    if (svc.store.grid.usage(node.id).hasAlerts) throw new HubError('E_CONFLICT', `${node.name} cannot be moved: calls or device alerts were raised there, and their history keeps its place in the tree`);
    const moved = svc.store.grid.list().filter((n) => isWithin(n.path, node.path)).length;
    return { node: svc.store.grid.move(node.id, parentId), moved };
  });

  // A node set up by mistake (a typo'd level, the wrong parent) goes, with its roster, while nothing depends on it.
  app.delete<{ Params: { id: string } }>('/api/grid/:id', async (req) => {
    requireAdmin(req);
    const node = svc.store.grid.find(Number(req.params.id));
    if (!node) throw new HubError('E_NOT_FOUND', `grid node ${req.params.id} does not exist`);
    const usage = svc.store.grid.usage(node.id);
    const blockers = removalBlockers(usage);
    if (blockers) throw new HubError('E_CONFLICT', `${node.name} cannot be removed: ${blockers}`, { usage });
    const removed = svc.store.grid.remove(node.id);
    svc.store.rosters.forgetCache();
    return { ok: true, removed };
  });
};
