/**
 * Device health: offline buttons, low batteries, monthly tests overdue, each with household
 * and last seen. Uses GET /api/devices/health; if the hub lacks it, derives what it can from
 * GET /api/devices and /api/households. RF buttons cannot be supervised and say so.
 */
import { h, tx, v, clear } from './dom.js';
import { api, ApiError } from './api.js';
import { agoKey, dateTime } from './format.js';
import { has } from './i18n.js';

const LOW_BATTERY = 20;
/**
 * Rows drawn at a time. A street office has thousands of devices: drawing every row every 30 s made
 * the view heavy on a duty phone, and the rows that matter (problems) sort first anyway.
 */
export const DEVICES_SHOWN = 300;
const TEST_EVERY_MS = 31 * 86_400_000;

/** Normalizes either endpoint's rows to one shape. Pure; exported for tests. */
export function normalizeDevices(devices, households, now, fromHealth) {
  const hh = new Map((households ?? []).map((x) => [x.id, x]));
  return devices.filter((d) => !d.revokedAt).map((d) => {
    const problems = d.problems ?? [];
    const supervised = d.supervised ?? d.kind !== 'rf-button';
    const house = hh.get(d.householdId);
    const status = d.status ?? (!supervised ? 'unsupervised' : d.lastSeen == null ? 'never_connected' : d.online ? 'online' : 'offline');
    return {
      id: d.id, kind: d.kind, supervised, status, battery: d.battery ?? null, lastSeen: d.lastSeen ?? null, lastTestAt: d.lastTestAt ?? null,
      address: d.address ?? house?.address ?? '', residentName: d.residentName ?? house?.residents?.[0]?.name ?? '',
      offline: supervised && (status === 'offline' || problems.includes('offline')),
      lowBattery: problems.includes('low_battery') || (supervised && d.battery != null && d.battery < LOW_BATTERY),
      testOverdue: fromHealth ? problems.includes('test_overdue') : d.lastTestAt != null && now - d.lastTestAt > TEST_EVERY_MS,
    };
  }).sort((a, b) => score(b) - score(a) || (a.id < b.id ? -1 : 1));
}

const score = (d) => (d.offline ? 4 : 0) + (d.status === 'never_connected' ? 3 : 0) + (d.lowBattery ? 2 : 0) + (d.testOverdue ? 1 : 0);
const hasProblem = (d) => score(d) > 0;

export class DevicesView {
  constructor(app) {
    this.app = app;
    this.rows = null;
    this.fallback = false;
    this.error = null;
    this.onlyProblems = false;
    this.showing = DEVICES_SHOWN;
    this.root = h('section.devices');
    this.timer = null;
  }

  mount(container) {
    container.append(this.root);
    this.render();
    this.load();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.load(), 30_000);
  }

  unmount() {
    clearInterval(this.timer);
  }

  relabel() {
    this.render();
  }

  async load() {
    try {
      let r;
      try {
        r = await api('GET', '/api/devices/health');
        this.fallback = false;
        this.rows = normalizeDevices(r.devices ?? [], [], this.app.now(), true);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
        const [d, hs] = await Promise.all([api('GET', '/api/devices'), api('GET', '/api/households')]);
        this.fallback = true;
        this.rows = normalizeDevices(d.devices ?? [], hs.households ?? [], this.app.now(), false);
      }
      this.error = null;
    } catch (err) {
      this.error = err;
    }
    this.render();
  }

  render() {
    const root = clear(this.root);
    root.append(h('div.section-head', tx('h2', 'dev.heading'),
      h('label.toggle', h('input', { type: 'checkbox', checked: this.onlyProblems, onchange: (e) => { this.onlyProblems = e.target.checked; this.showing = DEVICES_SHOWN; this.render(); } }), tx('span', 'dev.onlyProblems')),
      tx('button.small', 'dev.refresh', null, { type: 'button', onclick: () => this.load() })));
    if (this.error) root.append(h('div.error.block', { role: 'alert' }, tx('span', 'dev.error'), ' ', v('code', this.error.message)));
    if (!this.rows) return root.append(tx('p.empty', 'app.loading'));
    if (this.fallback) root.append(tx('p.note', 'dev.fallback'));
    const rows = this.rows;
    const count = (f) => rows.filter(f).length;
    root.append(h('div.tiles',
      tile('dev.total', rows.length, ''),
      tile('dev.offline', count((d) => d.offline), 'bad'),
      tile('dev.lowBattery', count((d) => d.lowBattery), 'warn'),
      tile('dev.testOverdue', count((d) => d.testOverdue), 'warn')));
    const shown = this.onlyProblems ? rows.filter(hasProblem) : rows;
    if (!shown.length) return root.append(tx('p.empty', rows.length ? 'dev.allGood' : 'dev.none'));
    const now = this.app.now();
    root.append(h('div.dev-list', shown.slice(0, this.showing).map((d) => deviceRow(d, now))));
    const rest = shown.length - this.showing;
    if (rest > 0) {
      root.append(h('p.more', { id: 'dev-more' }, tx('span', 'dev.more', { n: rest }), ' ',
        tx('button.small', 'dev.showMore', { n: Math.min(rest, DEVICES_SHOWN) }, { type: 'button', id: 'dev-show-more', onclick: () => { this.showing += DEVICES_SHOWN; this.render(); } })));
    }
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
    h('div.dev-home', v('span', d.address), ' ', v('span.muted', d.residentName)),
    h('div.dev-facts',
      h('span', tx('span.lbl', 'dev.battery'), v('span', d.battery == null ? '—' : `${d.battery}%`)),
      h('span', tx('span.lbl', 'dev.lastSeen'), d.lastSeen ? h('span', { title: dateTime(d.lastSeen) }, tx('span', ...agoKey(d.lastSeen, now))) : tx('span', 'dev.never')),
      h('span', tx('span.lbl', 'dev.lastTest'), d.lastTestAt ? v('span', dateTime(d.lastTestAt)) : tx('span', 'dev.never'))));
}

