/**
 * Staff accounts and their weekly shifts from a spreadsheet (POST /api/staff/import,
 * domain/staff-import.ts): leaders import grid workers inside their area, admins any account.
 * Every row is checked first: any problem, and nothing is written (400 with each row's line).
 * Each new account gets a first password the hub makes, answered this once for the slips; its holder
 * must replace it before changing anything (security/first-password.ts). A row of an existing
 * account the importer manages changes it to what the row says (the staff sheet sent back,
 * corrected), once the importer has seen the list and sent it again with changeExisting=true (409
 * with the list until then); one that says what the account says is left alone. Written in chunks, all or none
 * (staff-import-write.ts); then, as a change in the console would, a renamed account's open calls
 * are redrawn and a moved or promoted one's consoles reconnect to see their new area.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { HubError } from '../errors.ts';
import { acceptCsv, readSheet, refuseSheet } from './sheet-request.ts';
import { gridFinder } from '../domain/household-import.ts';
import { planStaffImportSteps } from '../domain/staff-import.ts';
import type { ExistingAccount } from '../domain/staff-changes.ts';
import { withinArea } from '../domain/grid.ts';
import { accountWithin, whyNotManaged } from './staff-view.ts';
import { accountsAsSheet, writeStaffImport } from './staff-import-write.ts';

const IMPORT_BYTES = 1024 * 1024;
const IMPORT_MOST_ROWS = 2000;

export const staffImportRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  /** Existing accounts by lower-cased username, as the staff sheet shows them: read once per sheet, and only if a name is taken. */
  const existingAccounts = () => {
    let byName: Map<string, ExistingAccount> | null = null;
    return (lower: string) => {
      if (!byName) {
        const staff = svc.store.staff.list();
        const asSheet = accountsAsSheet(svc, staff);
        byName = new Map(staff.map((s) => [s.username.toLowerCase(), asSheet.get(s.id)!]));
      }
      return byName.get(lower);
    };
  };

  acceptCsv(app, IMPORT_BYTES);

  const querystring = { type: 'object', additionalProperties: false, properties: { changeExisting: { type: 'string', enum: ['true', 'false'] } } } as const;
  app.post<{ Body: string; Querystring: { changeExisting?: 'true' | 'false' } }>('/api/staff/import', { bodyLimit: IMPORT_BYTES, schema: { querystring } }, async (req, reply) => {
    const me = requireStaff(req);
    if (me.role === 'staff') throw new HubError('E_FORBIDDEN', 'only grid leaders and admins manage staff accounts');
    const rows = await readSheet(svc, req.body, IMPORT_MOST_ROWS, 'accounts');
    const all = svc.store.grid.list();
    const usable = new Set(all.filter((n) => svc.alerts.canSee(me, n.path)).map((n) => n.id));
    const byId = new Map(all.map((n) => [n.id, n]));
    const plan = await svc.slicer.result(planStaffImportSteps({
      rows, gridOf: gridFinder(all, (id) => usable.has(id)), taken: (names) => svc.store.staff.takenNames(names),
      refuse: (role, gridId) => {
        if (me.role !== 'admin' && role !== 'staff') return 'role: grid leaders create grid-worker accounts only';
        if (gridId === null && me.scopeNodeId !== null) return 'grid: an account without a grid is for admins of the whole tree';
        return null;
      },
      within: withinArea(byId),
      existing: existingAccounts(),
      mayChange: (now, next) => whyNotManaged(me, now, () => accountWithin(now, svc.alerts.scopeOf(me), (id) => svc.store.grid.find(id)?.path))
        ?? (now.id === me.id && next.role !== now.role ? 'you cannot change your own role' : null),
    }));
    refuseSheet(plan.errors);
    if (!plan.accounts.length && !plan.changes.length && !plan.unchanged) throw new HubError('E_VALIDATION', 'the file has no accounts under its header line');
    // A username reused by mistake must not rename someone: changes are shown first, and made when asked again.
    if (plan.changes.length && req.query.changeExisting !== 'true') {
      throw new HubError('E_CONFLICT', `${plan.changes.length} row(s) change accounts that exist already: send the file again with changeExisting=true to change them; nothing was imported`, {
        changes: plan.changes.slice(0, 200).map((c) => ({ line: c.line, username: c.username, fields: c.fields, shiftsAdded: c.added.length, shiftsRemoved: c.removed.length })),
        changing: plan.changes.length, creating: plan.accounts.length,
      });
    }
    const now = svc.clock.now();
    const { made, changed } = await writeStaffImport(svc, plan, now).catch((err) => {
      req.log.warn({ err }, 'staff import failed part way; what it wrote was undone');
      throw err;
    });
    for (const c of changed) {
      if (c.fields.includes('display_name')) await svc.alerts.redraw.staffRenamed(c.id, svc.clock.now()); // the open calls that name them
      if (c.fields.includes('role') || c.fields.includes('grid')) svc.closeSockets({ staffId: c.id }, 'account scope changed', 4002);
    }
    req.log.info({ created: made.length, changed: changed.length, shifts: made.reduce((n, m) => n + m.shifts, 0), by: me.username }, 'staff accounts imported');
    reply.status(made.length ? 201 : 200);
    return { created: made.length, changed: changed.length, unchanged: plan.unchanged, accounts: made, changes: changed };
  });
};
