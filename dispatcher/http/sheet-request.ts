/**
 * What every spreadsheet import route does before its own rows: take the body as CSV text, read it a
 * row per step through the time slicer (a 4 MB file read at once held the loop about 100 ms), bound
 * its rows, and, once planned, refuse the whole file with every wrong row's line.
 */
import type { FastifyInstance } from 'fastify';
import type { HubServices } from './services.ts';
import { HubError } from '../errors.ts';
import { parseCsvSteps } from '../reports/csv.ts';

/** CSV bodies for this plugin's routes only; the rest of the API speaks JSON. */
export function acceptCsv(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
}

/** The sheet's rows, its header line first; `what` names its rows in the "split it" error ("households"). */
export async function readSheet(svc: HubServices, body: unknown, mostRows: number, what: string): Promise<{ line: number; cells: string[] }[]> {
  if (typeof body !== 'string') throw new HubError('E_UNSUPPORTED_MEDIA', 'send the spreadsheet as Content-Type: text/csv (UTF-8)');
  let rows;
  try { rows = await svc.slicer.result(parseCsvSteps(body)); } catch (err) { throw new HubError('E_VALIDATION', `not a CSV file: ${(err as Error).message}`); }
  if (rows.length - 1 > mostRows) throw new HubError('E_TOO_LARGE', `at most ${mostRows} ${what} per file: split it`);
  return rows;
}

/** Nothing is imported while any row is wrong: each wrong row with its line (the first 200) and how many there are. */
export function refuseSheet(errors: readonly { line: number; message: string }[]): void {
  if (errors.length) throw new HubError('E_VALIDATION', `${errors.length} problem(s) in the file: nothing was imported`, { rows: errors.slice(0, 200), problems: errors.length });
}
