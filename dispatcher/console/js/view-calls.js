/**
 * The call queue page: open calls (most urgent first), technical alerts in their own lower
 * list, and the calls closed during this shift. Cards are keyed by alert id and rebuilt only
 * when their version, the language or their local UI state changes.
 */
import { h, tx, v, clear } from './dom.js';
import { renderCard } from './call-card.js';
import { alertMatches, ringsFor } from './queue.js';
import { api, ApiError } from './api.js';
import { downloadRecord } from './timeline-view.js';
import { clock, dateTime } from './format.js';
import { has, getLang, t } from './i18n.js';

/**
 * The most cards a list shows. In a mass event an admin or leader may have thousands of open calls
 * (or, in a power cut, thousands of offline devices); rendering a card for each froze a phone. The
 * most urgent come first, and a line says how many more there are.
 */
export const LIST_MAX = 200;
/** Open alerts from which the page offers a search box; on a quiet night it would only be in the way. */
export const SEARCH_FROM = 20;

export class CallsView {
  constructor(app) {
    this.app = app;
    this.ui = new Map();
    this.cards = new Map();
    this.root = h('section.calls');
    this.summary = h('div.summary');
    this.callList = h('div.list', { id: 'call-list' });
    this.callMore = h('p.more', { id: 'call-more' });
    this.techList = h('div.list.tech-list', { id: 'tech-list' });
    this.techMore = h('p.more', { id: 'tech-more' });
    this.recentList = h('div.recent-list');
    this.query = '';
    this.searchBox = null;
    this.recordErrors = new Map(); // a closed call's record that failed to download: why
  }

  mount(container) {
    clear(this.root);
    this.searchBox = h('input.call-search', { id: 'call-search', type: 'search', value: this.query, placeholder: t('calls.search'), 'aria-label': t('calls.search'),
      oninput: (e) => { this.query = e.target.value; this.render(); } });
    this.root.append(
      h('div.section-head', tx('h2', 'calls.heading'), this.summary, this.searchBox),
      this.callList,
      this.callMore,
      h('div.section-head.tech', tx('h2', 'tech.heading')),
      this.techList,
      this.techMore,
      h('details.recent', h('summary', tx('span', 'recent.heading')), this.recentList),
    );
    container.append(this.root);
    this.render();
  }

  relabel() {
    const parent = this.root.parentElement;
    if (parent) this.mount(parent);
  }

  book() {
    return this.app.book;
  }

  uiOf(id) {
    if (!this.ui.has(id)) this.ui.set(id, { rev: 0 });
    return this.ui.get(id);
  }

  setUi(id, patch, rerender) {
    const u = Object.assign(this.uiOf(id), patch);
    if (rerender) {
      u.rev++;
      this.render();
    }
  }

