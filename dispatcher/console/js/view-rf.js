/**
 * RF buttons (#/rf). Every staff member sees the RF buttons of their households with "last
 * heard" and "last test", and a plain statement that these buttons cannot be supervised
 * (GET /api/rf/buttons). Admins also see the receivers (online / offline / degraded, error
 * counts), the learn-mode panel (rf-learn.js) and the unknown transmitters heard, each of which
 * can be bound to the chosen household (POST /api/rf/buttons).
 */
import { h, tx, v, clear } from './dom.js';
import { api, ApiError } from './api.js';
import { t } from './i18n.js';
import { agoKey, dateTime } from './format.js';
import { LearnPanel } from './rf-learn.js';

const TEST_EVERY_MS = 31 * 86_400_000;

/** A receiver's state for people: offline, degraded, online or connecting. Pure; exported for tests. */
export function receiverState(r) {
  if (r.online === false || r.link === 'stopped') return 'offline';
  if (r.degraded) return 'degraded';
  return r.online && r.link === 'open' ? 'online' : 'connecting'; // a link down within its grace time is reconnecting
}

export class RfView {
  constructor(app) {
    this.app = app;
    this.data = { buttons: null, receivers: null, unknown: null };
    this.error = null;
    this.notSetUp = false;
    this.loading = false;
    this.learn = new LearnPanel({ now: () => this.app.now(), reload: () => this.load(), householdChanged: () => this.admin && this.els && this.renderUnknown() });
    this.bindErrors = new Map();
    this.root = h('section.rf', { id: 'rf-page' });
    this.timer = null;
    this.ticker = null;
  }

  get admin() { return this.app.user?.role === 'admin'; }

  mount(container) {
    container.append(this.root);
    this.render();
    this.load();
    clearInterval(this.timer);
    clearInterval(this.ticker);
    this.timer = setInterval(() => this.load(), 5000);
    this.ticker = setInterval(() => this.learn.tick(), 1000);
  }

  unmount() {
    clearInterval(this.timer);
    clearInterval(this.ticker);
  }

  relabel() { this.render(); }

  async load() {
    if (this.loading) return;
    this.loading = true;
    const admin = this.admin;
    // Not the households: each button comes with its address, and the learn panel searches the hub itself.
    const [buttons, receivers, unknown, learn] = await Promise.allSettled([
      api('GET', '/api/rf/buttons'),
      admin ? api('GET', '/api/rf/receivers') : null, admin ? api('GET', '/api/rf/unknown') : null, admin ? api('GET', '/api/rf/learn') : null,
    ]);
    this.loading = false;
    const failed = [buttons, receivers, unknown].find((x) => x.status === 'rejected');
    this.notSetUp = buttons.status === 'rejected' && buttons.reason instanceof ApiError && buttons.reason.status === 404;
    this.error = failed && !this.notSetUp ? failed.reason : null;
    if (buttons.status === 'fulfilled') this.data.buttons = buttons.value.buttons ?? [];
    if (receivers.status === 'fulfilled' && receivers.value) this.data.receivers = receivers.value;
    if (unknown.status === 'fulfilled' && unknown.value) this.data.unknown = unknown.value.transmitters ?? [];
    if (learn.status === 'fulfilled' && learn.value) this.learn.setState(learn.value);
    this.renderData();
  }

  /** The whole page; on a language switch, or the first time. */
  render() {
    const root = clear(this.root);
    this.els = {
      error: h('div.rf-error'),
      receivers: h('section.rf-section', { id: 'rf-receivers' }),
      unknown: h('section.rf-section', { id: 'rf-unknown' }),
      buttons: h('section.rf-section', { id: 'rf-buttons' }),
    };
    root.append(h('div.section-head', tx('h2', 'rf.heading'),
      tx('button.small', 'dev.refresh', null, { type: 'button', id: 'rf-refresh', onclick: () => this.load() })), this.els.error);
    if (this.admin) root.append(this.els.receivers, this.learn.build(), this.els.unknown);
    root.append(this.els.buttons);
    this.renderData();
  }

