/**
 * What a staff sheet says about an account that already exists, against what the account says:
 * its name, role, area and phone, and, when the sheet has the shift columns, its weekly shifts
 * inside its area (the ones the staff sheet lists: a shift outside it does not count, alerts/duty.ts,
 * and is left as it is). The account's rows in the sheet are all its shifts: a shift of the account
 * that no row gives is removed, one no shift of the account matches is added, the rest stay as
 * they are (their ids, so nothing else on the roster moves). Pure.
 */
import type { ImportRole, PlannedAccount, PlannedShift } from './staff-import.ts';

export interface ExistingAccount {
  id: number;
  displayName: string;
  role: ImportRole;
  scopeNodeId: number | null;
  phone: string;
  disabled: boolean;
  /** Its weekly shifts inside its area, as stored (`id`: the roster row, for removing it). */
  shifts: readonly (PlannedShift & { id?: number })[];
}

export type ChangedField = 'display_name' | 'role' | 'grid' | 'phone' | 'shifts';

export interface PlannedChange {
  line: number;
  username: string;
  /** The account as the sheet was checked against: the write refuses to go on if it has changed since. */
  before: ExistingAccount;
  after: { displayName: string; role: ImportRole; scopeNodeId: number | null; phone: string };
  fields: ChangedField[];
  added: PlannedShift[];
  removed: (PlannedShift & { id?: number })[];
}

export const sameShift = (x: PlannedShift, y: PlannedShift) => x.nodeId === y.nodeId && x.weekdays === y.weekdays && x.startMin === y.startMin && x.endMin === y.endMin;

/**
 * What the sheet's account changes in the existing one (no fields: nothing). `keep`: what the row
 * does not say, so the account keeps it: a column the sheet lacks (phone, the shift columns), or an
 * empty role cell (a new account's default, grid worker, would demote a leader by omission).
 */
export function accountChange(sheet: PlannedAccount, now: ExistingAccount, keep: { role: boolean; phone: boolean; shifts: boolean }, spaced: (s: string) => string): PlannedChange {
  const a = { ...sheet, role: keep.role ? now.role : sheet.role, phone: keep.phone ? now.phone.trim() : sheet.phone };
  const withShifts = !keep.shifts;
  const fields: ChangedField[] = [];
  if (a.displayName !== spaced(now.displayName)) fields.push('display_name');
  if (a.role !== now.role) fields.push('role');
  if (a.scopeNodeId !== now.scopeNodeId) fields.push('grid');
  if (a.phone !== now.phone.trim()) fields.push('phone');
  const added = withShifts ? a.shifts.filter((x) => !now.shifts.some((y) => sameShift(x, y))) : [];
  const removed = withShifts ? now.shifts.filter((y) => !a.shifts.some((x) => sameShift(x, y))) : [];
  if (added.length || removed.length) fields.push('shifts');
  return {
    line: a.line, username: a.username, before: now, fields, added, removed,
    after: { displayName: a.displayName, role: a.role, scopeNodeId: a.scopeNodeId, phone: a.phone },
  };
}

/** The stored account and its shifts still say what the plan read: nobody changed them by hand meanwhile. */
export function stillAsRead(before: ExistingAccount, now: ExistingAccount | undefined): boolean {
  return !!now && now.displayName === before.displayName && now.role === before.role && now.scopeNodeId === before.scopeNodeId
    && now.phone === before.phone && now.disabled === before.disabled && now.shifts.length === before.shifts.length
    && before.shifts.every((x) => now.shifts.some((y) => sameShift(x, y)));
}