  async act(alert, action, body) {
    this.setUi(alert.id, { busy: true, error: null }, true);
    try {
      const r = await api('POST', `/api/alerts/${encodeURIComponent(alert.id)}/${action}`, body);
      this.book().apply(r.alert);
      // rerender: the change may already have come over the socket while this card was busy
      this.setUi(alert.id, { busy: false, resolving: false, noting: false, error: null, note: '', memo: '', outcome: null }, true);
      this.app.changed();
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'E_NETWORK', String(err));
      const key = e.code === 'E_NETWORK' ? 'err.network' : has(`err.${e.code}`) ? `err.${e.code}` : 'err.generic';
      this.setUi(alert.id, { busy: false, error: { key, holder: e.holder, raw: e.message } }, true);
    }
  }

  render() {
    const book = this.app.book;
    const user = this.app.user;
    const now = this.app.now();
    const allCalls = book.calls();
    const allTech = book.technical();
    const waiting = allCalls.filter((a) => a.state === 'raised' || a.state === 'cancelled').length;
    // The box shows once there are many to search, and stays while it holds a search.
    this.searchBox.hidden = allCalls.length + allTech.length < SEARCH_FROM && !this.query;
    const needle = this.searchBox.hidden ? '' : this.query.trim().toLowerCase();
    const calls = needle ? allCalls.filter((a) => alertMatches(a, needle)) : allCalls;
    const tech = needle ? allTech.filter((a) => alertMatches(a, needle)) : allTech;
    clear(this.summary).append(
      h('span.count', { class: waiting ? 'hot' : '' }, v('strong', String(waiting)), ' ', tx('span', 'calls.waiting')),
      h('span.count', v('strong', String(allCalls.length)), ' ', tx('span', 'calls.open')),
      // While a search hides calls, a new call may be among them: the alarm still rings, and this says so with a way back.
      ...(needle ? [h('span.count.found', { id: 'call-found' }, tx('span', 'calls.found', { n: calls.length + tech.length, total: allCalls.length + allTech.length }),
        ' ', tx('button.small', 'calls.showAll', null, { type: 'button', id: 'call-search-clear', onclick: () => { this.query = ''; this.searchBox.value = ''; this.render(); } }))] : []),
      ...(this.app.receiving ? [h('span.count.receiving', tx('span', 'calls.receiving', { n: this.app.receiving }))] : []));
    this.fill(this.callList, calls.slice(0, LIST_MAX), user, now, needle ? 'calls.noMatch' : 'calls.empty');
    this.fill(this.techList, tech.slice(0, LIST_MAX), user, now, needle ? 'calls.noMatch' : 'tech.empty');
    this.more(this.callMore, calls.length);
    this.more(this.techMore, tech.length);
    clear(this.recentList).append(...book.recent.map((a) => h('div.recent-item', { 'data-id': a.id },
      v('span', dateTime(a.resolvedAt ?? a.raisedAt)), ' ',
      v('span', a.household?.address ?? a.deviceId ?? a.id), ' ',
      a.outcome && has(`outcome.${a.outcome}`) ? tx('span.badge', `outcome.${a.outcome}`) : tx('span.badge', `state.${a.state}`),
      a.resolvedBy ? h('span', ' ', v('span', a.resolvedBy.name)) : null, ' ',
      // Its card is gone: the record stays one tap away.
      tx('button.small', 'tl.csv', null, { type: 'button', class: 'tl-csv', onclick: () => this.saveRecord(a.id) }),
      this.recordErrors.has(a.id) ? h('span.error', { role: 'alert' }, ' ', tx('span', 'tl.csvFailed'), ' ', v('code', this.recordErrors.get(a.id))) : null)));
  }

  async saveRecord(id) {
    this.recordErrors.delete(id);
    try {
      await downloadRecord(id);
    } catch (err) {
      this.recordErrors.set(id, err.message);
    }
    this.render();
  }

  more(el, total) {
    el.hidden = total <= LIST_MAX;
    el.replaceChildren(...(el.hidden ? [] : [tx('span', 'list.more', { n: total - LIST_MAX, max: LIST_MAX })]));
  }

  fill(list, alerts, user, now, emptyKey) {
    const focused = document.activeElement;
    const focusCard = focused?.closest?.('article.card');
    const focusKey = focused?.dataset?.focus;
    const sel = focusKey ? [focused.selectionStart, focused.selectionEnd] : null;
    const keep = new Set(alerts.map((a) => a.id));
    for (const el of [...list.children]) {
      if (!el.dataset.id || !keep.has(el.dataset.id)) {
        el.remove();
        if (el.dataset.id) this.cards.delete(el.dataset.id);
      }
    }
    if (!alerts.length) {
      const empty = list.querySelector('.empty');
      if (empty?.dataset.i18n !== emptyKey) { empty?.remove(); list.append(tx('p.empty', emptyKey)); }
      return;
    }
    list.querySelector('.empty')?.remove();
    let prev = null;
    for (const a of alerts) {
      const ui = this.uiOf(a.id);
      const rings = ringsFor(a, user);
      const sig = `${a.version}|${ui.rev}|${getLang()}|${rings}`;
      let entry = this.cards.get(a.id);
      if (!entry || entry.sig !== sig) {
        const el = renderCard(a, { user, ui, rings, now, act: (x, y, z) => this.act(x, y, z), setUi: (id, p, r) => this.setUi(id, p, r) });
        if (entry) entry.el.replaceWith(el);
        entry = { el, sig };
        this.cards.set(a.id, entry);
        if (focusCard?.dataset.id === a.id && focusKey) {
          const f = el.querySelector(`[data-focus="${focusKey}"]`);
          if (f) { f.focus(); if (sel) f.setSelectionRange(sel[0], sel[1]); }
        }
      }
      const want = prev ? prev.nextSibling : list.firstChild;
      if (want !== entry.el) list.insertBefore(entry.el, want);
      prev = entry.el;
    }
  }

  /** Advances the elapsed clocks once a second without rebuilding cards. */
  tick(now) {
    for (const el of this.root.querySelectorAll('[data-since]')) el.textContent = clock(now - Number(el.dataset.since));
  }
}
