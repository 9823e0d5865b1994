/**
 * Who is on duty (#/duty), from GET /api/duty: each grid node in your area with the staff on
 * duty now, whether each has a console open, and where a call raised there now would ring first
 * (the hub asks its own escalation planner). A supervisor sees at a glance the grids a call would
 * skip, and can phone whoever is on duty but not connected. Each node opens its roster
 * (roster-editor.js): read by anyone, edited by grid leaders and admins, who also rename nodes (admins
 * add, move and remove them: node-form.js). Below the board, leaders and
 * admins manage staff accounts (staff-admin.js); above them, the next week's roster gaps
 * (roster-gaps.js); at the foot, anyone changes their own password (my-account.js).
 */
import { h, tx, v, clear } from './dom.js';
import { api } from './api.js';
import { has, locale } from './i18n.js';
import { duration } from './format.js';
import { RosterEditor } from './roster-editor.js';
import { StaffAdmin } from './staff-admin.js';
import { RosterGaps } from './roster-gaps.js';
import { nodeForm, nodeEditForm } from './node-form.js';
import { Latest } from './latest.js';
import { myAccountForm } from './my-account.js';

/**
 * The hub says when the board changed (a {type:'duty'} frame: a console opened or closed, a roster,
 * node or account was edited; at most one per 5 s): the page asks again within a second, each page
 * at a random moment so that many open pages do not ask at once. A shift that starts or ends
 * changes the board without any such event: for that, the page also asks once a minute.
 */
const RELOAD_MS = 60_000;
const HINT_SPREAD_MS = 1000;

export class DutyView {
  constructor(app) {
    this.app = app;
    this.board = null;
    this.error = null;
    this.latest = new Latest();
    /** Open roster editors by node id: kept while the board is redrawn, so a half-filled form survives. */
    this.editors = new Map();
    /** Open "add a node below" forms by parent id (0: the top node of a new hub); admins only. */
    this.nodeForms = new Map();
    /** Open "edit node" forms by node id; leaders and admins. */
    this.nodeEdits = new Map();
    this.root = h('section.duty', { id: 'duty-page' });
    this.body = h('div.duty-body');
    this.timer = null;
    this.hinted = null;
    this.hintedEdit = false;
    // Leaders and admins manage accounts under the board; the hub decides whom each may change.
    this.gaps = new RosterGaps({ openRoster: (id) => this.openRoster(id) });
    this.staffAdmin = app.user?.role === 'staff' ? null : new StaffAdmin({ me: () => this.app.user, changed: () => this.load() });
  }

