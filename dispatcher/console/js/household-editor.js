/**
 * One household's record, new or existing: its grid, address, how to get in, the residents (name,
 * age, phone, health and medicines) and the emergency contacts. This is what a call's card shows
 * the duty staff at 3 a.m., so the form says at once what is missing, and shows the hub's reason
 * when it refuses (POST /api/households, PUT /api/households/:id). Under it, the household's devices
 * (device-register.js).
 */
import { h, tx, v, clear } from './dom.js';
import { api } from './api.js';
import { has, t } from './i18n.js';
import { EditPanel, field } from './form-bits.js';
import { DevicePanel } from './device-register.js';

const MOST = 10;

/**
 * The body to send from what the form holds: text trimmed, rows left wholly empty dropped, age as
 * a number or null. Or `{ error: key, vars }` for what a person must fix first. Pure; exported for tests.
 */
export function householdBody(f) {
  const trim = (s) => String(s ?? '').trim();
  const filled = (row) => Object.values(row).some((x) => trim(x) !== '');
  const residents = f.residents.filter(filled).map((r) => ({ name: trim(r.name), age: trim(r.age) === '' ? null : Number(r.age), phone: trim(r.phone), medicalNote: trim(r.medicalNote) }));
  const contacts = f.contacts.filter(filled).map((c) => ({ name: trim(c.name), relation: trim(c.relation), phone: trim(c.phone) }));
  if (!Number(f.gridId)) return { error: 'hh.needGrid' };
  if (!trim(f.address)) return { error: 'hh.needAddress' };
  if (!residents.length || residents.some((r) => !r.name)) return { error: 'hh.needResident' };
  const noPhone = contacts.find((c) => !c.phone || !c.name);
  if (noPhone) return { error: 'hh.needContactPhone', vars: { name: noPhone.name || '?' } };
  return { body: { gridId: Number(f.gridId), address: trim(f.address), accessNote: trim(f.accessNote), residents, contacts } };
}

/** An EditPanel for say() and its status line; its save is its own (POST or PUT, then the form again). */
export class HouseholdEditor extends EditPanel {
  /** @param {{ grids: {id:number,name:string,level:string,path:string}[], household: object|null, devices: object[], admin: boolean, onSaved: (hh: object) => void, onCancel: () => void }} opts */
  constructor(opts) {
    super();
    Object.assign(this, opts);
    this.root = h('form.hh-editor', { id: 'hh-editor', novalidate: true });
    this.root.addEventListener('submit', (e) => { e.preventDefault(); this.save(); });
    this.render();
  }

  render() {
    const hh = this.household;
    const top = Math.min(...this.grids.map((g) => g.path.split('/').length));
    this.residentBox = h('div.hh-rows', { id: 'hh-residents' });
    this.contactBox = h('div.hh-rows', { id: 'hh-contacts' });
    this.msgEl = h('p.roster-msg', { role: 'status', id: 'hh-msg' });
    clear(this.root).append(
      tx('h3', hh ? 'hh.editing' : 'hh.creating', { id: hh?.id ?? '' }),
      field('hh.grid', h('select', { name: 'gridId', id: 'hh-grid' }, h('option', { value: '' }, t('hh.pickGrid')),
        this.grids.map((g) => h('option', { value: String(g.id), selected: hh?.gridId === g.id }, `${'· '.repeat(g.path.split('/').length - top)}${g.name}${has(`level.${g.level}`) ? ` (${t(`level.${g.level}`)})` : ''}`)))),
      hh ? tx('p.note', 'hh.moveNote') : null,
      field('hh.address', h('input', { name: 'address', id: 'hh-address', maxlength: '200', value: hh?.address ?? '' })),
      field('hh.accessNote', h('textarea', { name: 'accessNote', id: 'hh-access', maxlength: '500', rows: '2', 'data-v': '' }, hh?.accessNote ?? '')),
      tx('h4', 'hh.residents'), this.residentBox,
      tx('button.small', 'hh.addResident', null, { type: 'button', id: 'hh-add-resident', onclick: () => this.addRow('resident') }),
      tx('h4', 'hh.contacts'), this.contactBox,
      tx('button.small', 'hh.addContact', null, { type: 'button', id: 'hh-add-contact', onclick: () => this.addRow('contact') }),
      hh ? this.devicePanel(hh) : null,
      h('div.actions', tx('button.big.primary', 'hh.save', null, { type: 'submit', id: 'hh-save' }),
        tx('button.big.second', 'hh.cancel', null, { type: 'button', onclick: () => this.onCancel() })),
      this.msgEl);
    for (const r of hh?.residents?.length ? hh.residents : [{}]) this.addRow('resident', r);
    for (const c of hh?.contacts?.length ? hh.contacts : [{}]) this.addRow('contact', c);
    this.renderMessage();
  }

  addRow(kind, x = {}) {
    const box = kind === 'resident' ? this.residentBox : this.contactBox;
    if (box.children.length >= MOST) return;
    const input = (name, key, attrs = {}) => field(key, h('input', { name, value: x[name] ?? '', ...attrs }));
    const row = kind === 'resident'
      ? h('div.hh-row.resident', input('name', 'hh.name', { maxlength: '64' }), input('age', 'hh.age', { type: 'number', min: '0', max: '130', inputmode: 'numeric' }),
        input('phone', 'hh.phone', { type: 'tel', maxlength: '32' }), input('medicalNote', 'hh.medicalNote', { maxlength: '500' }))
      : h('div.hh-row.contact', input('name', 'hh.name', { maxlength: '64' }), input('relation', 'hh.relation', { maxlength: '32' }), input('phone', 'hh.phone', { type: 'tel', maxlength: '32' }));
    row.append(tx('button.small.hh-remove', 'hh.remove', null, { type: 'button', onclick: () => row.remove() }));
    box.append(row);
  }

  /** What the form holds, as strings. */
  read() {
    const rows = (box) => [...box.children].map((row) => Object.fromEntries([...row.querySelectorAll('input')].map((i) => [i.name, i.value])));
    const f = this.root.elements;
    return { gridId: f.gridId.value, address: f.address.value, accessNote: f.accessNote.value, residents: rows(this.residentBox), contacts: rows(this.contactBox) };
  }

  async save() {
    const r = householdBody(this.read());
    if (r.error) return this.say(false, r.error, null, r.vars);
    try {
      const hh = this.household;
      const answer = await api(hh ? 'PUT' : 'POST', hh ? `/api/households/${hh.id}` : '/api/households', r.body);
      this.household = answer.household;
      this.message = { ok: true, key: 'hh.saved' };
      this.render();
      this.onSaved(answer.household);
    } catch (err) {
      this.say(false, 'hh.failed', err.message);
    }
  }

  /** One panel per household, kept across redraws: a secret just issued stays on screen after a save. */
  devicePanel(hh) {
    if (this.panel?.householdId !== hh.id) this.panel = new DevicePanel({ householdId: hh.id, devices: this.devices, admin: this.admin });
    else this.panel.render(); // a language switch
    return this.panel.root;
  }
}
