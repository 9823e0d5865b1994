/**
 * Device health: offline buttons, low batteries, monthly tests overdue, each with household
 * and last seen. Asks GET /api/devices/health for the counts over the whole scope and only the rows
 * it draws (problems first), filtered by the hub: a street office's whole list is 6.3 MB, too much
 * for a duty phone every 30 s. If the hub lacks the endpoint, derives what it can from
 * GET /api/devices and /api/households. RF buttons cannot be supervised and say so.
 */
import { h, tx, v, clear } from './dom.js';
import { api, ApiError, downloadCsv } from './api.js';
import { agoKey, dateTime } from './format.js';
import { has, t } from './i18n.js';
import { Latest } from './latest.js';

/** As the hub's health sweep (alerts/health-sweep.ts), for a battery reported since its last run. */
const LOW_BATTERY = 20;
/** Rows drawn at a time, and how many more each "show more" asks for. */
export const DEVICES_SHOWN = 300;
/** The most rows the hub sends in one answer; past it, the search finds the rest. */
export const DEVICES_MOST = 5000;
const TEST_EVERY_MS = 31 * 86_400_000;
/** How long typing must pause before the search asks the hub. */
const SEARCH_PAUSE_MS = 300;

/** Normalizes either endpoint's rows to one shape. Pure; exported for tests. */
export function normalizeDevices(devices, households, now, fromHealth) {
  const hh = new Map((households ?? []).map((x) => [x.id, x]));
  return devices.filter((d) => !d.revokedAt).map((d) => {
    const problems = d.problems ?? [];
    const supervised = d.supervised ?? d.kind !== 'rf-button';
    const house = hh.get(d.householdId);
    const status = d.status ?? (!supervised ? 'unsupervised' : d.lastSeen == null ? 'never_connected' : d.online ? 'online' : 'offline');
    return {
      id: d.id, kind: d.kind, householdId: d.householdId ?? null, supervised, status, battery: d.battery ?? null, lastSeen: d.lastSeen ?? null, lastTestAt: d.lastTestAt ?? null,
      address: d.address ?? house?.address ?? '', residentName: d.residentName ?? house?.residents?.[0]?.name ?? '',
      offline: supervised && (status === 'offline' || problems.includes('offline')),
      lowBattery: problems.includes('low_battery') || (supervised && d.battery != null && d.battery < LOW_BATTERY),
      testOverdue: fromHealth ? problems.includes('test_overdue') : d.lastTestAt != null && now - d.lastTestAt > TEST_EVERY_MS,
    };
  }).sort((a, b) => score(b) - score(a) || (a.id < b.id ? -1 : 1));
}

/** The query for the rows the view draws; `showing` null: every device that passes the filters (the CSV). Pure; exported for tests. */
export function healthQuery({ showing, onlyProblems, search }) {
  const q = new URLSearchParams(showing === null ? {} : { limit: String(Math.min(showing, DEVICES_MOST)) });
  if (onlyProblems) q.set('problems', 'only');
  if (search.trim()) q.set('q', search.trim().slice(0, 64));
  return `/api/devices/health?${q}`;
}

const score = (d) => (d.offline ? 4 : 0) + (d.status === 'never_connected' ? 3 : 0) + (d.lowBattery ? 2 : 0) + (d.testOverdue ? 1 : 0);
const hasProblem = (d) => score(d) > 0;
const matches = (d, needle) => !needle || [d.id, d.address, d.residentName].some((x) => x.toLowerCase().includes(needle));

export class DevicesView {
  constructor(app) {
    this.app = app;
    this.rows = null; // the rows drawn, as the hub sent them (or all of them, from the basic endpoints)
    this.summary = null; // counts over the whole scope, from the hub
    this.matched = 0; // devices matching the filters, drawn or not
    this.fallback = false;
    this.error = null;
    this.onlyProblems = false;
    this.search = '';
    this.showing = DEVICES_SHOWN;
    this.latest = new Latest(); // an answer to an older question (typing went on) is dropped
    this.root = h('section.devices');
    this.body = h('div.dev-body');
    this.timer = null;
    this.typing = null;
    this.searchBox = null;
  }