  renderData() {
    if (!this.els) return;
    const err = clear(this.els.error);
    if (this.error) err.append(h('div.error.block', { role: 'alert', id: 'rf-error' }, tx('strong', 'rf.error'), ' ', v('code', `${this.error.status ?? ''} ${this.error.message}`)));
    this.renderButtons();
    if (!this.admin) return;
    this.renderReceivers();
    this.renderUnknown();
    this.learn.renderStatus();
  }

  renderButtons() {
    const box = clear(this.els.buttons);
    box.append(tx('h3', 'rf.buttonsHeading'),
      h('div.rf-note', { id: 'rf-unsupervised', role: 'note' }, tx('strong', 'rf.unsupervisedTitle'), tx('p', 'rf.unsupervisedBody')));
    const rows = this.data.buttons;
    if (!rows) return box.append(tx('p.empty', this.notSetUp ? 'rf.notSetUp' : 'app.loading'));
    if (!rows.length) return box.append(tx('p.empty', 'rf.noButtons'));
    const now = this.app.now();
    // The least recently tested first: they are the ones to ask about.
    const sorted = [...rows].sort((a, b) => (a.revoked - b.revoked) || ((a.lastTest ?? 0) - (b.lastTest ?? 0)) || (a.deviceId < b.deviceId ? -1 : 1));
    box.append(h('div.dev-list', sorted.map((b) => buttonRow(b, now))));
  }

  renderReceivers() {
    const box = clear(this.els.receivers);
    box.append(tx('h3', 'rf.receiversHeading'));
    const r = this.data.receivers;
    if (!r) return box.append(tx('p.empty', this.notSetUp ? 'rf.notSetUp' : 'app.loading'));
    if (!r.receivers.length) return box.append(tx('p.empty', 'rf.noReceivers'));
    const now = this.app.now();
    box.append(h('div.dev-list', r.receivers.map((x) => receiverRow(x, now))));
    if (r.counters) {
      box.append(h('div.dev-facts.rf-counters',
        fact('rf.presses', v('span', String(r.counters.presses))),
        fact('rf.repeats', v('span', String(r.counters.repeats))),
        fact('rf.unknownCount', v('span', String(r.counters.unknown)))));
    }
  }

  renderUnknown() {
    const box = clear(this.els.unknown);
    box.append(tx('h3', 'rf.unknownHeading'), tx('p.hint', 'rf.unknownHint'));
    const rows = this.data.unknown;
    if (!rows) return box.append(tx('p.empty', this.notSetUp ? 'rf.notSetUp' : 'app.loading'));
    if (!rows.length) return box.append(tx('p.empty', 'rf.noUnknown', null, { id: 'rf-no-unknown' }));
    const now = this.app.now();
    box.append(h('div.dev-list', rows.map((u) => this.unknownRow(u, now))));
  }

  unknownRow(u, now) {
    const key = `${u.address}/${u.key}`;
    const failed = this.bindErrors.get(key);
    return h('div.dev.rf-unknown', { 'data-address': u.addressHex, 'data-key': String(u.key) },
      h('div.dev-id', v('strong', u.addressHex), ' ', tx('span.kind', 'rf.keyN', { n: u.key })),
      h('div.dev-flags', tx('span.flag.warn', 'rf.unknownFlag')),
      h('div.dev-home', tx('span.lbl', 'rf.heardOn'), v('span', u.receiver), ' ', tx('span.muted', 'rf.timesN', { n: u.count })),
      h('div.dev-facts',
        fact('rf.lastHeard', when(u.lastHeard, now)),
        fact('rf.firstHeard', v('span', dateTime(u.firstHeard)))),
      h('div.actions',
        tx('button.big.second', 'rf.bindHere', null, { type: 'button', class: 'rf-bind', disabled: !this.learn.householdId, onclick: (e) => this.bind(u, e.currentTarget) })),
      failed ? h('div.error.block', { role: 'alert' }, tx('strong', failed.key), ' ', failed.message ? v('code', failed.message) : null) : null);
  }

