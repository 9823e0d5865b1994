/**
 * Staff accounts and their weekly shifts from a spreadsheet (POST /api/staff/import,
 * domain/staff-import.ts): leaders import grid workers inside their area, admins any account.
 * Every row is checked first: any problem, and nothing is written (400 with each row's line).
 * Each account gets a first password the hub makes, answered this once for the slips; its holder
 * must replace it before changing anything (security/first-password.ts). A row of an existing
 * account that says what the account says (the staff sheet sent back with new people at the bottom)
 * is left alone; one that says something else is refused: existing accounts change in the console. The sheet (2,000 rows at
 * most) is written in chunks with the loop free between them, as a household import is (one
 * transaction of 2,000 accounts and shifts held the loop 103-131 ms, bench/staff-import-cost.ts);
 * a username taken meanwhile fails the import with its line and removes what it wrote: all or none.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { HubError } from '../errors.ts';
import { acceptCsv, readSheet, refuseSheet } from './sheet-request.ts';
import { gridFinder } from '../domain/household-import.ts';
import { planStaffImportSteps, type ExistingAccount, type PlannedShift } from '../domain/staff-import.ts';
import { withinArea } from '../domain/grid.ts';
import { generatePassword } from '../auth/secrets.ts';
import { writeInChunks } from '../store/chunked-writes.ts';

const IMPORT_BYTES = 1024 * 1024;
const IMPORT_MOST_ROWS = 2000;
const IMPORT_CHUNK = 250;

export const staffImportRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  /** Existing accounts by lower-cased username, with their shifts, read once per sheet and only if a name is taken. */
  const existingAccounts = () => {
    let byName: Map<string, ExistingAccount> | null = null;
    return (lower: string) => {
      if (!byName) {
        const shifts = new Map<number, PlannedShift[]>();
        for (const x of svc.store.rosters.allShifts()) (shifts.get(x.staffId) ?? shifts.set(x.staffId, []).get(x.staffId)!).push({ nodeId: x.nodeId, weekdays: x.weekdays, startMin: x.startMin, endMin: x.endMin });
        byName = new Map(svc.store.staff.list().map((s) => [s.username.toLowerCase(), { ...s, shifts: shifts.get(s.id) ?? [] }]));
      }
      return byName.get(lower);
    };
  };

  acceptCsv(app, IMPORT_BYTES);

  app.post<{ Body: string }>('/api/staff/import', { bodyLimit: IMPORT_BYTES }, async (req, reply) => {
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
    }));
    refuseSheet(plan.errors);
    if (!plan.accounts.length && !plan.unchanged) throw new HubError('E_VALIDATION', 'the file has no accounts under its header line');
    const now = svc.clock.now();
    const made: { line: number; id: number; username: string; displayName: string; password: string; shifts: number }[] = [];
    try {
      // Usernames are unique in any case and there is no index on lower(username): each chunk asks
      // once for its own names (a scan of the staff table), not once per row.
      const chunks = Array.from({ length: Math.ceil(plan.accounts.length / IMPORT_CHUNK) }, (_, i) => plan.accounts.slice(i * IMPORT_CHUNK, (i + 1) * IMPORT_CHUNK));
      await writeInChunks(svc.store, chunks, 1, (chunk) => {
        const taken = svc.store.staff.takenNames(chunk.map((a) => a.username.toLowerCase()));
        const first = chunk.find((a) => taken.has(a.username.toLowerCase()));
        if (first) throw new HubError('E_CONFLICT', `line ${first.line}: username ${first.username} was taken while the file was being imported: nothing was imported`, { line: first.line, username: first.username });
        for (const a of chunk) {
          const { secret, stored } = generatePassword();
          const s = svc.store.staff.create({ username: a.username, displayName: a.displayName, role: a.role, scopeNodeId: a.scopeNodeId, phone: a.phone }, stored, now, true);
          for (const { nodeId, ...shift } of a.shifts) svc.store.rosters.addShift(nodeId, { staffId: s.id, ...shift });
          made.push({ line: a.line, id: s.id, username: a.username, displayName: a.displayName, password: secret, shifts: a.shifts.length });
        }
      });
    } catch (err) {
      svc.store.tx(() => svc.store.staff.removeNew(made.map((m) => m.id)));
      svc.store.rosters.forgetCache();
      req.log.warn({ err, written: made.length }, 'staff import failed part way; the accounts it made were removed');
      throw err;
    }
    req.log.info({ count: made.length, shifts: made.reduce((n, m) => n + m.shifts, 0), by: me.username }, 'staff accounts imported');
    reply.status(made.length ? 201 : 200);
    return { created: made.length, unchanged: plan.unchanged, accounts: made };
  });
};
