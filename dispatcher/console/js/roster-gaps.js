/**
 * Roster gaps (GET /api/duty/gaps), on the duty page under the board: the times in the next 7 days
 * when nobody on a grid's own roster is on duty, and where its calls would then go; in red, those
 * when nobody at any level is, so a call would reach no one the roster names. A supervisor fills
 * them before a resident finds one. Asked again when a roster, node or account was edited (on this
 * page, or anywhere in its area: the hub's hint says so), on Refresh, and otherwise at most every 5
 * minutes: a hint that only someone's console opened changes no roster, and hundreds of duty pages
 * asking on each would add up.
 */
import { h, tx, v, clear } from './dom.js';
import { api } from './api.js';
import { locale } from './i18n.js';
import { Latest } from './latest.js';

const DAYS = 7;
const NODES_SHOWN = 30;
const GAPS_SHOWN = 6;
const STALE_MS = 5 * 60_000;

/** "周六 12/05 20:00 – 周日 08:00": the end without its day when it is the same day. */
export function gapSpan(from, to, loc) {
  const day = (ms) => new Date(ms).toLocaleDateString(loc, { weekday: 'short', month: '2-digit', day: '2-digit' });
  const time = (ms) => new Date(ms).toLocaleTimeString(loc, { hour: '2-digit', minute: '2-digit', hour12: false });
  return `${day(from)} ${time(from)} – ${day(to - 1) === day(from) ? '' : `${day(to)} `}${time(to)}`;
}

export class RosterGaps {
  /** @param {{ openRoster?: (nodeId: number) => void }} opts  opens a node's roster on the board, to fill a gap there */
  constructor(opts = {}) {
    this.openRoster = opts.openRoster ?? null;
    this.data = null;
    this.error = null;
    this.latest = new Latest();
    this.root = h('section.roster-gaps', { id: 'roster-gaps' });
  }

  /** `fresh`: ask now (an edit on this page); otherwise only when the last answer is 5 minutes old. */
  async load(fresh = true) {
    if (!fresh && this.askedAt && Date.now() - this.askedAt < STALE_MS) return;
    this.askedAt = Date.now();
    const r = await this.latest.run(() => api('GET', `/api/duty/gaps?days=${DAYS}`));
    if (!r) return;
    if (r.error) this.error = r.error;
    else Object.assign(this, { data: r.value, error: null });
    this.render();
  }

  render() {
    const root = clear(this.root);
    root.append(tx('h3', 'gaps.heading', { n: DAYS }));
    if (this.error) return root.append(h('div.error.block', tx('span', 'gaps.error'), ' ', v('code', this.error.message)));
    const d = this.data;
    if (!d) return root.append(tx('p.empty', 'app.loading'));
    if (!d.nodes.length) return root.append(tx('p#gaps-none.note', 'gaps.none', { n: d.starts, days: DAYS }));
    root.append(tx('p.note', 'gaps.summary', { n: d.summary.withGaps, bad: d.summary.reachNobody }));
    root.append(h('div.gap-list', d.nodes.slice(0, NODES_SHOWN).map((n) => nodeGaps(n, this.openRoster))));
    if (d.nodes.length > NODES_SHOWN) root.append(tx('p.muted', 'gaps.moreNodes', { n: d.nodes.length - NODES_SHOWN }));
  }
}

/** One node: its name (the path from the top on hover), a button to its roster, and its first gaps, each with where calls go then. */
function nodeGaps(n, openRoster) {
  const items = n.gaps.slice(0, GAPS_SHOWN).map((g) => h('li', { class: g.reaches ? 'up' : 'nobody' },
    v('span.gap-span', gapSpan(g.from, g.to, locale())), ' ',
    g.reaches ? [tx('span.muted', 'gaps.goesTo'), ' ', v('span', g.reaches.name)] : tx('span.flag.bad', 'gaps.nobody')));
  if (n.gaps.length > GAPS_SHOWN) items.push(tx('li.muted', 'gaps.moreGaps', { n: n.gaps.length - GAPS_SHOWN }));
  const fill = openRoster ? tx('button.small.gap-roster', 'gaps.openRoster', null, { type: 'button', onclick: () => openRoster(n.nodeId) }) : null;
  return h('div.gap-node', { 'data-node': n.nodeId, class: n.nobodyMinutes ? 'bad' : '' }, h('div', v('strong', n.name, { title: n.path }), ' ', fill), h('ul', items));
}
