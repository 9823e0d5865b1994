/** The grid tree, households and devices a user may see, and admin provisioning of devices. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { HubServices } from './services.ts';
import { requireAdmin, requireStaff } from './app.ts';
import { hashSecret } from '../auth/secrets.ts';
import { HubError } from '../errors.ts';
import { DEVICE_ID_RE } from '../../gateway/protocol.ts';
import type { DeviceKind } from '../store/device-repo.ts';

const deviceBody = {
  type: 'object', additionalProperties: false, required: ['id', 'householdId'],
  properties: {
    id: { type: 'string', pattern: DEVICE_ID_RE.source },
    householdId: { type: 'integer', minimum: 1 },
    kind: { type: 'string', enum: ['mqtt-button', 'pendant'] },
    secret: { type: 'string', minLength: 8, maxLength: 128 },
    heartbeatS: { type: 'integer', minimum: 10, maximum: 86400 },
  },
} as const;

export const directoryRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  const visibleHousehold = (req: FastifyRequest, id: number | null) => {
    if (id === null) return false;
    const h = svc.store.households.get(id);
    return !!h && svc.alerts.canSee(requireStaff(req), svc.store.grid.get(h.gridId).path);
  };

  app.get('/api/grid', async (req) => {
    const staff = requireStaff(req);
    return { nodes: svc.store.grid.list().filter((n) => svc.alerts.canSee(staff, n.path)) };
  });

  app.get('/api/households', async (req) => ({ households: svc.store.households.list().filter((h) => visibleHousehold(req, h.id)) }));

  app.get('/api/devices', async (req) => ({
    devices: svc.store.devices.list().filter((d) => visibleHousehold(req, d.householdId) || (d.householdId === null && requireStaff(req).role === 'admin')),
  }));

  app.get('/api/devices/health', async (req) => {
    const now = svc.clock.now();
    const graceMs = svc.config.heartbeatGraceS * 1000;
    const open = svc.store.health.openTechnical();
    return {
      devices: svc.store.devices.list().filter((d) => visibleHousehold(req, d.householdId)).map((d) => {
        const hh = svc.store.households.get(d.householdId!)!;
        const problems = open.filter((t) => t.deviceId === d.id).map((t) => t.reason);
        const supervised = d.kind !== 'rf-button';
        const silentFor = d.lastSeen === null ? null : now - d.lastSeen;
        return {
          ...d, supervised, address: hh.address, residentName: hh.residents[0]?.name ?? '', problems,
          status: !supervised ? 'unsupervised' : d.lastSeen === null ? 'never_connected' : silentFor! > 2 * d.heartbeatS * 1000 + graceMs ? 'offline' : 'online',
          note: supervised ? null : 'RF buttons cannot report their health: only last heard and last test are known',
        };
      }),
    };
  });

  app.post<{ Body: { id: string; householdId: number; kind?: DeviceKind; secret?: string; heartbeatS?: number } }>('/api/devices', { schema: { body: deviceBody } }, async (req, reply) => {
    requireAdmin(req);
    const b = req.body;
    if (!svc.store.households.get(b.householdId)) throw new HubError('E_NOT_FOUND', `household ${b.householdId} does not exist`);
    if (svc.store.devices.get(b.id)) throw new HubError('E_CONFLICT', `device ${b.id} already exists`);
    const secret = b.secret ?? randomBytes(12).toString('base64url');
    const device = svc.store.devices.create({ id: b.id, kind: b.kind ?? 'mqtt-button', householdId: b.householdId, heartbeatS: b.heartbeatS }, await hashSecret(secret), svc.clock.now());
    reply.status(201);
    return { device, secret };
  });

  app.post<{ Params: { id: string } }>('/api/devices/:id/revoke', async (req) => {
    requireAdmin(req);
    if (!svc.store.devices.revoke(req.params.id, svc.clock.now())) throw new HubError('E_NOT_FOUND', 'no such active device');
    svc.disconnectDevice(req.params.id);
    return { ok: true };
  });
};
