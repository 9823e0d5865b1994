/**
 * The first line of an imported spreadsheet (households, staff): which column holds what, in
 * English or Chinese, in any order. A column it does not know is an error (a typo would drop a
 * column silently), as is one named twice or a required one missing. Pure.
 */
export interface SheetRow { line: number; cells: string[] }
export type SheetProblem = { line: number; message: string };

export function readSheetHeader<C extends string>(head: SheetRow | undefined, columns: Record<C, readonly string[]>, required: readonly C[]): { at: Map<C, number>; errors: SheetProblem[] } {
  const at = new Map<C, number>();
  if (!head) return { at, errors: [{ line: 1, message: 'the file is empty: the first line names the columns' }] };
  const errors: SheetProblem[] = [];
  const names = Object.keys(columns) as C[];
  head.cells.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (name === '') return;
    const col = names.find((k) => columns[k].includes(name));
    if (!col) errors.push({ line: head.line, message: `unknown column "${raw.trim()}": the columns are ${names.join(', ')} (or their Chinese names)` });
    else if (at.has(col)) errors.push({ line: head.line, message: `column ${col} appears twice` });
    else at.set(col, i);
  });
  for (const c of required) if (!at.has(c)) errors.push({ line: head.line, message: `column ${c} is missing` });
  return { at, errors };
}

/**
 * A row's cell by column, trimmed ('' for a column the sheet lacks). The apostrophe the hub's own
 * exports put before text a spreadsheet would run as a formula (reports/csv.ts: "+86 …", "=…")
 * comes off again, so an exported sheet reads back as it was.
 */
export function cellsOf<C extends string>(at: ReadonlyMap<C, number>, row: SheetRow): (c: C) => string {
  return (c) => (at.has(c) ? (row.cells[at.get(c)!] ?? '').trim().replace(/^'(?=[=+\-@])/, '') : '');
}
