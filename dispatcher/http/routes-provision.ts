/**
 * Bulk provisioning of test devices (admin only): POST /api/devices/bulk creates `count`
 * devices named `${prefix}${n}` with fresh random secrets and returns the ids and secrets once.
 * The secrets are the hub's own, 128 random bits, stored as salted SHA-256 (generateSecret in
 * auth/secrets.ts), made chunk by chunk with their devices: 6-8 µs each, so a chunk's share of the
 * event loop stays small beside its writes.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireAdmin } from './app.ts';
import { generateSecret } from '../auth/secrets.ts';
import { HubError } from '../errors.ts';
import { writeInChunks } from '../store/chunked-writes.ts';

const MAX_BULK = 50_000;
/**
 * Devices written per transaction (store/chunked-writes.ts). 10,000 in one transaction held the event
 * loop for 0.67 s, and no press was acked meanwhile (bench/provision-cost.ts).
 */
const BULK_CHUNK = 250;

interface BulkBody {
  prefix: string; count: number; start?: number; width?: number;
  householdIds?: number[]; gridId?: number; heartbeatS?: number; kind?: 'mqtt-button' | 'pendant';
}

const bulkBody = {
  type: 'object', additionalProperties: false, required: ['prefix', 'count'],
  properties: {
    prefix: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$' },
    count: { type: 'integer', minimum: 1, maximum: MAX_BULK },
    start: { type: 'integer', minimum: 0, maximum: 1e9 },
    width: { type: 'integer', minimum: 1, maximum: 9 },
    householdIds: { type: 'array', minItems: 1, maxItems: MAX_BULK, items: { type: 'integer', minimum: 1 } },
    gridId: { type: 'integer', minimum: 1 },
    heartbeatS: { type: 'integer', minimum: 10, maximum: 86400 },
    kind: { type: 'string', enum: ['mqtt-button', 'pendant'] },
  },
} as const;

export const provisionRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  app.post<{ Body: BulkBody }>('/api/devices/bulk', { schema: { body: bulkBody }, bodyLimit: 1024 * 1024 }, async (req, reply) => {
    requireAdmin(req);
    const b = req.body;
    if ((b.householdIds === undefined) === (b.gridId === undefined)) throw new HubError('E_VALIDATION', 'give exactly one of householdIds or gridId');
    if (b.householdIds) for (const id of b.householdIds) if (!svc.store.households.get(id)) throw new HubError('E_NOT_FOUND', `household ${id} does not exist`);
    if (b.gridId !== undefined && !svc.store.grid.find(b.gridId)) throw new HubError('E_NOT_FOUND', `grid node ${b.gridId} does not exist`);
    const start = b.start ?? 1;
    const width = b.width ?? Math.max(4, String(start + b.count - 1).length);
    const ids = Array.from({ length: b.count }, (_, i) => `${b.prefix}${String(start + i).padStart(width, '0')}`);
    if (ids.some((id) => id.length > 64)) throw new HubError('E_VALIDATION', 'device ids would exceed 64 characters');
    for (const id of ids) if (svc.store.devices.get(id)) throw new HubError('E_CONFLICT', `device ${id} already exists`);
    const secrets: { secret: string; stored: string }[] = [];
    const now = svc.clock.now();
    const householdOf: number[] = [];
    const created: number[] = [];
    try {
      await writeInChunks(svc.store, ids, BULK_CHUNK, (id, i) => {
        let householdId: number;
        if (b.householdIds) householdId = b.householdIds[i % b.householdIds.length];
        else created.push(householdId = svc.store.households.create({ gridId: b.gridId!, address: `simulated household for ${id}`, accessNote: '', residents: [], contacts: [] }, now).id);
        svc.store.devices.create({ id, kind: b.kind ?? 'mqtt-button', householdId, heartbeatS: b.heartbeatS }, (secrets[i] = generateSecret()).stored, now);
        householdOf.push(householdId);
      });
    } catch (err) {
      // All or nothing: the devices of the chunks already written are removed. Nobody holds their secrets yet.
      svc.store.tx(() => {
        svc.store.devices.removeUnused(ids.slice(0, householdOf.length));
        svc.store.households.removeUnused(created);
      });
      req.log.warn({ err, prefix: b.prefix, written: householdOf.length }, 'bulk provisioning failed part way; what it wrote was removed');
      if (/UNIQUE/.test(String((err as Error).message))) throw new HubError('E_CONFLICT', 'a device with one of these ids was created meanwhile: nothing was provisioned');
      throw err;
    }
    req.log.info({ count: ids.length, prefix: b.prefix, admin: req.staff?.username }, 'devices provisioned in bulk');
    reply.status(201);
    return { count: ids.length, devices: ids.map((id, i) => ({ id, secret: secrets[i].secret, householdId: householdOf[i] })) };
  });
};