  mount(container) {
    container.append(this.root);
    this.relabel();
    this.load();
    this.staffAdmin?.load();
    this.hashChanged();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.load(false), RELOAD_MS);
  }

  unmount() {
    clearInterval(this.timer);
    clearTimeout(this.hinted);
    this.hinted = null;
  }

  /**
   * The hub's hint that the board changed (or the live connection came back, and hints may have been
   * missed); `edited`: a roster, node or account was edited, so the roster gaps are asked again too.
   */
  dutyChanged(edited = false) {
    this.hintedEdit ||= edited;
    if (this.hinted) return;
    this.hinted = setTimeout(() => { this.hinted = null; const e = this.hintedEdit; this.hintedEdit = false; this.load(e); }, Math.random() * HINT_SPREAD_MS);
  }

  /** #/duty?password (the banner for a password someone else set): to the form, ready to type. */
  hashChanged() {
    if (!location.hash.endsWith('?password')) return;
    const form = this.root.querySelector('#me-password');
    form?.scrollIntoView({ block: 'center' });
    form?.querySelector('input')?.focus();
  }

  relabel() {
    clear(this.root).append(h('div.section-head', tx('h2', 'duty.heading'),
      tx('button.small', 'dev.refresh', null, { type: 'button', id: 'duty-refresh', onclick: () => this.load() })), this.body, this.gaps.root, this.staffAdmin?.root ?? null, myAccountForm({ onChanged: () => this.app.ownPasswordSet() }));
    for (const e of this.editors.values()) e.render();
    this.nodeForms.clear(); // built in the old language
    this.nodeEdits.clear();
    this.staffAdmin?.render();
    this.gaps.render();
    this.render();
  }

  /** `edited`: this page changed something (or Refresh): the roster gaps are asked again too. */
  async load(edited = true) {
    this.gaps.load(edited);
    const r = await this.latest.run(() => api('GET', '/api/duty'));
    if (!r) return;
    if (r.error) this.error = r.error;
    else Object.assign(this, { board: r.value, error: null });
    this.render();
  }

  render() {
    const root = clear(this.body);
    if (this.error) root.append(h('div.error.block', { role: 'alert', id: 'duty-error' }, tx('span', 'duty.error'), ' ', v('code', this.error.message)));
    const b = this.board;
    if (!b) return root.append(tx('p.empty', 'app.loading'));
    const s = b.summary;
    root.append(h('div.tiles',
      tile('duty.nodes', s.nodes, '', 'nodes'),
      tile('duty.covered', s.covered, '', 'covered'),
      tile('duty.offline', s.offline, 'warn', 'offline'),
      tile('duty.empty', s.empty, 'warn', 'empty'),
      tile('duty.unreachable', s.unreachable, 'bad', 'unreachable')));
    if (s.unreachable > 0) root.append(h('div.error.block', { role: 'alert', id: 'duty-unreachable' }, tx('span', 'duty.unreachableNote', { n: s.unreachable })));
    if (!b.nodes.length) return root.append(tx('p.empty', 'duty.none'), this.isAdmin ? this.nodeFormFor(null) : null);
    root.append(h('div.duty-list', b.nodes.map((n) => this.nodeRow(n))));
    root.append(tx('p.note', 'duty.asOf', { t: new Date(b.at).toLocaleTimeString(locale()) }));
  }

  nodeRow(n) {
    const editor = this.editors.get(n.id);
    const people = n.onDuty.length ? n.onDuty.map(person) : [tx('span.flag.warn', 'duty.nobody')];
    return h('div.duty-node', { class: `c-${n.cover}`, 'data-node': n.id, style: `--depth:${Math.min(n.depth, 6)}` },
      h('div.duty-name', v('strong', n.name), ' ', has(`level.${n.level}`) ? tx('span.kind', `level.${n.level}`) : v('span.kind', n.level)),
      h('div.duty-people', people),
      h('div.duty-ring', ringLine(n, n.ringsAt), ' ', tx('span.muted', 'duty.escalate', { t: duration(n.escalateAfterS) })),
      h('div.duty-tools', tx('button.small', editor ? 'duty.hideRoster' : 'duty.roster', null, {
        type: 'button', class: 'roster-toggle', 'aria-expanded': String(!!editor), onclick: () => this.toggle(n.id) }),
      this.isAdmin ? tx('button.small.node-toggle', 'node.addBelow', null, { type: 'button', onclick: () => this.toggleNodeForm(n) }) : null,
      this.board?.canEdit ? tx('button.small.node-edit-toggle', this.nodeEdits.has(n.id) ? 'node.hideEdit' : 'node.edit', null, {
        type: 'button', 'aria-expanded': String(this.nodeEdits.has(n.id)), onclick: () => this.toggleNodeEdit(n) }) : null),
      editor ? editor.root : null,
      this.nodeForms.get(n.id) ?? null,
      this.nodeEdits.get(n.id) ?? null);
  }

  get isAdmin() { return this.app.user?.role === 'admin'; }

  /** The form that adds a node under `parent` (null: the top), kept while the board is redrawn. */
  nodeFormFor(parent) {
    const key = parent?.id ?? 0;
    if (!this.nodeForms.has(key)) this.nodeForms.set(key, nodeForm({ parent, onDone: () => { this.nodeForms.delete(key); this.load(); this.staffAdmin?.load(); } })); // a new node is a new area to give someone
    return this.nodeForms.get(key);
  }

  toggleNodeForm(n) {
    if (this.nodeForms.has(n.id)) this.nodeForms.delete(n.id);
    else this.nodeFormFor(n);
    this.render();
  }

  /** Rename (leaders and admins), move or remove (admins) `n`; the form is kept while the board is redrawn. */
  toggleNodeEdit(n) {
    if (this.nodeEdits.has(n.id)) this.nodeEdits.delete(n.id);
    else this.nodeEdits.set(n.id, nodeEditForm({ node: n, canRemove: this.isAdmin, nodes: this.board?.nodes ?? [], onDone: () => { this.nodeEdits.delete(n.id); this.editors.delete(n.id); this.load(); } }));
    this.render();
  }

  /**
   * Who may be put on duty at a node: the staff whose area contains it (an admin of the whole tree
   * too). The hub refuses the others: their console would not show the node's calls.
   */
  staffFor(nodeId) {
    const nodes = new Map((this.board?.nodes ?? []).map((n) => [n.id, n]));
    const above = new Set();
    for (let n = nodes.get(nodeId); n; n = nodes.get(n.parentId)) above.add(n.id);
    return (this.board?.staff ?? []).filter((s) => (s.scopeNodeId === null ? s.role === 'admin' : above.has(s.scopeNodeId) || !nodes.has(s.scopeNodeId)));
  }

  /** From a roster gap: that node's roster opened on the board and brought into view. */
  openRoster(nodeId) {
    if (!this.editors.has(nodeId)) this.toggle(nodeId);
    this.body.querySelector(`.duty-node[data-node="${nodeId}"]`)?.scrollIntoView({ block: 'start' });
  }

  toggle(nodeId) {
    if (this.editors.has(nodeId)) this.editors.delete(nodeId);
    else {
      const editor = new RosterEditor({ nodeId, canEdit: this.board?.canEdit === true, staff: () => this.staffFor(nodeId), changed: () => this.load() });
      this.editors.set(nodeId, editor);
      editor.load();
    }
    this.render();
  }
}

function tile(key, n, cls, id) {
  return h('div.tile', { class: n && cls ? cls : '', id: `duty-${id}` }, v('strong', String(n)), tx('span', key));
}

/** A person on duty: a dot for a console open or not, the name, and the phone as a link to call. */
function person(p) {
  return h('span.duty-person', { class: p.online ? 'on' : 'off', 'data-staff': p.staffId },
    h('span.dot', { 'aria-hidden': 'true' }, p.online ? '●' : '○'), ' ', v('span', p.name), ' ',
    tx('span.muted', p.online ? 'duty.online' : 'duty.notOnline'),
    p.phone ? v('a.tel', p.phone, { href: `tel:${p.phone}` }) : null);
}

function ringLine(n, r) {
  if (!r) return tx('span.flag.bad', 'duty.ringsNobody');
  if (r.nodeId === n.id) return tx('span.flag.ok', 'duty.ringsHere', { n: r.reach });
  return h('span.flag.warn', tx('span', 'duty.ringsAbove'), ' ', v('span', r.name));
}
