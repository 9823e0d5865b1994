/**
 * The staff accounts of a scope and their weekly shifts as a spreadsheet, in the columns the staff
 * import reads (domain/staff-import.ts): a roster to print or keep, and a sheet that sets up another
 * hub (a new installation's accounts from a trial one). One row per shift at a node inside the
 * account's area (its own node, or one below it named in 值班网格), or one row without shift cells;
 * the Chinese headers and role names the console's template uses; grids as names from the top
 * joined by "/". Disabled accounts are left out (they are on no roster), and so are shifts outside an
 * account's area (the hub does not count them, and the import would refuse them). Pure.
 */
import { csvRow } from './csv.ts';
import { weekdayText } from '../domain/staff-import.ts';
import type { Staff } from '../store/staff-repo.ts';

const HEAD = ['账号', '姓名', '角色', '网格', '电话', '值班日', '开始', '结束', '值班网格'];
const ROLE = { staff: '网格员', leader: '网格长', admin: '管理员' } as const;
const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

export interface ShiftCells { staffId: number; nodeId: number; weekdays: number; startMin: number; endMin: number }

export function staffCsv(staff: readonly Staff[], shifts: readonly ShiftCells[], gridOf: (nodeId: number) => string, within: (nodeId: number, areaNodeId: number | null) => boolean): string {
  const byId = new Map(staff.map((s) => [s.id, s]));
  const own = new Map<number, ShiftCells[]>(staff.map((s) => [s.id, []]));
  for (const x of shifts) {
    const s = byId.get(x.staffId);
    if (s && within(x.nodeId, s.scopeNodeId)) own.get(x.staffId)!.push(x);
  }
  const lines = [csvRow(HEAD)];
  for (const s of staff) {
    if (s.disabled) continue;
    const head = [s.username, s.displayName, ROLE[s.role], s.scopeNodeId === null ? '' : gridOf(s.scopeNodeId), s.phone];
    const mine = own.get(s.id)!;
    if (!mine.length) lines.push(csvRow([...head, '', '', '', '']));
    for (const x of mine) lines.push(csvRow([...head, weekdayText(x.weekdays), hhmm(x.startMin), hhmm(x.endMin), x.nodeId === s.scopeNodeId ? '' : gridOf(x.nodeId)]));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
