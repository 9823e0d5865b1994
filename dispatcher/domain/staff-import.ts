/**
 * A street office's duty staff from a spreadsheet (CSV): one account per row, with the grid it
 * covers and, optionally, its weekly shift there, so 600 grid workers are not typed in one by one,
 * then put on the roster one by one. Checked row by row before anything is written, every problem
 * with its line. Headers in English or Chinese, in any order; a header it does not know is an error.
 * A split roster (weekdays 08:00-20:00, Saturday mornings) is one row per shift: the same username
 * on a later row adds that row's shift, its other cells empty or as on the first row. A shift is on
 * duty at the account's own node, or at a node inside its area named in shift_grid (a community
 * leader who covers one of its grids at night). A row of an account that exists already changes it
 * to what the row says, its shifts included (domain/staff-changes.ts), when the importer manages it;
 * one that says what the account says is left alone, so the staff sheet goes out, is corrected and
 * comes back.
 * Pure: the grid lookup, the "username taken" check and who may create what come in as functions.
 */
import { PHONE_RE as PHONE } from './phone.ts';
import { sameAddress as oneSpaced } from './household-import.ts';
import { cellsOf, readSheetHeader } from './sheet-header.ts';
import { runToEnd } from '../time-slicer.ts';
import { accountChange, type ExistingAccount, type PlannedChange } from './staff-changes.ts';

export const STAFF_IMPORT_COLUMNS = {
  username: ['username', '账号'],
  display_name: ['display_name', '姓名'],
  role: ['role', '角色'],
  grid: ['grid', '网格'],
  phone: ['phone', '电话'],
  weekdays: ['weekdays', '值班日'],
  start: ['start', '开始'],
  end: ['end', '结束'],
  shift_grid: ['shift_grid', '值班网格'],
} as const;
type Column = keyof typeof STAFF_IMPORT_COLUMNS;
export type ImportRole = 'staff' | 'leader' | 'admin';

const ROLES: Record<string, ImportRole> = { staff: 'staff', '网格员': 'staff', leader: 'leader', '网格长': 'leader', admin: 'admin', '管理员': 'admin' };
const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/;
const HHMM = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$|^24:00$/;

export interface StaffImportInputs {
  rows: { line: number; cells: string[] }[];
  /** A grid node in the importer's scope for a cell (household-import.ts's gridFinder). */
  gridOf: (cell: string) => { id: number } | { error: string };
  /** Which of the sheet's usernames are taken: asked once for all of them. */
  taken: (usernames: readonly string[]) => Set<string>;
  /** Why the importer may not make this account (or make an existing one into it), or null when they may. */
  refuse: (role: ImportRole, gridId: number | null) => string | null;
  /** Whether a node is inside an area (null: the whole tree): a shift goes only where its holder's console shows the calls. */
  within: (nodeId: number, areaNodeId: number | null) => boolean;
  /**
   * A taken username's account as it is, with its shifts inside its area: a row that says what the
   * account says (the staff sheet sent back) is left alone, one that says something else changes it.
   */
  existing?: (lowerName: string) => ExistingAccount | undefined;
  /** Why the importer may not change this account into `next`, or null when they may. */
  mayChange?: (now: ExistingAccount, next: { role: ImportRole; scopeNodeId: number | null }) => string | null;
}

export interface PlannedAccount {
  line: number;
  username: string;
  displayName: string;
  role: ImportRole;
  scopeNodeId: number | null;
  phone: string;
  /** Weekly shifts at its grid: days 1 (Monday) to 7 as a bit mask, minutes from midnight; end 1440 is midnight. */
  shifts: PlannedShift[];
}
/** `nodeId`: where the shift is on duty: the account's own node, or one inside its area (shift_grid). */
export interface PlannedShift { nodeId: number; weekdays: number; startMin: number; endMin: number }
const ACCOUNT_CELLS = ['display_name', 'role', 'grid', 'phone'] as const;

/** "1-5", "1,3,5", "6-7", "每天"/"daily" (every day): the days as a bit mask, or null when unreadable. */
export function weekdayMask(cell: string): number | null {
  const s = cell.replace(/\s+/g, '');
  if (s === '每天' || s.toLowerCase() === 'daily') return 0x7f;
  let mask = 0;
  for (const part of s.split(/[,，、]/)) {
    const m = /^([1-7])(?:-([1-7]))?$/.exec(part);
    if (!m) return null;
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) return null;
    for (let d = from; d <= to; d++) mask |= 1 << (d - 1);
  }
  return mask || null;
}

