/**
 * The admin's learn-mode panel of the RF page: pick a household, open learn mode
 * (POST /api/rf/learn), watch the 60 s countdown (GET /api/rf/learn once a second while open)
 * and see the outcome: the new button bound, nothing heard, or cancelled.
 */
import { h, tx, v, clear } from './dom.js';
import { api, ApiError } from './api.js';
import { t } from './i18n.js';
import { dateTime } from './format.js';
import { Latest } from './latest.js';

/**
 * Households whose number is `q`, or whose address, residents' or contacts' names or phones contain it:
 * as the hub searches (reports/household-search.ts). Pure; exported for tests.
 */
export function filterHouseholds(households, q) {
  const s = String(q ?? '').trim().toLowerCase();
  if (!s) return households;
  const text = (x) => [x.address, ...[...(x.residents ?? []), ...(x.contacts ?? [])].map((p) => `${p.name ?? ''} ${p.phone ?? ''}`)].join(' ');
  return households.filter((x) => String(x.id) === s || text(x).toLowerCase().includes(s));
}

export const householdLabel = (x) => `${x.id} · ${x.address}${x.residents?.[0]?.name ? ` · ${x.residents[0].name}` : ''}`;

/** Households the picker shows at a time; typing narrows the hub's search. */
export const HOUSEHOLDS_SHOWN = 50;
/** How long typing must pause before the picker asks the hub. */
const SEARCH_PAUSE_MS = 250;

export class LearnPanel {
  /** `view` gives now(), reload() (after a button is bound) and householdChanged(). */
  constructor(view) {
    this.view = view;
    this.state = null; // {open, last, windowMs} as GET /api/rf/learn returns it
    this.householdId = '';
    this.query = '';
    this.found = []; // what the hub's search found for `query`, the first HOUSEHOLDS_SHOWN
    this.matched = 0;
    this.known = new Map(); // every household seen, by id: the chosen one and those of sessions keep their labels
    this.lookedUp = new Set(); // households asked for by number (lookUp)
    this.latest = new Latest();
    this.typing = null;
    this.error = null;
    this.busy = false;
    this.polling = false;
  }

  /** Builds the panel; the status part is redrawn by renderStatus(). */
  build() {
    this.select = h('select.rf-household', { id: 'rf-household', onchange: (e) => { this.householdId = e.target.value; this.renderStatus(); this.view.householdChanged?.(); } });
    this.filter = h('input.rf-filter', { id: 'rf-filter', type: 'search', value: this.query, placeholder: t('rf.filter'), 'aria-label': t('rf.filter'),
      oninput: (e) => {
        this.query = e.target.value;
        this.fillSelect(); // narrows what is here at once; the hub's answer follows
        clearTimeout(this.typing);
        this.typing = setTimeout(() => this.search(), SEARCH_PAUSE_MS);
      } });
    this.start = tx('button.big.primary', 'rf.startLearn', null, { type: 'button', id: 'rf-learn-start', onclick: () => this.open() });
    this.cancel = tx('button.big.second', 'rf.cancelLearn', null, { type: 'button', id: 'rf-learn-cancel', onclick: () => this.close() });
    this.status = h('div.learn-status', { id: 'rf-learn-status', 'aria-live': 'polite' });
    this.fillSelect();
    this.renderStatus();
    this.search();
    return h('section.rf-learn.panel', { id: 'rf-learn' },
      tx('h3', 'rf.learnHeading'), tx('p.hint', 'rf.learnHint'),
      h('label.field', tx('span.lbl', 'rf.household'), this.filter, this.select),
      h('div.actions', this.start, this.cancel),
      this.status);
  }

  /** Asks the hub for the households matching the filter; an answer overtaken by more typing is dropped. */
  async search() {
    const q = new URLSearchParams({ limit: String(HOUSEHOLDS_SHOWN) });
    if (this.query.trim()) q.set('q', this.query.trim().slice(0, 64));
    const r = await this.latest.run(() => api('GET', `/api/households?${q}`));
    if (!r || r.error) return; // overtaken; or failed: the picker keeps what it had, the next keystroke or visit asks again
    this.found = r.value.households ?? [];
    this.matched = r.value.matched ?? this.found.length;
    for (const x of this.found) this.known.set(x.id, x);
    this.fillSelect();
    this.renderStatus();
  }

  fillSelect() {
    if (!this.select) return;
    const shown = filterHouseholds(this.found, this.query);
    if (this.householdId && !shown.some((x) => String(x.id) === this.householdId)) {
      const chosen = this.known.get(Number(this.householdId));
      if (chosen) shown.unshift(chosen); // never hide the chosen household
    }
    const more = this.matched - this.found.length;
    this.select.replaceChildren(tx('option', 'rf.pickHousehold', null, { value: '' }),
      ...shown.map((x) => v('option', householdLabel(x), { value: String(x.id), selected: String(x.id) === this.householdId })),
      ...(more > 0 ? [tx('option', 'rf.moreHouseholds', { n: more }, { disabled: true, id: 'rf-household-more' })] : []));
    this.select.value = this.householdId;
  }