  mount(container) {
    container.append(this.root);
    this.relabel();
    this.load();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.load(), 30_000);
  }

  unmount() {
    clearInterval(this.timer);
    clearTimeout(this.typing);
  }

  /** The head (with the search box, which keeps its focus while the rows are redrawn) and the rows. */
  relabel() {
    const search = this.searchBox = h('input.dev-search', { id: 'dev-search', type: 'search', value: this.search, placeholder: t('dev.search'), 'aria-label': t('dev.search'),
      oninput: (e) => { clearTimeout(this.typing); this.typing = setTimeout(() => this.refilter({ search: e.target.value }), SEARCH_PAUSE_MS); } });
    clear(this.root).append(h('div.section-head', tx('h2', 'dev.heading'),
      h('label.toggle', h('input', { type: 'checkbox', id: 'dev-only-problems', checked: this.onlyProblems, onchange: (e) => this.refilter({ onlyProblems: e.target.checked }) }), tx('span', 'dev.onlyProblems')),
      search,
      tx('button.small', 'dev.refresh', null, { type: 'button', onclick: () => this.load() }),
      tx('button.small', 'dev.csv', null, { type: 'button', id: 'dev-csv', onclick: () => this.download() }),
      h('a.small-link', { href: '#/households', id: 'dev-households' }, tx('span', 'hh.link'))), this.body);
    this.render();
  }

  refilter(change) {
    Object.assign(this, change);
    this.showing = DEVICES_SHOWN;
    this.render();
    this.load();
  }

  /** Every device that passes the filters, as CSV, for a maintenance round. */
  async download() {
    try {
      // What the box holds now, even if the pause after typing has not yet passed.
      await downloadCsv(healthQuery({ ...this, search: this.searchBox?.value ?? this.search, showing: null }), 'device-health.csv');
    } catch (err) {
      this.error = err;
      this.render();
    }
  }

  async load() {
    const r = await this.latest.run(() => this.fetchRows());
    if (!r) return;
    if (r.error) this.error = r.error;
    else Object.assign(this, r.value, { fallback: r.value.summary === null, error: null });
    this.render();
  }

  /** The rows to draw and the counts, from the health list; on a hub without it, from the basic lists. */
  async fetchRows() {
    try {
      const r = await api('GET', healthQuery(this));
      const rows = normalizeDevices(r.devices ?? [], [], this.app.now(), true);
      return { rows, summary: r.summary ?? null, matched: r.matched ?? rows.length };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      const [d, hs] = await Promise.all([api('GET', '/api/devices'), api('GET', '/api/households')]);
      return { rows: normalizeDevices(d.devices ?? [], hs.households ?? [], this.app.now(), false), summary: null, matched: undefined };
    }
  }

  render() {
    const root = clear(this.body);
    if (this.error) root.append(h('div.error.block', { role: 'alert' }, tx('span', 'dev.error'), ' ', v('code', this.error.message)));
    if (!this.rows) return root.append(tx('p.empty', 'app.loading'));
    if (this.fallback) root.append(tx('p.note', 'dev.fallback'));
    const { shown, matched, counts } = this.summary ? this.fromHub() : this.fromAll();
    root.append(h('div.tiles',
      tile('dev.total', counts.total, ''),
      tile('dev.offline', counts.offline, 'bad'),
      tile('dev.neverConnected', counts.neverConnected, 'warn'),
      tile('dev.lowBattery', counts.lowBattery, 'warn'),
      tile('dev.testOverdue', counts.testOverdue, 'warn')));
    if (!shown.length) return root.append(tx('p.empty', counts.total === 0 ? 'dev.none' : this.search.trim() ? 'dev.noMatch' : 'dev.allGood'));
    const now = this.app.now();
    root.append(h('div.dev-list', shown.slice(0, this.showing).map((d) => deviceRow(d, now))));
    const rest = matched - Math.min(shown.length, this.showing);
    if (rest <= 0) return;
    const more = Math.min(rest, DEVICES_SHOWN, DEVICES_MOST - this.showing);
    root.append(h('p.more', { id: 'dev-more' }, tx('span', more > 0 ? 'dev.more' : 'dev.moreSearch', { n: rest }), ' ',
      more > 0 && tx('button.small', 'dev.showMore', { n: more }, { type: 'button', id: 'dev-show-more', onclick: () => { this.showing += DEVICES_SHOWN; this.load(); } })));
  }

  /** The hub filtered, ranked and cut the rows, and counted the whole scope. */
  fromHub() {
    return { shown: this.rows, matched: this.matched, counts: this.summary };
  }

  /** The basic endpoints sent every device: filtered and counted here. */
  fromAll() {
    const rows = this.rows;
    const needle = this.search.trim().toLowerCase();
    const shown = rows.filter((d) => (!this.onlyProblems || hasProblem(d)) && matches(d, needle));
    const count = (f) => rows.filter(f).length;
    return { shown, matched: shown.length, counts: {
      total: rows.length, offline: count((d) => d.offline), neverConnected: count((d) => d.status === 'never_connected'),
      lowBattery: count((d) => d.lowBattery), testOverdue: count((d) => d.testOverdue) } };
  }
}

function tile(key, n, cls) {
  return h('div.tile', { class: n && cls ? cls : '' }, v('strong', String(n)), tx('span', key));
}

function deviceRow(d, now) {
  const flags = [];
  if (!d.supervised) flags.push(tx('span.flag.info', 'dev.unsupervised'));
  else if (d.offline) flags.push(tx('span.flag.bad', 'dev.offline'));
  else if (d.status === 'never_connected') flags.push(tx('span.flag.warn', 'dev.neverConnected'));
  else if (d.status === 'online') flags.push(tx('span.flag.ok', 'dev.online'));
  if (d.lowBattery) flags.push(tx('span.flag.warn', 'dev.lowBattery'));
  if (d.testOverdue) flags.push(tx('span.flag.warn', 'dev.testOverdue'));
  if (!flags.length) flags.push(tx('span.flag.ok', 'dev.ok'));
  return h('div.dev', { class: hasProblem(d) ? 'problem' : '', 'data-device': d.id },
    h('div.dev-id', v('strong', d.id), ' ', has(`kind.${d.kind}`) ? tx('span.kind', `kind.${d.kind}`) : v('span.kind', d.kind)),
    h('div.dev-flags', flags),
    h('div.dev-home', d.householdId ? v('a.hh-link', d.address, { href: `#/households?id=${d.householdId}` }) : v('span', d.address), ' ', v('span.muted', d.residentName)),
    h('div.dev-facts',
      h('span', tx('span.lbl', 'dev.battery'), v('span', d.battery == null ? '—' : `${d.battery}%`)),
      h('span', tx('span.lbl', 'dev.lastSeen'), d.lastSeen ? h('span', { title: dateTime(d.lastSeen) }, tx('span', ...agoKey(d.lastSeen, now))) : tx('span', 'dev.never')),
      h('span', tx('span.lbl', 'dev.lastTest'), d.lastTestAt ? v('span', dateTime(d.lastTestAt)) : tx('span', 'dev.never'))));
}

