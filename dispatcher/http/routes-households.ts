/**
 * Households (住户): the list and its search (built in the report worker), one household with its
 * devices, and registering and editing them. Any staff member may register or edit a household
 * inside their scope: grid workers visit the homes and keep the contacts current. A household
 * may move to another grid inside that scope; its calls go to the new grid from the next press.
 * Households are never deleted: the call history refers to them. Spreadsheets: routes-household-import.ts.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { sendBytes, sendJson } from './worker-answer.ts';
import { HubError } from '../errors.ts';
import type { Household } from '../store/household-repo.ts';
import { sameAddress } from '../domain/household-import.ts';
import { PHONE_PATTERN as PHONE } from '../domain/phone.ts';

/** `limit` 1–1,000; without it, every household that matches. */
const householdQuery = {
  type: 'object', additionalProperties: false,
  properties: { q: { type: 'string', maxLength: 64 }, limit: { type: 'string', pattern: '^(1000|[1-9][0-9]{0,2})$' }, incomplete: { type: 'string', enum: ['1'] } },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } } } as const;
const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const householdBody = {
  type: 'object', additionalProperties: false, required: ['gridId', 'address', 'residents', 'contacts'],
  properties: {
    gridId: { type: 'integer', minimum: 1 },
    address: { type: 'string', minLength: 1, maxLength: 200 },
    accessNote: text(500),
    residents: {
      type: 'array', minItems: 1, maxItems: 10,
      items: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64 },
          age: { anyOf: [{ type: 'integer', minimum: 0, maximum: 130 }, { type: 'null' }] },
          phone: { anyOf: [{ type: 'string', pattern: PHONE }, { type: 'string', maxLength: 0 }] },
          medicalNote: text(500),
        },
      },
    },
    contacts: {
      type: 'array', maxItems: 10,
      items: {
        type: 'object', additionalProperties: false, required: ['name', 'phone'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, relation: text(32), phone: { type: 'string', pattern: PHONE } },
      },
    },
  },
} as const;

type HouseholdBody = {
  gridId: number; address: string; accessNote?: string;
  residents: { name: string; age?: number | null; phone?: string; medicalNote?: string }[];
  contacts: { name: string; relation?: string; phone: string }[];
};

/** The record to store: text trimmed, optional fields filled; a name or address of spaces only is refused. */
export function householdInput(b: HouseholdBody): Omit<Household, 'id'> {
  const must = (s: string, what: string) => {
    const v = s.trim();
    if (!v) throw new HubError('E_VALIDATION', `${what} must not be blank`);
    return v;
  };
  return {
    gridId: b.gridId,
    address: sameAddress(must(b.address, 'address')),
    accessNote: (b.accessNote ?? '').trim(),
    residents: b.residents.map((r, i) => ({ name: must(r.name, `residents[${i}].name`), age: r.age ?? null, phone: (r.phone ?? '').trim(), medicalNote: (r.medicalNote ?? '').trim() })),
    contacts: b.contacts.map((c, i) => ({ name: must(c.name, `contacts[${i}].name`), relation: (c.relation ?? '').trim(), phone: c.phone.trim() })),
  };
}

export const householdRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  /** The grid node a household may be placed in by this caller: it exists and is inside their scope. */
  const gridInScope = (req: FastifyRequest, gridId: number) => {
    const node = svc.store.grid.find(gridId);
    if (!node) throw new HubError('E_NOT_FOUND', `grid node ${gridId} does not exist`);
    if (!svc.alerts.canSee(requireStaff(req), node.path)) throw new HubError('E_FORBIDDEN', 'that grid node is outside your scope');
    return node;
  };
  const householdInScope = (req: FastifyRequest, id: number) => {
    const hh = svc.store.households.get(id);
    if (!hh) throw new HubError('E_NOT_FOUND', `household ${id} does not exist`);
    const node = svc.store.grid.find(hh.gridId);
    if (!node || !svc.alerts.canSee(requireStaff(req), node.path)) throw new HubError('E_FORBIDDEN', 'that household is outside your scope');
    return { hh, node };
  };

  // Built in the report worker: 10,000 households held the event loop for 0.18 s (store/household-list-repo.ts).
  // `q` and `limit`: the RF view's household picker asks for what an admin's search finds (reports/household-search.ts).
  // With `Accept: text/csv`, the same households in the import's columns (reports/household-csv.ts).
  app.get<{ Querystring: { q?: string; limit?: string; incomplete?: '1' } }>('/api/households', { schema: { querystring: householdQuery } }, async (req, reply) => {
    const scopePath = svc.alerts.scopeOf(requireStaff(req));
    const csv = (req.headers.accept ?? '').includes('text/csv');
    if (scopePath === undefined && !csv) return { households: [], matched: 0 };
    const q = req.query;
    const search = { search: q.q ?? '', limit: q.limit === undefined ? null : Number(q.limit), incomplete: q.incomplete === '1' };
    // No scope at all: an empty sheet, built as any other (nothing matches a path no node has).
    const bytes = await svc.reports.householdList(scopePath === undefined ? '/none/' : scopePath, search, csv);
    if (!csv) return sendJson(reply, bytes);
    reply.header('content-disposition', 'attachment; filename="households.csv"');
    return sendBytes(reply, 'text/csv; charset=utf-8', bytes);
  });

  app.get<{ Params: { id: string } }>('/api/households/:id', { schema: { params: idParams } }, async (req) => {
    const { hh, node } = householdInScope(req, Number(req.params.id));
    const devices = svc.store.devices.ofHousehold(hh.id).map((d) => ({ id: d.id, kind: d.kind, online: d.online, lastSeen: d.lastSeen, battery: d.battery, lastTestAt: d.lastTestAt, revokedAt: d.revokedAt }));
    return { household: hh, grid: { id: node.id, name: node.name, level: node.level }, devices };
  });

  /** One address in one grid is one household: a second registration would split its calls' history. */
  const addressFree = (h: Omit<Household, 'id'>, self?: number) => {
    const other = svc.store.households.idAt(h.gridId, h.address);
    if (other !== undefined && other !== self) throw new HubError('E_CONFLICT', `household ${other} is already registered at this address in this grid`, { householdId: other });
  };

  app.post<{ Body: HouseholdBody }>('/api/households', { schema: { body: householdBody } }, async (req, reply) => {
    gridInScope(req, req.body.gridId);
    const input = householdInput(req.body);
    addressFree(input);
    const household = svc.store.households.create(input, svc.clock.now());
    reply.status(201);
    return { household };
  });

  app.put<{ Params: { id: string }; Body: HouseholdBody }>('/api/households/:id', { schema: { params: idParams, body: householdBody } }, async (req) => {
    const id = Number(req.params.id);
    householdInScope(req, id);
    gridInScope(req, req.body.gridId);
    const input = householdInput(req.body);
    addressFree(input, id);
    const household = svc.store.households.update(id, input);
    if (!household) throw new HubError('E_NOT_FOUND', `household ${id} does not exist`);
    const redrawn = await svc.alerts.redraw.household(id, requireStaff(req), svc.clock.now());
    return { household, openCallsRedrawn: redrawn };
  });
};
