/** The devices a user may see, and admin provisioning of devices (the tree: routes-grid.ts; households: routes-households.ts). */
import type { FastifyPluginAsync } from 'fastify';
import { sendBytes, sendJson } from './worker-answer.ts';
import type { HubServices } from './services.ts';
import { requireAdmin, requireStaff } from './app.ts';
import { generateSecret, hashSecret } from '../auth/secrets.ts';
import { HubError } from '../errors.ts';
import { DEVICE_ID_RE } from '../../gateway/protocol.ts';
import type { DeviceKind } from '../store/device-repo.ts';
import { healthPage, WHOLE_LIST } from '../reports/device-health-page.ts';
import { deviceHealthCsv } from '../reports/device-health-csv.ts';

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

/**
 * Numbers as digits only (the query's types are not coerced): `limit` 1–5,000 (the console draws 300
 * at a time; 5,000 rows are about 1.6 MB), `offset` up to 999,999. No `limit`: every device.
 */
const healthListQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^([1-9][0-9]{0,2}|[1-4][0-9]{3}|5000)$' },
    offset: { type: 'string', pattern: '^[0-9]{1,6}$' },
    problems: { type: 'string', enum: ['only'] },
    q: { type: 'string', maxLength: 64 },
  },
} as const;
interface HealthListQuery { limit?: string; offset?: string; problems?: 'only'; q?: string }

export const directoryRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {

  // The device lists are built in the report worker, off the event loop (reports/device-lists.ts).
  app.get('/api/devices', async (req, reply) => {
    const staff = requireStaff(req);
    const scopePath = svc.alerts.scopeOf(staff);
    if (scopePath === undefined) return { devices: [] };
    return sendJson(reply, await svc.reports.deviceList({ scopePath, unplaced: staff.role === 'admin' }));
  });

  // Counts over the scope, then one page, most urgent first (reports/device-health-page.ts).
  app.get<{ Querystring: HealthListQuery }>('/api/devices/health', { schema: { querystring: healthListQuery } }, async (req, reply) => {
    const scopePath = svc.alerts.scopeOf(requireStaff(req));
    // With `Accept: text/csv`, the same devices as CSV for a maintenance round (reports/device-health-csv.ts).
    const csv = (req.headers.accept ?? '').includes('text/csv');
    if (scopePath === undefined && !csv) return healthPage([], WHOLE_LIST);
    const q = req.query;
    const page = { ...WHOLE_LIST, limit: q.limit === undefined ? null : Number(q.limit), offset: Number(q.offset ?? 0), onlyProblems: q.problems === 'only', search: q.q ?? '' };
    const bytes = scopePath === undefined ? new TextEncoder().encode(deviceHealthCsv([], page.lowBatteryPct))
      : await svc.reports.deviceHealth({ scopePath, now: svc.clock.now(), graceMs: svc.config.heartbeatGraceS * 1000, page, csv });
    if (!csv) return sendJson(reply, bytes);
    reply.header('content-disposition', 'attachment; filename="device-health.csv"');
    return sendBytes(reply, 'text/csv; charset=utf-8', bytes);
  });

  app.post<{ Body: { id: string; householdId: number; kind?: DeviceKind; secret?: string; heartbeatS?: number } }>('/api/devices', { schema: { body: deviceBody } }, async (req, reply) => {
    requireAdmin(req);
    const b = req.body;
    if (!svc.store.households.get(b.householdId)) throw new HubError('E_NOT_FOUND', `household ${b.householdId} does not exist`);
    if (svc.store.devices.get(b.id)) throw new HubError('E_CONFLICT', `device ${b.id} already exists`);
    // A supplied secret may have been chosen by a person: scrypt. One the hub makes is 128 random bits: SHA-256 (auth/secrets.ts).
    const { secret, stored } = b.secret === undefined ? generateSecret() : { secret: b.secret, stored: await hashSecret(b.secret) };
    const device = svc.store.devices.create({ id: b.id, kind: b.kind ?? 'mqtt-button', householdId: b.householdId, heartbeatS: b.heartbeatS }, stored, svc.clock.now());
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
