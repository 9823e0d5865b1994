/**
 * Admin routes for RF buttons and receivers under /api/rf. The buttons list is open to staff
 * (for the households they may see) and says plainly that these buttons cannot be supervised.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubServices } from '../http/services.ts';
import { requireAdmin, requireStaff } from '../http/app.ts';
import { HubError } from '../errors.ts';
import { hexAddress, LEARN_WINDOW_MS, type RfService } from './rf-service.ts';
import type { LearnSession } from './rf-repo.ts';
import { DEVICE_ID_RE } from '../../gateway/protocol.ts';

export const UNSUPERVISED_NOTE = 'RF buttons only transmit when pressed, so the hub cannot supervise them: it cannot tell whether a button '
  + 'still works or its battery is flat. "Last heard" and "last test" are all it knows. Ask residents to test-press regularly.';

const learnBody = {
  type: 'object', additionalProperties: false, required: ['householdId'],
  properties: { householdId: { type: 'integer', minimum: 1 } },
} as const;
const codeBody = {
  type: 'object', additionalProperties: false, required: ['deviceId', 'address', 'key', 'action'],
  properties: {
    deviceId: { type: 'string', minLength: 1, maxLength: 64 },
    address: { type: 'integer', minimum: 1, maximum: 0xfffff },
    key: { type: 'integer', minimum: 0, maximum: 15 },
    action: { type: 'string', enum: ['press', 'cancel', 'test'] },
  },
} as const;

const buttonBody = {
  type: 'object', additionalProperties: false, required: ['householdId', 'address'],
  properties: {
    id: { type: 'string', pattern: DEVICE_ID_RE.source },
    householdId: { type: 'integer', minimum: 1 },
    address: { type: 'integer', minimum: 1, maximum: 0xfffff },
    pressKey: { type: 'integer', minimum: 0, maximum: 15 },
  },
} as const;

const learnView = (s: LearnSession | null) => s && {
  ...s, addressHex: s.address === null ? null : hexAddress(s.address),
};

export const rfRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  const rf = (): RfService => {
    if (!svc.rf) throw new HubError('E_NOT_FOUND', 'RF receivers are not set up on this hub');
    return svc.rf;
  };
  const visibleHousehold = (req: FastifyRequest, id: number | null) => {
    if (id === null) return requireStaff(req).role === 'admin';
    const h = svc.store.households.get(id);
    return !!h && svc.alerts.canSee(requireStaff(req), svc.store.grid.get(h.gridId).path);
  };

  app.get('/api/rf/receivers', async (req) => {
    requireAdmin(req);
    const r = rf();
    const live = r.receivers();
    return { repeatWindowMs: svc.config.rfRepeatWindowMs, counters: live.counters, receivers: live.statuses.map((s) => ({ ...s, deviceId: `rx:${s.name}` })) };
  });

  app.get('/api/rf/unknown', async (req) => {
    requireAdmin(req);
    return {
      transmitters: rf().repo.unknown().map((u) => ({
        ...u, addressHex: hexAddress(u.address),
        text: `unknown transmitter ${hexAddress(u.address)} key ${u.key} heard on receiver ${u.receiver} (${u.count}x)`,
      })),
    };
  });

  app.get('/api/rf/learn', async (req) => {
    requireAdmin(req);
    const s = rf().learnState();
    return { open: learnView(s.open), last: learnView(s.last), windowMs: LEARN_WINDOW_MS };
  });

  app.post<{ Body: { householdId: number } }>('/api/rf/learn', { schema: { body: learnBody } }, async (req, reply) => {
    const staff = requireAdmin(req);
    const s = rf().openLearn(req.body.householdId, staff.id);
    reply.status(201);
    return { session: learnView(s), text: `learn mode open for household ${s.householdId} for ${LEARN_WINDOW_MS / 1000} s: press the new button now` };
  });

  app.delete('/api/rf/learn', async (req) => {
    requireAdmin(req);
    return { cancelled: rf().cancelLearn() };
  });

  app.post<{ Body: { deviceId: string; address: number; key: number; action: 'press' | 'cancel' | 'test' } }>('/api/rf/codes', { schema: { body: codeBody } }, async (req, reply) => {
    requireAdmin(req);
    const b = req.body;
    rf().bindCode(b.deviceId, b.address, b.key, b.action);
    reply.status(201);
    return { code: { ...b, addressHex: hexAddress(b.address) } };
  });

  app.post<{ Body: { id?: string; householdId: number; address: number; pressKey?: number } }>('/api/rf/buttons', { schema: { body: buttonBody } }, async (req, reply) => {
    requireAdmin(req);
    const b = req.body;
    const deviceId = rf().createButton(b.householdId, b.address, b.pressKey ?? 0x1, b.id);
    reply.status(201);
    return { deviceId, codes: rf().repo.codesFor(deviceId), supervised: false, note: UNSUPERVISED_NOTE };
  });

  app.get('/api/rf/buttons', async (req) => {
    requireStaff(req);
    const r = rf();
    // Each with its household's address and first resident, so that the view needs no list of households.
    const buttons = svc.store.devices.rfButtons().filter((d) => visibleHousehold(req, d.householdId)).map((d) => {
      const hh = d.householdId === null ? undefined : svc.store.households.get(d.householdId);
      return {
        deviceId: d.id, householdId: d.householdId, householdAddress: hh?.address ?? null, residentName: hh?.residents[0]?.name ?? null,
        revoked: d.revokedAt !== null,
        codes: r.repo.codesFor(d.id).map((c) => ({ address: c.address, addressHex: hexAddress(c.address), key: c.key, action: c.action })),
        lastHeard: d.lastSeen, lastTest: d.lastTestAt, supervised: false,
      };
    });
    return { supervised: false, note: UNSUPERVISED_NOTE, buttons };
  });
};
