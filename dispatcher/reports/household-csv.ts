/**
 * The households of a scope as a spreadsheet, in the columns the import reads
 * (domain/household-import.ts), so a supervisor can keep a copy, correct it offline, add rows and
 * send it back (registered households are updated from their rows, the rest added): Chinese headers as the console's template has them, the grid as names from the top
 * joined by "/" (the import matches them from the end), the first two residents and the first two
 * contacts (as the import takes them; more are rare, and kept in the hub), and its call buttons. Pure: built in the report worker.
 */
import { csvRow } from './csv.ts';
import type { Household } from '../store/household-repo.ts';
import { BUTTON_SEPARATOR } from '../domain/household-import.ts';

const HEAD = ['网格', '地址', '进门方式', '老人姓名', '年龄', '老人电话', '健康情况', '老人2姓名', '年龄2', '老人2电话', '健康情况2',
  '联系人', '关系', '联系人电话', '联系人2', '关系2', '联系人2电话', '按钮编号'];

/** A node's names from the top, joined by "/". */
export function gridPathNames(nodes: Map<number, { name: string; parentId: number | null }>, id: number): string {
  const names: string[] = [];
  for (let n = nodes.get(id); n; n = n.parentId === null ? undefined : nodes.get(n.parentId)) names.unshift(n.name);
  return names.join('/');
}

/** `buttonsOf`: the household's call buttons not revoked, written in 按钮编号 apart by "、": sent back, the import sees they are the household's own. */
export function householdsCsv(households: readonly Household[], gridOf: (gridId: number) => string, buttonsOf: (householdId: number) => readonly string[] = () => []): string {
  const lines = [csvRow(HEAD)];
  for (const h of households) {
    const [r1, r2] = h.residents, [c1, c2] = h.contacts;
    lines.push(csvRow([gridOf(h.gridId), h.address, h.accessNote,
      r1?.name, r1?.age, r1?.phone, r1?.medicalNote, r2?.name, r2?.age, r2?.phone, r2?.medicalNote,
      c1?.name, c1?.relation, c1?.phone, c2?.name, c2?.relation, c2?.phone, buttonsOf(h.id).join(BUTTON_SEPARATOR)]));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