  /** Sets the state read by the page's periodic load; a session that has just closed reloads the page. */
  setState(s) {
    const wasOpen = this.state?.open;
    this.state = s;
    this.renderStatus();
    for (const id of [s?.open?.householdId, s?.last?.householdId]) if (id) this.lookUp(id);
    if (wasOpen && !s?.open) this.view.reload();
  }

  /** A session's household that no search has shown here (opened elsewhere, or before a reload): asked for once by number. */
  async lookUp(id) {
    if (this.known.has(id) || this.lookedUp.has(id)) return;
    this.lookedUp.add(id);
    try {
      const r = await api('GET', `/api/households?q=${id}&limit=1`);
      const x = r.households?.[0];
      if (x?.id === id) { this.known.set(id, x); this.renderStatus(); }
    } catch { this.lookedUp.delete(id); /* asked again with the next state */ }
  }

  async poll() {
    if (this.polling) return;
    this.polling = true;
    try { this.setState(await api('GET', '/api/rf/learn')); } catch { /* the next tick retries */ }
    this.polling = false;
  }

  /** Once a second: the countdown, and a look at the hub while a session is open. */
  tick() {
    if (!this.state?.open) return;
    this.renderStatus();
    this.poll();
  }

  async open() {
    const householdId = Number(this.householdId);
    if (!householdId || this.busy) return;
    this.busy = true;
    this.error = null;
    this.renderStatus();
    try {
      const r = await api('POST', '/api/rf/learn', { householdId });
      this.state = { ...(this.state ?? {}), open: r.session };
    } catch (err) {
      // A 409 needs no hub text: the panel shows the session that is open for the other household.
      this.error = err instanceof ApiError && err.status === 409 ? { key: 'rf.learnBusy', message: null } : { key: 'rf.learnFailed', message: err.message };
      await this.poll(); // show the session that is open for another household
    }
    this.busy = false;
    this.renderStatus();
  }

  async close() {
    if (this.busy) return;
    this.busy = true;
    try {
      await api('DELETE', '/api/rf/learn');
      this.error = null;
    } catch (err) {
      this.error = { key: 'rf.cancelFailed', message: err.message };
    }
    this.busy = false;
    await this.poll();
  }

  renderStatus() {
    if (!this.status) return;
    const open = this.state?.open ?? null;
    this.start.disabled = this.busy || !this.householdId;
    this.cancel.hidden = !open;
    this.cancel.disabled = this.busy;
    const st = clear(this.status);
    st.dataset.state = open ? 'open' : this.state?.last?.outcome ?? 'none';
    if (this.error) st.append(h('div.error.block', { role: 'alert', id: 'rf-learn-error' }, tx('strong', this.error.key), ' ', this.error.message ? v('code', this.error.message) : null));
    if (open) {
      const windowS = (this.state?.windowMs || 60_000) / 1000;
      const left = Math.min(windowS, Math.max(0, Math.ceil((open.expiresAt - this.view.now()) / 1000))); // a clock a little off never shows 61 s
      st.append(h('div.learn-open', { id: 'rf-learn-open', 'data-household': String(open.householdId), 'data-remaining': String(left) },
        h('div.countdown', tx('strong', 'rf.learnOpen'), ' ', tx('span.secs', 'rf.secondsLeft', { n: left })),
        h('div.bar', h('span', { style: `width:${((left / windowS) * 100).toFixed(1)}%` })),
        this.householdLine(open.householdId)));
      return;
    }
    const last = this.state?.last;
    if (!last || last.outcome === 'open') return;
    const key = { bound: 'rf.learnBound', expired: 'rf.learnExpired', cancelled: 'rf.learnCancelled' }[last.outcome] ?? 'rf.lastSession';
    st.append(h('div.learn-result', { id: 'rf-learn-result', class: last.outcome, 'data-outcome': last.outcome, 'data-device': last.deviceId ?? '' },
      h('div', tx('span.lbl', 'rf.lastSession'), v('span', dateTime(last.closedAt ?? last.openedAt)), ' ', tx('strong', key)),
      last.outcome === 'bound' ? h('div.facts',
        h('span', tx('span.lbl', 'rf.device'), v('strong', last.deviceId)),
        h('span', tx('span.lbl', 'rf.codes'), v('span', last.addressHex), ' ', tx('span', 'rf.keyN', { n: last.key })),
        h('span', tx('span.lbl', 'rf.receiver'), v('span', last.receiver))) : null,
      this.householdLine(last.householdId)));
  }

  householdLine(id) {
    const x = this.known.get(id);
    return h('div', tx('span.lbl', 'rf.household'), v('span', x ? householdLabel(x) : `${id}`));
  }
}
