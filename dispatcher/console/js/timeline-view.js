/**
 * A call's record on its card: every step the hub logged (raised, whom it notified at which level,
 * levels skipped, accepted by whom, on site, cancels, resolved) with the time of day and the time
 * since the call was raised. Folded by default; its open state survives the card being redrawn.
 * The live view keeps the first and the latest entries; the CSV export has them all.
 */
import { h, tx, v } from './dom.js';
import { has } from './i18n.js';
import { clock, dateTime } from './format.js';
import { downloadCsv } from './api.js';

/** What an entry adds to its label: the level and how many were told, why a level was skipped, the outcome, the presses. */
function extra(e) {
  const d = e.data ?? {};
  if (e.type === 'notified') {
    return [tx('span.tl-x', 'card.levelN', { n: d.level ?? 0 }), Array.isArray(d.notified) ? tx('span.tl-x', 'tl.people', { n: d.notified.length }) : null,
      d.askedAgain ? tx('span.tl-x', 'tl.askedAgain') : null];
  }
  if (e.type === 'level_skipped' && d.why) return [has(`tlwhy.${d.why}`) ? tx('span.tl-x', `tlwhy.${d.why}`) : v('span.tl-x', d.why)];
  if (e.type === 'resolved' && d.outcome) return [has(`outcome.${d.outcome}`) ? tx('span.tl-x', `outcome.${d.outcome}`) : v('span.tl-x', d.outcome)];
  if (e.type === 'repeat_press' && d.presses) return [tx('span.tl-x', 'card.pressesN', { n: d.presses })];
  if (e.type === 'note' && d.text) return [v('span.tl-x', d.text)];
  return [];
}

function entry(e, raisedAt) {
  return h('li.tl-entry', { 'data-type': e.type },
    h('span.tl-when', { title: dateTime(e.at) }, v('time', new Date(e.at).toTimeString().slice(0, 8)), ' ', v('span.tl-plus', `+${clock(e.at - raisedAt)}`)),
    ' ', has(`tl.${e.type}`) ? tx('strong', `tl.${e.type}`) : v('strong', e.type),
    e.staffName ? h('span', ' ', v('span.tl-who', e.staffName)) : null,
    ...extra(e).map((x) => x && h('span', ' ', x)));
}

/** Saves every entry of an alert's record (GET /api/alerts/:id/timeline) as CSV; fails as api() does. */
export const downloadRecord = (id) => downloadCsv(`/api/alerts/${encodeURIComponent(id)}/timeline`, `alert-${id}.csv`);

/** @param ctx {{ ui: {timelineOpen?}, setUi: (id, patch, rerender?) => void }} */
export function renderTimeline(a, ctx) {
  const entries = a.timeline ?? [];
  if (!entries.length) return null;
  const list = h('ol.tl-list', entries.slice(0, 1).map((e) => entry(e, a.raisedAt)),
    a.timelineOmitted ? h('li.tl-omitted', tx('span', 'tl.omitted', { n: a.timelineOmitted })) : null,
    entries.slice(1).map((e) => entry(e, a.raisedAt)));
  const details = h('details.timeline', { open: !!ctx.ui.timelineOpen, ontoggle: (ev) => ctx.setUi(a.id, { timelineOpen: ev.target.open }, false) },
    h('summary', tx('span', 'tl.heading', { n: entries.length + (a.timelineOmitted ?? 0) })),
    list,
    tx('button.small', 'tl.csv', null, { type: 'button', class: 'tl-csv', onclick: () => downloadRecord(a.id)
      .catch((err) => ctx.setUi(a.id, { error: { key: 'tl.csvFailed', raw: err.message } }, true)) }));
  return details;
}
