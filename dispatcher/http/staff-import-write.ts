/**
 * Writes a checked staff sheet (routes-staff-import.ts, domain/staff-import.ts): the accounts it
 * changes, then the ones it creates, 250 rows to a transaction with the loop free between them
 * (one transaction of 2,000 accounts and shifts held the loop 103-131 ms, bench/staff-import-cost.ts).
 * All or none: a username taken meanwhile, or an account changed by hand since the sheet was
 * checked, fails the import with its line, and what it wrote is undone: the accounts it made are
 * removed with their shifts, the ones it changed are put back as they were (their shifts put back
 * get new roster ids; nothing refers to a shift's id but its own delete button).
 */
import type { HubServices } from './services.ts';
import type { PlannedAccount, StaffImportPlan } from '../domain/staff-import.ts';
import { sameShift, stillAsRead, type ExistingAccount, type PlannedChange } from '../domain/staff-changes.ts';
import { withinArea } from '../domain/grid.ts';
import type { Staff } from '../store/staff-repo.ts';
import { HubError } from '../errors.ts';
import { generatePassword } from '../auth/secrets.ts';
import { writeInChunks } from '../store/chunked-writes.ts';

const CHUNK = 250;

export interface MadeAccount { line: number; id: number; username: string; displayName: string; password: string; shifts: number }
export interface ChangedAccount { line: number; id: number; username: string; fields: string[]; shiftsAdded: number; shiftsRemoved: number }

/**
 * Accounts as the staff sheet shows them, with their weekly shifts inside their area (a shift
 * outside it does not count: alerts/duty.ts), by id.
 */
export function accountsAsSheet(svc: HubServices, staff: readonly Staff[]): Map<number, ExistingAccount> {
  const within = withinArea(new Map(svc.store.grid.list().map((n) => [n.id, n])));
  const byId = new Map(staff.map((s) => [s.id, { ...s, shifts: [] as (ExistingAccount['shifts'][number])[] }]));
  for (const x of svc.store.rosters.allShifts()) {
    const s = byId.get(x.staffId);
    if (s && within(x.nodeId, s.scopeNodeId)) s.shifts.push({ id: x.id, nodeId: x.nodeId, weekdays: x.weekdays, startMin: x.startMin, endMin: x.endMin });
  }
  return byId;
}

type Step = { change: PlannedChange } | { create: PlannedAccount };

export async function writeStaffImport(svc: HubServices, plan: Pick<StaffImportPlan, 'accounts' | 'changes'>, now: number): Promise<{ made: MadeAccount[]; changed: ChangedAccount[] }> {
  const made: MadeAccount[] = [];
  const changed: ChangedAccount[] = [];
  const steps: Step[] = [...plan.changes.map((change) => ({ change })), ...plan.accounts.map((create) => ({ create }))];
  const chunks = Array.from({ length: Math.ceil(steps.length / CHUNK) }, (_, i) => steps.slice(i * CHUNK, (i + 1) * CHUNK));
  try {
    await writeInChunks(svc.store, chunks, 1, (chunk) => {
      checkStillFree(svc, chunk.flatMap((s) => ('create' in s ? [s.create] : [])));
      checkStillAsRead(svc, chunk.flatMap((s) => ('change' in s ? [s.change] : [])));
      for (const s of chunk) {
        if ('change' in s) changed.push(applyChange(svc, s.change));
        else made.push(create(svc, s.create, now));
      }
    });
  } catch (err) {
    svc.store.tx(() => {
      putBack(svc, plan.changes);
      svc.store.staff.removeNew(made.map((m) => m.id));
    });
    svc.store.rosters.forgetCache();
    svc.store.staff.forgetCache();
    throw err;
  }
  return { made, changed };
}

/** Usernames are unique in any case and have no index on lower(username): one question per chunk, not per row. */
function checkStillFree(svc: HubServices, accounts: readonly PlannedAccount[]) {
  const taken = svc.store.staff.takenNames(accounts.map((a) => a.username.toLowerCase()));
  const first = accounts.find((a) => taken.has(a.username.toLowerCase()));
  if (first) throw new HubError('E_CONFLICT', `line ${first.line}: username ${first.username} was taken while the file was being imported: nothing was imported`, { line: first.line, username: first.username });
}

function checkStillAsRead(svc: HubServices, changes: readonly PlannedChange[]) {
  if (!changes.length) return;
  const now = accountsAsSheet(svc, changes.flatMap((c) => svc.store.staff.get(c.before.id) ?? []));
  const moved = changes.find((c) => !stillAsRead(c.before, now.get(c.before.id)));
  if (moved) throw new HubError('E_CONFLICT', `line ${moved.line}: account ${moved.username} was changed while the file was being imported: nothing was imported`, { line: moved.line, username: moved.username });
}

function create(svc: HubServices, a: PlannedAccount, now: number): MadeAccount {
  const { secret, stored } = generatePassword();
  const s = svc.store.staff.create({ username: a.username, displayName: a.displayName, role: a.role, scopeNodeId: a.scopeNodeId, phone: a.phone }, stored, now, true);
  for (const { nodeId, ...shift } of a.shifts) svc.store.rosters.addShift(nodeId, { staffId: s.id, ...shift });
  return { line: a.line, id: s.id, username: a.username, displayName: a.displayName, password: secret, shifts: a.shifts.length };
}

function applyChange(svc: HubServices, c: PlannedChange): ChangedAccount {
  const { id } = c.before;
  const { rosters, staff } = svc.store;
  staff.update(id, c.after);
  for (const x of c.removed) rosters.removeShift(x.nodeId, x.id!);
  for (const { nodeId, ...x } of c.added) rosters.addShift(nodeId, { staffId: id, ...x });
  return { line: c.line, id, username: c.username, fields: c.fields, shiftsAdded: c.added.length, shiftsRemoved: c.removed.length };
}

/**
 * The accounts as the sheet was checked against, whatever was written of them: a chunk that failed
 * was rolled back already, the ones before it were committed, the ones after it never written.
 */
function putBack(svc: HubServices, changes: readonly PlannedChange[]) {
  const { rosters, staff } = svc.store;
  const now = accountsAsSheet(svc, changes.flatMap((c) => staff.get(c.before.id) ?? []));
  for (const { before } of changes) {
    const { id, displayName, role, scopeNodeId, phone } = before;
    staff.update(id, { displayName, role, scopeNodeId, phone });
    const current = now.get(id)?.shifts ?? [];
    for (const x of current) if (!before.shifts.some((y) => sameShift(x, y))) rosters.removeShift(x.nodeId, x.id!);
    for (const { nodeId, weekdays, startMin, endMin } of before.shifts) {
      if (!current.some((y) => sameShift(y, { nodeId, weekdays, startMin, endMin }))) rosters.addShift(nodeId, { staffId: id, weekdays, startMin, endMin });
    }
  }
}
