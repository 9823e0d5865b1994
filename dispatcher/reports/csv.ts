/**
 * CSV as spreadsheets read it: a cell with a comma, a quote or a line break is quoted, quotes
 * doubled; empty for null. A text cell that starts with =, +, - or @ and is not a number gets a
 * leading apostrophe, so that an address or a name typed as a formula is shown, not run, by the
 * spreadsheet a supervisor opens it in.
 */
const FORMULA = /^[=+\-@\t\r]/;

export const csvCell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v === 'string' && FORMULA.test(s) && !Number.isFinite(Number(s))) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One line of cells, without its line break. */
export const csvRow = (cells: readonly unknown[]): string => cells.map(csvCell).join(',');
