/**
 * Households (#/households, reached from the devices page): find a household by its number, address
 * or resident (GET /api/households?q=&limit=50, searched in the hub), open it, fix a phone or a
 * medical note, or register a new one (household-editor.js). `#/households?id=7` opens household 7,
 * as the address on a device's row links. Any staff member edits the households of their own area;
 * leaders and admins also import a spreadsheet of them (household-import.js).
 */
import { h, tx, v, clear } from './dom.js';
import { api, downloadCsv } from './api.js';
import { t } from './i18n.js';
import { HouseholdEditor } from './household-editor.js';
import { Latest } from './latest.js';
import { importPanel } from './household-import.js';

const SHOWN = 50;
const SEARCH_PAUSE_MS = 300;

/** The search to ask the hub for: what was typed, only incomplete records, or nothing (null). Pure; exported for tests. */
export function householdQuery(search, incomplete) {
  const q = search.trim();
  if (!q && !incomplete) return null;
  const p = new URLSearchParams({ limit: String(SHOWN) });
  if (q) p.set('q', q.slice(0, 64));
  if (incomplete) p.set('incomplete', '1');
  return `/api/households?${p}`;
}

/** The household id asked for in the page's address (`#/households?id=7`), or null. Pure; exported for tests. */
export function askedId(hash) {
  const m = /[?&]id=([1-9][0-9]{0,9})(?:&|$)/.exec(hash);
  return m ? Number(m[1]) : null;
}

export class HouseholdsView {
  constructor(app) {
    this.app = app;
    this.search = '';
    /** Only households whose record lacks a contact's phone, how to get in, or an age. */
    this.incomplete = false;
    this.found = null; // { households, matched }
    this.error = null;
    this.editor = null;
    this.latest = new Latest();
    this.typing = null;
    this.root = h('section.households', { id: 'hh-page' });
    this.results = h('div.hh-results');
    this.editorBox = h('div.hh-editor-box');
  }

  mount(container) {
    container.append(this.root);
    this.relabel();
    const id = askedId(location.hash);
    if (id !== null) this.open(id);
    else if (this.search || this.incomplete) this.find();
  }

  unmount() { clearTimeout(this.typing); }

  /** Another household asked for while this page is open (a link with ?id=). */
  hashChanged() {
    const id = askedId(location.hash);
    if (id !== null && id !== this.editor?.household?.id) this.open(id);
  }

  relabel() {
    this.searchBox = h('input.dev-search', { id: 'hh-search', type: 'search', value: this.search, placeholder: t('hh.search'), 'aria-label': t('hh.search'),
      oninput: (e) => { clearTimeout(this.typing); this.typing = setTimeout(() => { this.search = e.target.value; this.find(); }, SEARCH_PAUSE_MS); } });
    clear(this.root).append(
      h('div.section-head', tx('h2', 'hh.heading'), h('a.small-link', { href: '#/devices' }, tx('span', 'hh.back')),
        tx('button.small', 'hh.new', null, { type: 'button', id: 'hh-new', onclick: () => this.openNew() }),
        // Every household of the area, in the columns the import reads: a copy to correct offline and send back.
        tx('button.small', 'hh.csv', null, { type: 'button', id: 'hh-csv', onclick: () => downloadCsv('/api/households', 'households.csv').catch((err) => { this.error = err; this.renderResults(); }) })),
      h('div.hh-filters', this.searchBox, h('label.toggle', h('input', { type: 'checkbox', id: 'hh-incomplete', checked: this.incomplete,
        onchange: (e) => { this.incomplete = e.target.checked; this.find(); } }), tx('span', 'hh.onlyIncomplete'))),
      this.editorBox, this.results,
      this.app.user?.role === 'staff' ? null : importPanel({ onImported: () => { if (this.search.trim() || this.incomplete) this.find(); } }));
    this.editor?.render();
    this.renderResults();
  }

  async find() {
    const r = await this.latest.run(async () => {
      const q = householdQuery(this.search, this.incomplete);
      return q ? api('GET', q) : null;
    });
    if (!r) return;
    if (r.error) this.error = r.error;
    else Object.assign(this, { found: r.value, error: null });
    this.renderResults();
  }

  renderResults() {
    const box = clear(this.results);
    if (this.error) box.append(h('div.error.block', { role: 'alert' }, tx('span', 'hh.error'), ' ', v('code', this.error.message)));
    const f = this.found;
    if (!f) return box.append(tx('p.note', 'hh.typeToSearch'));
    if (!f.households.length) return box.append(tx('p.empty', 'hh.none'));
    box.append(tx('p.note', f.matched > f.households.length ? 'hh.foundMore' : 'hh.found', { n: f.matched, m: f.households.length }),
      h('div.dev-list', f.households.map((x) => h('div.dev.hh-item', { 'data-household': x.id },
        h('div', v('strong', `#${x.id}`), ' ', v('span', x.address)),
        h('div', v('span', x.residents?.map((r) => r.name).join('、')), ' ', v('span.muted', x.contacts?.[0]?.phone ?? ''), ' ',
          (x.missing ?? []).map((m) => tx('span.flag.warn', `hh.missing.${m}`))),
        h('div', tx('button.small', 'hh.edit', null, { type: 'button', onclick: () => this.open(x.id) }))))));
  }

  /** Asked each time an editor opens (13.6 kB, a few ms): a node an admin added since is in the list. */
  async loadGrids() {
    return (await api('GET', '/api/grid')).nodes;
  }

  async open(id) {
    try {
      const [grids, one] = await Promise.all([this.loadGrids(), api('GET', `/api/households/${id}`)]);
      this.showEditor(grids, one.household, one.devices);
    } catch (err) {
      this.error = err;
      this.renderResults();
    }
  }

  async openNew() {
    try {
      this.showEditor(await this.loadGrids(), null, []);
    } catch (err) {
      this.error = err;
      this.renderResults();
    }
  }

  showEditor(grids, household, devices) {
    this.editor = new HouseholdEditor({
      grids, household, devices, admin: this.app.user?.role === 'admin',
      onSaved: () => { if (this.search.trim()) this.find(); },
      onCancel: () => { this.editor = null; clear(this.editorBox); },
    });
    clear(this.editorBox).append(this.editor.root);
    this.editor.root.querySelector('input[name=address]')?.focus();
  }
}
