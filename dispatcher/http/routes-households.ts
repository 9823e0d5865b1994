/**
 * Households (住户): the list and its search (built in the report worker), one household with its
 * devices, and registering and editing them. Any staff member may register or edit a household
 * inside their scope: grid workers visit the homes and keep the contacts current. A household
 * may move to another grid inside that scope; its calls go to the new grid from the next press.
 * Households are never deleted: the call history refers to them.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { sendBytes, sendJson } from './worker-answer.ts';
import { HubError } from '../errors.ts';
import type { Household } from '../store/household-repo.ts';
import { parseCsv } from '../reports/csv.ts';
import { gridFinder, planImport, sameAddress } from '../domain/household-import.ts';
import { writeInChunks } from '../store/chunked-writes.ts';
import { generateSecret } from '../auth/secrets.ts';

/** A street office's households in one file: 20,000 rows of about 150 bytes fit in 4 MB. */
const IMPORT_MOST_ROWS = 20_000;
const IMPORT_BYTES = 4 * 1024 * 1024;
/** Households written per transaction (store/chunked-writes.ts). */
const IMPORT_CHUNK = 250;

/** `limit` 1–1,000; without it, every household that matches. */
const householdQuery = {
  type: 'object', additionalProperties: false,
  properties: { q: { type: 'string', maxLength: 64 }, limit: { type: 'string', pattern: '^(1000|[1-9][0-9]{0,2})$' }, incomplete: { type: 'string', enum: ['1'] } },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } } } as const;
const PHONE = '^[0-9+()\\- ]{3,32}$';
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
  // CSV for the import only (this plugin's routes); the rest of the API speaks JSON.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BYTES }, (_req, body, done) => done(null, body));
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
    const redrawn = svc.alerts.redraw.household(id, requireStaff(req), svc.clock.now());
    return { household, openCallsRedrawn: redrawn };
  });

  /**
   * A spreadsheet of households (domain/household-import.ts), leaders and admins. Every row is
   * checked first: any problem, and nothing is written (400 with each row's line and problem).
   * Then all of them, in chunks; a failure part way removes what was written. Between chunks other
   * requests run, so each row's address is checked again as it is written: one registered meanwhile
   * (a worker adding that household by hand, another import) fails the import with its line (409).
   */
  app.post<{ Body: string }>('/api/households/import', { bodyLimit: IMPORT_BYTES }, async (req, reply) => {
    const me = requireStaff(req);
    if (me.role === 'staff') throw new HubError('E_FORBIDDEN', 'grid leaders and admins import households; grid workers add them one by one');
    if (typeof req.body !== 'string') throw new HubError('E_UNSUPPORTED_MEDIA', 'send the spreadsheet as Content-Type: text/csv (UTF-8)');
    let rows;
    try { rows = parseCsv(req.body); } catch (err) { throw new HubError('E_VALIDATION', `not a CSV file: ${(err as Error).message}`); }
    if (rows.length - 1 > IMPORT_MOST_ROWS) throw new HubError('E_TOO_LARGE', `at most ${IMPORT_MOST_ROWS} households per file: split it`);
    const scope = svc.alerts.scopeOf(me);
    const all = svc.store.grid.list();
    const usable = new Set(all.filter((n) => svc.alerts.canSee(me, n.path)).map((n) => n.id));
    const plan = planImport({ rows, gridOf: gridFinder(all, (id) => usable.has(id)), registered: (g, a) => svc.store.households.idAt(g, a),
      devices: { allowed: me.role === 'admin', taken: (ids) => svc.store.devices.existing(ids) } });
    if (plan.errors.length) {
      throw new HubError('E_VALIDATION', `${plan.errors.length} problem(s) in the file: nothing was imported`, { rows: plan.errors.slice(0, 200), problems: plan.errors.length });
    }
    if (!plan.households.length) throw new HubError('E_VALIDATION', 'the file has no households under its header line');
    const now = svc.clock.now();
    const created: number[] = [];
    const devices: { line: number; id: string; householdId: number; secret: string }[] = [];
    try {
      await writeInChunks(svc.store, plan.households, IMPORT_CHUNK, (x) => {
        const other = svc.store.households.idAt(x.household.gridId, x.household.address);
        if (other !== undefined) throw new HubError('E_CONFLICT', `line ${x.line}: household ${other} was registered at this address while the file was being imported: nothing was imported`, { line: x.line, householdId: other });
        if (x.deviceId !== null && svc.store.devices.get(x.deviceId)) throw new HubError('E_CONFLICT', `line ${x.line}: device ${x.deviceId} was registered while the file was being imported: nothing was imported`, { line: x.line, deviceId: x.deviceId });
        const householdId = svc.store.households.create(x.household, now).id;
        created.push(householdId);
        if (x.deviceId === null) return;
        // 128 random bits, made by the hub: salted SHA-256, as for devices registered one by one (auth/secrets.ts).
        const { secret, stored } = generateSecret();
        svc.store.devices.create({ id: x.deviceId, kind: 'mqtt-button', householdId }, stored, now);
        devices.push({ line: x.line, id: x.deviceId, householdId, secret });
      });
    } catch (err) {
      svc.store.tx(() => {
        svc.store.devices.removeUnused(devices.map((d) => d.id));
        svc.store.households.removeUnused(created);
      });
      req.log.warn({ err, written: created.length }, 'household import failed part way; what it wrote was removed');
      throw err;
    }
    req.log.info({ count: created.length, devices: devices.length, by: me.username, scope }, 'households imported');
    reply.status(201);
    // The buttons' secrets are answered this once (only their hashes are kept), as POST /api/devices does.
    return { created: created.length, households: plan.households.map((x, i) => ({ line: x.line, id: created[i] })), devices };
  });
};
