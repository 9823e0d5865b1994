/**
 * Staff accounts, under the duty board for grid leaders and admins (GET/POST /api/staff,
 * PATCH /api/staff/:id, POST /api/staff/:id/password): who works in your area, with role, grid,
 * phone and whether a console is open; add a grid worker, change a name, phone or grid, disable
 * an account that has left (a second tap confirms: their consoles go to the login page at once)
 * or give a new password to someone who forgot theirs. The hub decides who may change whom.
 * A street office has hundreds of accounts: a search box finds one (js/staff-filter.js), and the
 * list draws the first 100 matches.
 */
import { h, tx, v, clear } from './dom.js';
import { api, downloadCsv } from './api.js';
import { getLang, has, t } from './i18n.js';
import { EditPanel, field, twoTapButton } from './form-bits.js';
import { staffImportPanel } from './staff-import.js';
import { pickStaff, STAFF_ROWS_SHOWN } from './staff-filter.js';

export class StaffAdmin extends EditPanel {
  /** @param {{ me: () => {id:number, role:string}, changed: () => void }} opts */
  constructor(opts) {
    super();
    Object.assign(this, opts);
    this.data = null;
    this.grids = [];
    this.error = null;
    this.editing = null; // { id, kind: 'edit' | 'password' }
    this.sentFrom = null;
    this.query = '';
    this.pendingOnly = false;
    this.root = h('section.staff-admin', { id: 'staff-admin' });
  }

  async load() {
    try {
      const [staff, grid] = await Promise.all([api('GET', '/api/staff'), api('GET', '/api/grid')]);
      Object.assign(this, { data: staff, grids: grid.nodes, error: null });
    } catch (err) {
      this.error = err;
    }
    this.render();
  }

  send(method, path, body) {
    this.sentFrom = this.editing; // the form this change came from
    return super.send(method, path, body);
  }

  /** After a change the hub accepted, the row's form closes; one opened while the hub was answering stays open. */
  saved() { if (this.editing === this.sentFrom) this.editing = null; }

  render() {
    const root = clear(this.root);
    this.msgEl = h('p.roster-msg', { role: 'status', id: 'staff-msg' });
    root.append(tx('h3', 'staff.heading'));
    if (this.error) return root.append(h('div.error.block', { role: 'alert' }, tx('span', 'staff.error'), ' ', v('code', this.error.message)));
    if (!this.data) return root.append(tx('p.empty', 'app.loading'));
    // Built once per language: a chosen file and the passwords' download survive the list being redrawn.
    if (!this.importForm || this.importLang !== getLang()) {
      this.importLang = getLang();
      this.importForm = staffImportPanel({ onImported: () => { this.load(); this.changed(); } });
    }
    this.listEl = h('div.dev-list', { id: 'staff-list' });
    this.countEl = h('p.muted', { id: 'staff-count', role: 'status' });
    root.append(this.finderBar(), this.countEl, this.listEl, this.msgEl, this.createForm(), this.importForm);
    this.fillList();
    this.renderMessage();
  }

  /** The search box and the "first password" filter: built once per language, so typing keeps its focus. */
  finderBar() {
    if (this.finder && this.finderLang === getLang()) return this.finder;
    this.finderLang = getLang();
    const query = h('input', { id: 'staff-filter', type: 'search', value: this.query, autocomplete: 'off', placeholder: t('staff.find'), 'aria-label': t('staff.find') });
    const pending = h('input', { id: 'staff-pending-only', type: 'checkbox', checked: this.pendingOnly });
    query.addEventListener('input', () => { this.query = query.value; this.fillList(); });
    pending.addEventListener('change', () => { this.pendingOnly = pending.checked; this.fillList(); });
    // The accounts in service and their shifts, in the import's columns: a roster to print, or another hub's accounts.
    const sheet = tx('button.small', 'staff.export', null, { type: 'button', id: 'staff-export', onclick: () => downloadCsv('/api/staff', 'staff-and-shifts.csv').catch((err) => this.say(false, 'roster.failed', err.message)) });
    this.finder = h('div.staff-finder', query, h('label', pending, ' ', t('staff.pendingOnly')), sheet);
    return this.finder;
  }

  /** The rows the search and filter leave, the one being edited kept, at most STAFF_ROWS_SHOWN. */
  fillList() {
    const { shown, matched, total } = pickStaff(this.data.staff, { query: this.query, pendingOnly: this.pendingOnly, keepId: this.editing?.id ?? null });
    clear(this.listEl).append(...shown.map((s) => this.row(s)));
    const hidden = matched - Math.min(matched, STAFF_ROWS_SHOWN);
    this.countEl.textContent = matched === 0 ? t('staff.noMatch') : matched === total ? t('staff.count', { n: total })
      : t('staff.matched', { n: matched, total });
    if (hidden > 0) this.countEl.textContent += ` ${t('staff.more', { n: hidden })}`;
  }