  /** Adds the unknown transmitter as a button of the household chosen in the learn panel. */
  async bind(u, button) {
    const householdId = Number(this.learn.householdId);
    if (!householdId) return;
    button.disabled = true;
    const key = `${u.address}/${u.key}`;
    try {
      await api('POST', '/api/rf/buttons', { householdId, address: u.address, pressKey: u.key });
      this.bindErrors.delete(key);
    } catch (err) {
      this.bindErrors.set(key, err instanceof ApiError && err.status === 409 ? { key: 'rf.codeTaken', message: null } : { key: 'rf.bindFailed', message: err.message });
    }
    await this.load();
  }
}

function fact(key, value) {
  return h('span', tx('span.lbl', key), value);
}

function when(ms, now) {
  return ms ? h('span', { title: dateTime(ms) }, tx('span', ...agoKey(ms, now)), ' ', v('span.muted', dateTime(ms))) : null;
}

function buttonRow(b, now) {
  const flags = [tx('span.flag.info', 'rf.cannotSupervise')];
  if (b.revoked) flags.push(tx('span.flag.bad', 'dev.revoked'));
  if (!b.lastTest) flags.push(tx('span.flag.warn', 'rf.neverTested'));
  else if (now - b.lastTest > TEST_EVERY_MS) flags.push(tx('span.flag.warn', 'dev.testOverdue'));
  const addresses = [...new Set(b.codes.map((c) => c.addressHex))];
  return h('div.dev.rf-button', { 'data-device': b.deviceId, 'data-supervised': 'false' },
    h('div.dev-id', v('strong', b.deviceId), ' ', tx('span.kind', 'kind.rf-button')),
    h('div.dev-flags', flags),
    h('div.dev-home', v('span', b.householdAddress ?? `${b.householdId ?? ''}`), ' ', v('span.muted', b.residentName ?? '')),
    h('div.dev-facts',
      h('span.rf-heard', { 'data-at': String(b.lastHeard ?? '') }, tx('span.lbl', 'rf.lastHeard'), when(b.lastHeard, now) ?? tx('span', 'rf.neverHeard')),
      h('span.rf-tested', { 'data-at': String(b.lastTest ?? '') }, tx('span.lbl', 'dev.lastTest'), when(b.lastTest, now) ?? tx('span', 'dev.never')),
      h('span', tx('span.lbl', 'rf.codes'), addresses.map((a) => v('span', a)), ' ',
        b.codes.map((c) => tx('span.code', 'rf.keyAction', { n: c.key, action: t(`rfaction.${c.action}`) })))));
}

function receiverRow(r, now) {
  const st = receiverState(r);
  const flag = { offline: ['bad', 'dev.offline'], degraded: ['warn', 'rf.degraded'], online: ['ok', 'dev.online'], connecting: ['warn', 'rf.connecting'] }[st];
  return h('div.dev.rf-receiver', { class: st === 'online' ? '' : 'problem', 'data-receiver': r.name, 'data-state': st },
    h('div.dev-id', v('strong', r.name), ' ', v('span.kind', `${String(r.source).split('?')[0]} · ${r.framing}`, { title: r.source })),
    h('div.dev-flags', tx(`span.flag.${flag[0]}`, flag[1])),
    h('div.dev-home', tx('span.lbl', 'rf.errors'), v('strong.rf-errors', String(r.errorsTotal)), ' ',
      tx('span.lbl', 'rf.errorsMinute'), v('span', `${r.recentErrors} / ${r.degradeAfter}`)),
    h('div.dev-facts',
      fact('rf.frames', v('span', String(r.frames))),
      fact('rf.lastFrame', when(r.lastFrameAt, now) ?? tx('span', 'dev.never')),
      fact('rf.reconnects', v('span', String(r.reconnects))),
      r.lastError ? fact('rf.lastError', v('code', r.lastError)) : null));
}
