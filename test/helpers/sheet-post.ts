/** POSTs a spreadsheet (text) to an import route of a test hub, as a staff member: `{status, body}`. */
import type { TestHub } from './hub-harness.ts';

export function sheetPoster(t: () => TestHub, path: string, who: () => string) {
  return (body: string, token = who(), type = 'text/csv'): Promise<{ status: number; body: any }> => fetch(`${t().httpUrl}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body,
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}
