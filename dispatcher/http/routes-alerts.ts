/** Alerts: the open list, one alert, its timeline, and the staff actions on it. */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { HubError } from '../errors.ts';
import { alertViewBytes, buildAlertView } from '../alerts/alert-view.ts';
import { STAFF_OUTCOMES, type AlertInput } from '../domain/alert-machine.ts';
import { mapSliced } from '../time-slicer.ts';
import type { OpenRef } from '../store/open-ref-pages.ts';

const NOTE_MAX = 500;
const noteBody = { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: NOTE_MAX } } } as const;
/** A note's text, its spaces trimmed; blank is refused. */
function noteText(raw: string): string {
  const text = raw.trim();
  if (!text) throw new HubError('E_VALIDATION', 'text must not be blank');
  return text;
}
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const emptyBody = { anyOf: [{ type: 'object', additionalProperties: false, properties: {} }, { type: 'null' }] } as const;
const resolveBody = {
  type: 'object', additionalProperties: false, required: ['outcome'],
  properties: { outcome: { type: 'string', enum: [...STAFF_OUTCOMES] }, note: { type: 'string', maxLength: 2000 } },
} as const;

type Params = { Params: { id: string } };
const COMMA = Buffer.from(',');
const END = Buffer.from(']}');
const oldestFirst = (a: OpenRef, b: OpenRef): number => a.raisedAt - b.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const alertRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  app.get<{ Querystring: { state?: 'open' | 'all'; limit?: number } }>('/api/alerts', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: ['open', 'all'] }, limit: { type: 'string', pattern: '^[0-9]{1,5}$' } } } },
  }, async (req, reply) => {
    const staff = requireStaff(req);
    const seq = svc.store.alerts.lastChangeSeq();
    // Scoped staff get the most recent alerts of their own subtree, not the hub's most recent filtered down.
    const scopePath = svc.alerts.scopeOf(staff);
    // The open list starts from ids only (reading 11,000 whole rows took 80-180 ms on the event loop), read
    // in pages (store/open-ref-pages.ts), oldest first as before.
    const refs: { id: string; gridPath: string }[] = scopePath === undefined ? []
      : req.query.state === 'all' ? svc.store.alerts.recent(Math.min(Number(req.query.limit ?? 200), 1000), scopePath)
        : (await svc.slicer.result(svc.store.alerts.openPages.all(scopePath))).sort(oldestFirst);
    // Built a few ms per turn (thousands may be open in a mass event), each from the alert as it is when its
    // step comes; open alerts' views are kept as JSON bytes (alert-view.ts), so mostly joined, not built.
    const mine = refs.filter((r) => svc.alerts.canSee(staff, r.gridPath));
    const views = await svc.slicer.result(mapSliced(mine, (r) => {
      const a = svc.store.alerts.get(r.id);
      return a ? alertViewBytes(svc.store, a) : undefined;
    }));
    const parts: Buffer[] = [Buffer.from(`{"seq":${seq},"alerts":[`)];
    views.forEach((v, i) => parts.push(...(i > 0 ? [COMMA, v] : [v])));
    parts.push(END);
    return reply.type('application/json; charset=utf-8').send(Buffer.concat(parts));
  });

  app.get<Params>('/api/alerts/:id', { schema: { params: idParams } }, async (req) => {
    const a = svc.alerts.visible(req.params.id, requireStaff(req));
    return { alert: buildAlertView(svc.store, a) };
  });

  const action = (path: string, make: (staffId: number, body: Record<string, string>) => AlertInput, body: object = emptyBody) => {
    app.post<Params & { Body: Record<string, string> }>(`/api/alerts/:id/${path}`, { schema: { params: idParams, body } }, async (req) => {
      const staff = requireStaff(req);
      const done = svc.alerts.act(req.params.id, staff, make(staff.id, req.body ?? {}), svc.clock.now());
      svc.rearm(); // committed: the next deadline may have moved
      const alert = await done;
      req.log.info({ alertId: alert.id, action: path, staff: staff.username }, 'alert action');
      return { alert };
    });
  };
  action('ack', (staffId) => ({ type: 'accept', staffId }));
  action('arrive', (staffId) => ({ type: 'arrive', staffId }));
  action('resolve', (staffId, b) => ({ type: 'resolve', staffId, outcome: b.outcome as never, note: b.note ?? '' }), resolveBody);
  action('confirm-cancel', (staffId) => ({ type: 'confirm_cancel', staffId }));
  action('release', (staffId) => ({ type: 'release', staffId }));
  action('note', (staffId, b) => ({ type: 'note', staffId, text: noteText(b.text) }), noteBody);
};
