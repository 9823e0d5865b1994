/**
 * Staff accounts (网格员, 网格长, admins): listed, created, changed, disabled and given a new
 * password by admins, and by grid leaders for grid-worker accounts inside their scope. A leader
 * cannot make a leader or an admin, nor place anyone outside their scope. Nobody disables or
 * demotes themselves: whoever acts is an active admin, so one always remains. A disabled account's consoles go to the
 * login page at once; a changed scope makes its consoles reconnect and see the new area.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { hashSecret } from '../auth/secrets.ts';
import { HubError } from '../errors.ts';
import { accountWithin, whyNotManaged } from './staff-view.ts';
import { withinArea } from '../domain/grid.ts';
import type { Role, Staff } from '../store/staff-repo.ts';
import { staffCsv } from '../reports/staff-csv.ts';
import { PHONE_PATTERN } from '../domain/phone.ts';
import { gridPathNames } from '../reports/household-csv.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } } } as const;
const fields = {
  displayName: { type: 'string', minLength: 1, maxLength: 64 },
  phone: { anyOf: [{ type: 'string', pattern: PHONE_PATTERN }, { type: 'string', maxLength: 0 }] },
  role: { type: 'string', enum: ['staff', 'leader', 'admin'] },
  scopeNodeId: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
} as const;
const PASSWORD = { type: 'string', minLength: 8, maxLength: 256 } as const;
const createBody = {
  type: 'object', additionalProperties: false, required: ['username', 'displayName', 'role', 'scopeNodeId', 'password'],
  properties: { username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{2,64}$' }, password: PASSWORD, ...fields },
} as const;
const patchBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: { ...fields, disabled: { type: 'boolean' } } } as const;
const passwordBody = { type: 'object', additionalProperties: false, required: ['newPassword'], properties: { newPassword: PASSWORD } } as const;

interface StaffFields { displayName?: string; phone?: string; role?: Role; scopeNodeId?: number | null }

export const staffRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  const grid = svc.store.grid;
  const view = (s: Staff) => ({
    id: s.id, username: s.username, displayName: s.displayName, role: s.role, phone: s.phone, disabled: s.disabled, mustChangePassword: s.mustChangePassword,
    scopeNodeId: s.scopeNodeId, scopeName: s.scopeNodeId === null ? null : grid.find(s.scopeNodeId)?.name ?? null, online: svc.alerts.isOnline(s.id),
  });
  /** The caller, if they manage accounts at all: leaders and admins. */
  const manager = (req: FastifyRequest) => {
    const me = requireStaff(req);
    if (me.role === 'staff') throw new HubError('E_FORBIDDEN', 'only grid leaders and admins manage staff accounts');
    return me;
  };
  const scopeAllowed = (me: Staff, nodeId: number | null) => {
    if (nodeId === null) return me.role === 'admin' && me.scopeNodeId === null;
    const node = grid.find(nodeId);
    if (!node) throw new HubError('E_NOT_FOUND', `grid node ${nodeId} does not exist`);
    return svc.alerts.canSee(me, node.path);
  };
  /** Checks the account as it would be after the change; a leader manages grid workers inside their scope only. */
  const checkAccount = (me: Staff, a: { role: Role; scopeNodeId: number | null }) => {
    if (me.role !== 'admin' && a.role !== 'staff') throw new HubError('E_FORBIDDEN', 'grid leaders create and change grid-worker accounts only');
    if (a.role !== 'admin' && a.scopeNodeId === null) throw new HubError('E_VALIDATION', 'a grid worker or leader needs a scope node (scopeNodeId)');
    if (!scopeAllowed(me, a.scopeNodeId)) throw new HubError('E_FORBIDDEN', 'that scope is outside yours');
  };
  const target = (req: FastifyRequest<{ Params: { id: string } }>, me: Staff) => {
    const s = svc.store.staff.get(Number(req.params.id));
    if (!s) throw new HubError('E_NOT_FOUND', `staff ${req.params.id} does not exist`);
    const why = whyNotManaged(me, s, () => scopeAllowed(me, s.scopeNodeId));
    if (why) throw new HubError('E_FORBIDDEN', why);
    return s;
  };

  // With `Accept: text/csv`, the same accounts in service and their shifts in the staff import's columns (reports/staff-csv.ts).
  app.get('/api/staff', { schema: { querystring: { type: 'object', additionalProperties: false } } }, async (req, reply) => {
    const me = manager(req);
    const scope = svc.alerts.scopeOf(me);
    const mine = svc.store.staff.list().filter((s) => accountWithin(s, scope, (id) => grid.find(id)?.path));
    if ((req.headers.accept ?? '').includes('text/csv')) {
      const nodes = new Map(grid.list().map((n) => [n.id, n]));
      reply.header('content-disposition', 'attachment; filename="staff-and-shifts.csv"').type('text/csv; charset=utf-8');
      return staffCsv(mine, svc.store.rosters.allShifts(), (id) => gridPathNames(nodes, id), withinArea(nodes));
    }
    return { staff: mine.map(view), canCreate: me.role === 'admin' ? ['staff', 'leader', 'admin'] : ['staff'] };
  });

  app.post<{ Body: StaffFields & { username: string; password: string; displayName: string; role: Role; scopeNodeId: number | null } }>('/api/staff', { schema: { body: createBody } }, async (req, reply) => {
    const me = manager(req);
    const b = req.body;
    checkAccount(me, b);
    if (!b.displayName.trim()) throw new HubError('E_VALIDATION', 'displayName must not be blank');
    if (svc.store.staff.byUsername(b.username)) throw new HubError('E_CONFLICT', `username ${b.username} is taken`);
    const hash = await hashSecret(b.password);
    let s: Staff;
    try {
      s = svc.store.staff.create({ username: b.username, displayName: b.displayName.trim(), role: b.role, scopeNodeId: b.scopeNodeId, phone: (b.phone ?? '').trim() }, hash, svc.clock.now(), true);
    } catch (err) {
      // Taken while the password was being hashed (another admin, a double submit).
      if (/UNIQUE/.test(String((err as Error).message))) throw new HubError('E_CONFLICT', `username ${b.username} is taken`);
      throw err;
    }
    reply.status(201);
    return { staff: view(s) };
  });

  app.patch<{ Params: { id: string }; Body: StaffFields & { disabled?: boolean } }>('/api/staff/:id', { schema: { params: idParams, body: patchBody } }, async (req) => {
    const me = manager(req);
    const s = target(req, me);
    const b = req.body;
    const next = { role: b.role ?? s.role, scopeNodeId: b.scopeNodeId !== undefined ? b.scopeNodeId : s.scopeNodeId };
    checkAccount(me, next);
    if (b.displayName !== undefined && !b.displayName.trim()) throw new HubError('E_VALIDATION', 'displayName must not be blank');
    if (s.id === me.id && (b.disabled === true || (b.role !== undefined && b.role !== s.role))) throw new HubError('E_VALIDATION', 'you cannot disable your own account or change your own role');
    const updated = svc.store.staff.update(s.id, { ...b, displayName: b.displayName?.trim(), phone: b.phone?.trim() })!;
    if (updated.displayName !== s.displayName) await svc.alerts.redraw.staffRenamed(s.id, svc.clock.now()); // the open calls that name them
    if (updated.disabled && !s.disabled) svc.closeSockets({ staffId: s.id }, 'account disabled');
    else if (updated.scopeNodeId !== s.scopeNodeId || updated.role !== s.role) svc.closeSockets({ staffId: s.id }, 'account scope changed', 4002);
    return { staff: view(updated) };
  });

  app.post<{ Params: { id: string }; Body: { newPassword: string } }>('/api/staff/:id/password', { schema: { params: idParams, body: passwordBody } }, async (req) => {
    const me = manager(req);
    const s = target(req, me);
    // Set for someone else, it is theirs to replace (security/first-password.ts); set for yourself, it is yours.
    const ended = svc.store.staff.setPassword(s.id, await hashSecret(req.body.newPassword), s.id === me.id ? req.token ?? null : null, s.id !== me.id);
    const closed = svc.closeSockets({ staffId: s.id, exceptToken: s.id === me.id ? req.token ?? undefined : undefined }, 'password reset');
    req.log.info({ by: me.username, username: s.username, sessionsEnded: ended, socketsClosed: closed }, 'password reset');
    return { ok: true, sessionsEnded: ended };
  });
};