  row(s) {
    const mine = s.id === this.me().id;
    const ed = this.editing?.id === s.id ? this.editing.kind : null;
    return h('div.dev.staff-row', { 'data-staff': s.id, class: s.disabled ? 'disabled' : '' },
      h('div', v('strong', s.displayName), ' ', v('span.muted', s.username)),
      h('div', roleLabel(s.role), ' ', v('span', s.scopeName ?? ''), ' ', s.disabled ? tx('span.flag.warn', 'staff.disabled') : tx('span.muted', s.online ? 'duty.online' : 'duty.notOnline'),
        s.mustChangePassword && !s.disabled ? [' ', tx('span.flag.info.staff-pending', 'staff.passwordPending')] : null),
      h('div', s.phone ? v('a.tel', s.phone, { href: `tel:${s.phone}` }) : null),
      // A leader manages grid workers only (the hub refuses the rest): no buttons that can only fail.
      this.me().role !== 'admin' && s.role !== 'staff' ? null : h('div.actions',
        tx('button.small.staff-edit', 'hh.edit', null, { type: 'button', onclick: () => this.toggle(s.id, 'edit') }),
        tx('button.small.staff-password', 'staff.resetPassword', null, { type: 'button', onclick: () => this.toggle(s.id, 'password') }),
        mine ? null : this.disableButton(s)),
      ed === 'edit' ? this.editForm(s) : ed === 'password' ? this.passwordForm(s) : null);
  }

  toggle(id, kind) {
    this.editing = this.editing?.id === id && this.editing.kind === kind ? null : { id, kind };
    this.render();
  }

  disableButton(s) {
    if (s.disabled) return tx('button.small.staff-enable', 'staff.enable', null, { type: 'button', onclick: () => this.send('PATCH', `/api/staff/${s.id}`, { disabled: false }) });
    return twoTapButton('button.small.roster-delete.staff-disable', 'staff.disable', 'staff.confirmDisable', () => this.send('PATCH', `/api/staff/${s.id}`, { disabled: true }));
  }

  scopeSelect(current, allowNone) {
    return h('select', { name: 'scopeNodeId' },
      allowNone ? h('option', { value: '', selected: current === null }, t('staff.noScope')) : h('option', { value: '' }, t('hh.pickGrid')),
      this.grids.map((g) => h('option', { value: String(g.id), selected: g.id === current }, g.name)));
  }

  editForm(s) {
    const admin = this.me().role === 'admin';
    const form = h('form.roster-form.staff-edit-form',
      field('hh.name', h('input', { name: 'displayName', value: s.displayName, maxlength: '64' })),
      field('hh.phone', h('input', { name: 'phone', type: 'tel', value: s.phone, maxlength: '32' })),
      field('staff.scope', this.scopeSelect(s.scopeNodeId, admin)),
      admin && s.id !== this.me().id ? field('staff.role', roleSelect(['staff', 'leader', 'admin'], s.role)) : null,
      tx('button.small', 'roster.save', null, { type: 'submit' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const body = { displayName: String(f.get('displayName')), phone: String(f.get('phone')).trim(), scopeNodeId: f.get('scopeNodeId') ? Number(f.get('scopeNodeId')) : null };
      if (f.has('role')) body.role = String(f.get('role'));
      this.send('PATCH', `/api/staff/${s.id}`, body);
    });
    return form;
  }

  passwordForm(s) {
    const form = h('form.roster-form.staff-password-form',
      field('staff.newPassword', h('input', { name: 'newPassword', type: 'password', autocomplete: 'new-password', minlength: '8', required: true })),
      tx('button.small', 'roster.save', null, { type: 'submit' }), tx('span.muted', 'staff.passwordNote'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.send('POST', `/api/staff/${s.id}/password`, { newPassword: String(new FormData(form).get('newPassword')) });
    });
    return form;
  }

  createForm() {
    const roles = this.data.canCreate ?? ['staff'];
    const form = h('form.roster-form.staff-create-form', { novalidate: true },
      tx('h4', 'staff.add'),
      field('staff.username', h('input', { name: 'username', autocomplete: 'off', maxlength: '64' })),
      field('hh.name', h('input', { name: 'displayName', maxlength: '64' })),
      field('staff.role', roleSelect(roles, 'staff')),
      field('staff.scope', this.scopeSelect(null, roles.includes('admin'))),
      field('hh.phone', h('input', { name: 'phone', type: 'tel', maxlength: '32' })),
      field('staff.firstPassword', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' })),
      tx('button.big.primary', 'staff.create', null, { type: 'submit' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = Object.fromEntries(new FormData(form));
      this.send('POST', '/api/staff', { username: f.username.trim(), displayName: f.displayName, role: f.role, scopeNodeId: f.scopeNodeId ? Number(f.scopeNodeId) : null, phone: f.phone.trim(), password: f.password });
    });
    return form;
  }
}

function roleLabel(role) {
  return has(`role.${role}`) ? tx('span.kind', `role.${role}`) : v('span.kind', role);
}

function roleSelect(roles, current) {
  return h('select', { name: 'role' }, roles.map((r) => h('option', { value: r, selected: r === current }, t(`role.${r}`))));
}
