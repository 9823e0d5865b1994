/**
 * The audit log for admins, under the statistics (GET /api/audit): who did what, when and from
 * where, newest first; filtered by username, kind of action and a piece of the target (an alert
 * id, "households"); 更早 *Older* goes on a page at a time. Refused requests show their error code
 * in red. Read-only: the log cannot be changed (docs/audit.md).
 */
import { h, tx, v, clear } from './dom.js';
import { api } from './api.js';
import { has, t } from './i18n.js';
import { dateTime } from './format.js';
import { field } from './form-bits.js';

const ACTIONS = ['login', 'login_failed', 'logout', 'alert_action', 'admin_change', 'denied', 'export'];
const PAGE = 100;

/** The query for a page. Pure; exported for tests. */
export function auditQuery({ actor, action, target }, before) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (actor.trim()) q.set('actor', actor.trim().slice(0, 128));
  if (action) q.set('action', action);
  if (target.trim()) q.set('target', target.trim().slice(0, 128));
  if (before) q.set('before', String(before));
  return `/api/audit?${q}`;
}

export class AuditPanel {
  constructor() {
    this.filters = { actor: '', action: '', target: '' };
    this.rows = [];
    this.next = null;
    this.error = null;
    this.root = h('section.audit', { id: 'audit' });
    this.render();
  }

  async load(more = false) {
    try {
      const r = await api('GET', auditQuery(this.filters, more ? this.next : null));
      this.rows = more ? [...this.rows, ...r.rows] : r.rows;
      this.next = r.next;
      this.error = null;
    } catch (err) {
      this.error = err;
    }
    this.renderRows();
  }

  render() {
    const f = this.filters;
    const form = h('form.roster-form.audit-filters', { novalidate: true },
      field('audit.actor', h('input', { name: 'actor', value: f.actor, maxlength: '128' })),
      field('audit.action', h('select', { name: 'action' }, h('option', { value: '' }, t('audit.any')), ACTIONS.map((a) => h('option', { value: a, selected: a === f.action }, t(`audit.a.${a}`))))),
      field('audit.target', h('input', { name: 'target', value: f.target, maxlength: '128' })),
      tx('button.small', 'audit.search', null, { type: 'submit' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const d = new FormData(form);
      this.filters = { actor: String(d.get('actor')), action: String(d.get('action')), target: String(d.get('target')) };
      this.load();
    });
    this.list = h('div.audit-rows');
    clear(this.root).append(tx('h3', 'audit.heading'), form, this.list);
    this.renderRows();
  }

  renderRows() {
    const box = clear(this.list);
    if (this.error) box.append(h('div.error.block', { role: 'alert' }, tx('span', 'audit.error'), ' ', v('code', this.error.message)));
    if (!this.rows.length) return box.append(tx('p.empty', 'audit.none'));
    box.append(h('div.table-wrap', h('table', h('tbody', this.rows.map((r) => h('tr', { 'data-id': r.id },
      h('td', v('span', dateTime(r.at))), h('td', v('strong', r.actor)), h('td', has(`audit.a.${r.action}`) ? tx('span', `audit.a.${r.action}`) : v('span', r.action)),
      h('td', v('code', r.target)), h('td', r.outcome === 'ok' ? tx('span.flag.ok', 'audit.ok') : v('span.flag.bad', r.outcome)),
      h('td.audit-detail', v('span.muted', Object.keys(r.detail ?? {}).length ? JSON.stringify(r.detail).slice(0, 160) : ''))))))));
    if (this.next !== null) box.append(tx('button.small', 'audit.older', null, { type: 'button', id: 'audit-older', onclick: () => this.load(true) }));
  }
}
