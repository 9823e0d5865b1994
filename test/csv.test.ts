/**
 * CSV cells as spreadsheets read them (reports/csv.ts): quoted when they hold a comma, a quote or a
 * line break; a text that a spreadsheet would run as a formula is shown as text instead.
 */
import { expect, it } from 'vitest';
import { csvCell, csvRow } from '../dispatcher/reports/csv.ts';

it('quotes what needs quoting and leaves the rest as it is', () => {
  expect(csvRow(['plain', 12, null, undefined, 0.5])).toBe('plain,12,,,0.5');
  expect(csvCell('a, b')).toBe('"a, b"');
  expect(csvCell('say "help"')).toBe('"say ""help"""');
  expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  expect(csvCell('商城花园1号楼4单元103室')).toBe('商城花园1号楼4单元103室');
});

it('shows a formula typed into an address or a name as text, but leaves numbers alone', () => {
  expect(csvCell('=HYPERLINK("http://x","click")')).toBe('"\'=HYPERLINK(""http://x"",""click"")"');
  expect(csvCell('+86 139')).toBe("'+86 139");
  expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  expect(csvCell('-60')).toBe('-60'); // a signal strength written as text is still a number
  expect(csvCell(-60)).toBe('-60');
  expect(csvCell('-')).toBe("'-");
});