/** The days of a mask as the import reads them: 每天, or runs such as "1-5" and "1,3,6-7". */
export function weekdayText(mask: number): string {
  if ((mask & 0x7f) === 0x7f) return '每天';
  const runs: string[] = [];
  for (let d = 1; d <= 7; d++) {
    if (!(mask & (1 << (d - 1)))) continue;
    let to = d;
    while (to < 7 && mask & (1 << to)) to++;
    runs.push(to === d ? String(d) : `${d}-${to}`);
    d = to;
  }
  return runs.join(',');
}

const minutesOf = (hhmm: string) => { const [h, m] = hhmm.split(':').map(Number); return h * 60 + m; };

/** `accounts`: to create; `changes`: existing accounts the sheet changes; `unchanged`: existing accounts it leaves as they are. */
export type StaffImportPlan = { accounts: PlannedAccount[]; changes: PlannedChange[]; unchanged: number; errors: { line: number; message: string }[] };

export function planStaffImport(p: StaffImportInputs): StaffImportPlan {
  return runToEnd(planStaffImportSteps(p));
}

/** planStaffImport a row per step, for the time slicer (household-import.ts does the same). */
export function* planStaffImportSteps(p: StaffImportInputs): Generator<unknown, StaffImportPlan, void> {
  const [head, ...body] = p.rows;
  const { at, errors } = readSheetHeader<Column>(head, STAFF_IMPORT_COLUMNS, ['username', 'display_name', 'grid']);
  if (errors.length) return { accounts: [], changes: [], unchanged: 0, errors };
  const lacks = { phone: !at.has('phone'), shifts: !at.has('weekdays') && !at.has('start') && !at.has('end') };
  const emptyRole = new Set<PlannedAccount>();

  /** The same value, as the hub reads it: 网格员 is staff, a grid's id is its name. */
  const sameCell = (c: (typeof ACCOUNT_CELLS)[number], a: string, b: string) => {
    if (c === 'role') return ROLES[a.toLowerCase()] === ROLES[b.toLowerCase() || 'staff'];
    if (c === 'grid') { const [x, y] = [p.gridOf(a), p.gridOf(b)]; return 'id' in x && 'id' in y ? x.id === y.id : a === b; }
    return oneSpaced(a) === oneSpaced(b);
  };
  /** Where a row's shift is on duty: its shift_grid, which must lie inside the account's area, or the account's own node. */
  const shiftNode = (cellValue: string, area: number | null, bad: (m: string) => void): number | null => {
    if (!cellValue) {
      if (area === null) bad('a shift needs a grid to be on duty at: give it in shift_grid (值班网格)');
      return area;
    }
    const node = p.gridOf(cellValue);
    if ('error' in node) { bad(`shift_grid: ${node.error}`); return null; }
    if (!p.within(node.id, area)) { bad(`shift_grid "${cellValue}": outside the account's area, so its console would not show the calls there`); return null; }
    return node.id;
  };
  const accounts: PlannedAccount[] = [];
  const refused = new Map<PlannedAccount, string>();
  const first = new Map<string, { line: number; cells: Record<(typeof ACCOUNT_CELLS)[number], string>; account?: PlannedAccount }>();
  for (const row of body) {
    yield;
    if (row.cells.every((c) => c.trim() === '')) continue;
    const cell = cellsOf(at, row);
    const bad = (message: string) => errors.push({ line: row.line, message });
    const before = errors.length;
    const username = cell('username');
    const earlier = first.get(username.toLowerCase());
    if (earlier) {
      // A later row of the same account: one more shift, nothing else.
      const differs = ACCOUNT_CELLS.filter((c) => cell(c) !== '' && !sameCell(c, cell(c), earlier.cells[c]));
      if (differs.length) bad(`username ${username}: also on line ${earlier.line} with another ${differs.join(', ')} (a later row of an account adds a shift; leave its other cells empty or as on line ${earlier.line})`);
      const times = planShift(cell('weekdays'), cell('start'), cell('end'), bad);
      if (!times && errors.length === before) bad(`username ${username}: also on line ${earlier.line}, and this row has no shift to add`);
      const nodeId = times && earlier.account ? shiftNode(cell('shift_grid'), earlier.account.scopeNodeId, bad) : null;
      const shift = times && nodeId !== null ? { nodeId, ...times } : null;
      const twin = shift && earlier.account?.shifts.find((x) => x.nodeId === shift.nodeId && x.weekdays === shift.weekdays && x.startMin === shift.startMin && x.endMin === shift.endMin);
      if (twin) bad(`username ${username}: this shift is already on an earlier row`);
      if (errors.length === before && shift) earlier.account?.shifts.push(shift);
      continue;
    }
    if (!USERNAME.test(username)) bad(`username: 2 to 64 letters, digits, _ . or -, not "${username}"`);
    else first.set(username.toLowerCase(), { line: row.line, cells: { display_name: cell('display_name'), role: cell('role'), grid: cell('grid'), phone: cell('phone') } });
    const displayName = oneSpaced(cell('display_name'));
    if (!displayName || displayName.length > 64) bad('display_name: 1 to 64 characters');
    const role = ROLES[cell('role').toLowerCase() || 'staff'];
    const roleGiven = cell('role') !== '';
    if (!role) bad(`role: staff, leader or admin (网格员, 网格长, 管理员), not "${cell('role')}"`);
    const gridCell = cell('grid');
    const grid = gridCell === '' && role === 'admin' ? { id: null } : p.gridOf(gridCell);
    if ('error' in grid) bad(grid.error);
    const phone = cell('phone');
    if (phone && !PHONE.test(phone)) bad(`phone: 3 to 32 digits, spaces or + ( ) -, not "${phone}"`);
    const times = planShift(cell('weekdays'), cell('start'), cell('end'), bad);
    if (!times && cell('shift_grid')) bad('shift_grid: give weekdays, start and end for the shift there');
    const nodeId = times && !('error' in grid) ? shiftNode(cell('shift_grid'), grid.id, bad) : null;
    if (errors.length > before || !role || 'error' in grid) continue;
    const account: PlannedAccount = { line: row.line, username, displayName, role, scopeNodeId: grid.id, phone, shifts: times && nodeId !== null ? [{ nodeId, ...times }] : [] };
    // Asked after the "taken?" question: an existing account sent back unchanged is no creation to refuse.
    const refusal = p.refuse(role, grid.id);
    if (refusal) refused.set(account, refusal);
    if (!roleGiven) emptyRole.add(account);
    accounts.push(account);
    first.get(username.toLowerCase())!.account = account;
  }
  const lineOf = new Map([...first].map(([name, f]) => [name, f.line]));
  const taken = lineOf.size ? p.taken([...lineOf.keys()]) : new Set<string>();
  const creating: PlannedAccount[] = [];
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  for (const a of accounts) {
    const lower = a.username.toLowerCase();
    const bad = (message: string) => errors.push({ line: a.line, message: `username ${a.username}: ${message}` });
    if (!taken.has(lower)) {
      if (refused.has(a)) errors.push({ line: a.line, message: refused.get(a)! });
      else creating.push(a);
      continue;
    }
    const now = p.existing?.(lower);
    if (!now) { bad('already taken'); continue; }
    if (now.disabled) { bad('already taken by a disabled account: enable it in the console first (an import does not bring accounts back into service)'); continue; }
    const change = accountChange(a, now, { ...lacks, role: emptyRole.has(a) }, oneSpaced);
    if (!change.fields.length) { unchanged++; continue; }
    const why = p.mayChange?.(now, change.after) ?? p.refuse(change.after.role, change.after.scopeNodeId);
    if (why) bad(`this row changes the account's ${change.fields.join(', ')}, but ${why}`);
    else changes.push(change);
  }
  // A taken name whose first row was wrong in itself: said too.
  for (const name of taken) if (!first.get(name)?.account) errors.push({ line: lineOf.get(name)!, message: `username ${name}: already taken` });
  errors.sort((a, b) => a.line - b.line);
  return { accounts: creating, changes, unchanged, errors };
}

/** The three shift cells: all empty (no shift), or all given and readable. */
function planShift(days: string, start: string, end: string, bad: (m: string) => void): Omit<PlannedShift, 'nodeId'> | null {
  if (!days && !start && !end) return null;
  if (!days || !start || !end) { bad('weekdays, start and end: give all three for a shift, or none'); return null; }
  const weekdays = weekdayMask(days);
  if (weekdays === null) bad(`weekdays: days 1 (Monday) to 7 as "1-5", "1,3,5" or 每天, not "${days}"`);
  for (const [k, v] of [['start', start], ['end', end]] as const) if (!HHMM.test(v)) bad(`${k}: a time as HH:MM, not "${v}"`);
  if (weekdays === null || !HHMM.test(start) || !HHMM.test(end)) return null;
  const startMin = minutesOf(start), endMin = minutesOf(end) === 0 ? 1440 : minutesOf(end);
  if (startMin === 1440 || startMin === endMin) { bad('start and end: different times (an end before the start runs overnight; 00:00 to 24:00 is around the clock)'); return null; }
  return { weekdays, startMin, endMin };
}
