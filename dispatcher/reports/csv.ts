/**
 * CSV as spreadsheets write and read it. Written: a cell with a comma, a quote or a line break is quoted, quotes
 * doubled; empty for null. A text cell that starts with =, +, - or @ and is not a number gets a
 * leading apostrophe, so that an address or a name typed as a formula is shown, not run, by the
 * spreadsheet a supervisor opens it in.
 */
import { runToEnd } from '../time-slicer.ts';

const FORMULA = /^[=+\-@\t\r]/;

export const csvCell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v === 'string' && FORMULA.test(s) && !Number.isFinite(Number(s))) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One line of cells, without its line break. */
export const csvRow = (cells: readonly unknown[]): string => cells.map(csvCell).join(',');

/**
 * The rows of a CSV text as a spreadsheet saves it (RFC 4180): cells split at commas, a quoted cell
 * may hold commas, doubled quotes and line breaks; CRLF or LF; a leading byte-order mark (Excel's
 * UTF-8) dropped. Each row with the line it starts on (1-based), for errors people can find.
 * Throws on a quote left open.
 */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  return runToEnd(parseCsvSteps(text));
}

/** parseCsv a row per step, for the time slicer: a 4 MB import read at once held the loop about 100 ms. */
export function* parseCsvSteps(text: string): Generator<unknown, { line: number; cells: string[] }[], void> {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [], cell = '', quoted = false, line = 1, rowLine = 1, i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => { cells.push(cell); rows.push({ line: rowLine, cells }); cells = []; cell = ''; };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; cell += c; }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      rowLine = ++line;
      yield;
    } else cell += c;
  }
  if (quoted) throw new Error(`a quoted cell that starts on line ${rowLine} is never closed`);
  if (cell !== '' || cells.length) endRow();
  return rows;
}
