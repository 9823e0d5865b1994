/**
 * One alert as a card: who, where, how to get in, whom to phone, how long it has waited, the
 * latest note staff left on it, and big buttons for the next step. Pure rendering: actions go back
 * through ctx.act().
 */
import { h, tx, v } from './dom.js';
import { has } from './i18n.js';
import { clock } from './format.js';
import { renderTimeline } from './timeline-view.js';
import { handedBackBy } from './queue.js';

export const STAFF_OUTCOMES = ['assisted', 'hospital', 'false_alarm', 'not_home', 'other'];

const label = (key) => tx('span.lbl', key);
const reasonLabel = (r) => (has(`reason.${r}`) ? tx('span.reason', `reason.${r}`) : v('span.reason', r));
const tel = (phone, ...content) => h('a.tel', { href: `tel:${String(phone).replace(/[^0-9+]/g, '')}` }, ...content);

/**
 * @param alert AlertView from the hub
 * @param ctx {{ user, ui: {resolving?, outcome?, note?, noting?, memo?, busy?, error?, timelineOpen?}, rings: boolean, now: number,
 *   act: (alert, action, body?) => void, setUi: (id, patch, rerender?) => void }}
 */
export function renderCard(alert, ctx) {
  const a = alert;
  const ui = ctx.ui;
  const cls = ['card', `s-${a.state}`, a.kind === 'call' ? 'call' : 'tech', ctx.rings ? 'ring' : '', a.isTest ? 'is-test' : ''].filter(Boolean).join(' ');
  const el = h('article', { class: cls, 'data-id': a.id, 'data-state': a.state, 'data-version': a.version, 'aria-live': ctx.rings ? 'assertive' : null });
  el.append(
    h('div.card-top',
      tx('span.badge', `state.${a.state}`),
      reasonLabel(a.reason),
      a.isTest ? tx('span.badge.test', 'card.test') : null,
      ctx.rings ? tx('span.needs', 'card.rings') : null,
      h('span.elapsed', label('card.elapsed'), h('span.clock', { 'data-since': a.raisedAt }, clock(ctx.now - a.raisedAt)))),
  );
  if (a.household) {
    el.append(v('h3.address', a.household.address));
    for (const r of a.household.residents ?? []) {
      el.append(h('div.row.resident',
        label('card.resident'),
        h('span.val', v('strong.name', r.name), ' ', r.age != null ? tx('span.age', 'card.age', { n: r.age }) : null,
          r.phone ? h('span', ' ', tel(r.phone, v('span', r.phone))) : null),
        r.medicalNote ? h('div.medical', label('card.medical'), v('span.val', r.medicalNote)) : null));
    }
    const contacts = a.household.contacts ?? [];
    if (contacts.length) {
      el.append(h('div.row.contacts', label('card.contacts'),
        h('span.val', contacts.map((c) => tel(c.phone, '☎ ', v('span', c.name), ' ', v('span.rel', c.relation), ' ', v('span.num', c.phone))))));
    }
    el.append(h('div.row.access', label('card.access'), v('span.val', a.household.accessNote)));
  } else {
    el.append(tx('h3.address.none', 'card.noHousehold'), a.detail ? h('div.row', label('card.detail'), v('span.val', a.detail)) : null);
  }
  el.append(h('div.row.meta',
    h('span.m', label('card.level'), v('strong', a.levelName), ' ', tx('span.lvl', 'card.levelN', { n: a.level })),
    a.kind === 'call' ? h('span.m', { class: a.presses > 1 ? 'many' : '' }, label('card.presses'), tx('strong.presses', 'card.pressesN', { n: a.presses })) : null,
    h('span.m', label('card.grid'), v('span', a.gridName)),
    a.deviceId ? h('span.m', label('card.device'), v('span', a.deviceId)) : null,
    a.acceptedBy ? h('span.m.holder', label('card.acceptedBy'), v('strong', a.acceptedBy.name)) : null));
  const memo = latestNote(a);
  if (memo) el.append(h('div.row.memo', label('card.memo'), h('span.val', v('strong', memo.data.text), ' ', memo.staffName ? v('span.tl-who', memo.staffName) : null, ' ', v('time', clock(memo.at - a.raisedAt)))));
  if (a.kind === 'call' && a.state === 'raised' && !ctx.rings) {
    el.append(tx('div.row.hint', ctx.user && handedBackBy(a).includes(ctx.user.id) ? 'card.handedBack' : 'card.notForYou'));
  }
  const record = renderTimeline(a, ctx);
  if (record) el.append(record);
  el.append(ui.resolving ? resolveForm(a, ctx) : ui.noting ? noteForm(a, ctx) : actions(a, ctx));
  if (ui.error) el.append(errorLine(ui.error));
  return el;
}

function btn(kind, key, onclick, busy) {
  return tx(`button.big.${kind}`, key, null, { type: 'button', onclick, disabled: busy, 'data-action': key.split('.')[1] });
}

function actions(a, ctx) {
  const busy = !!ctx.ui.busy;
  const mine = a.acceptedBy && ctx.user && a.acceptedBy.id === ctx.user.id;
  const supervisor = ctx.user && (ctx.user.role === 'leader' || ctx.user.role === 'admin');
  const resolve = () => ctx.setUi(a.id, { resolving: true, error: null, outcome: ctx.ui.outcome ?? null, note: ctx.ui.note ?? '' }, true);
  const row = h('div.actions');
  const isCall = a.kind === 'call';
  if (a.state === 'raised') {
    row.append(btn('primary', 'act.accept', () => ctx.act(a, 'ack'), busy));
    if (isCall) row.append(btn('second', 'act.arrive', () => ctx.act(a, 'arrive'), busy));
    else row.append(btn('second', 'act.resolve', resolve, busy));
  } else if (a.state === 'cancelled') {
    row.append(btn('primary', 'act.confirmCancel', () => ctx.act(a, 'confirm-cancel'), busy));
    row.append(btn('second', 'act.acceptAnyway', () => ctx.act(a, 'ack'), busy));
  } else if (a.state === 'accepted' && (mine || supervisor)) {
    if (isCall) row.append(btn('primary', 'act.arrive', () => ctx.act(a, 'arrive'), busy));
    row.append(btn(isCall ? 'second' : 'primary', 'act.resolve', resolve, busy));
    // Cannot go after all: it rings again at once, past you, instead of waiting for the arrive deadline.
    if (isCall) row.append(btn('second', 'act.release', () => ctx.act(a, 'release'), busy));
  } else if (a.state === 'on_site' && (mine || supervisor)) {
    row.append(btn('primary', 'act.resolve', resolve, busy));
  }
  if ((a.state === 'accepted' || a.state === 'on_site') && (mine || supervisor)) {
    row.append(btn('second', 'act.note', () => ctx.setUi(a.id, { noting: true, error: null }, true), busy));
  }
  return row;
}

/** The newest note on the call's record (the live view keeps the latest entries), or null. Pure; exported for tests. */
export function latestNote(a) {
  const list = a.timeline ?? [];
  for (let i = list.length - 1; i >= 0; i--) if (list[i].type === 'note' && list[i].data?.text) return list[i];
  return null;
}

/** A note for every console: what the one on the way learned (family reached, door opened by a neighbour). */
function noteForm(a, ctx) {
  const ui = ctx.ui;
  const busy = !!ui.busy;
  const text = h('textarea.note', { rows: 2, maxlength: 500, 'data-focus': 'memo', oninput: (e) => ctx.setUi(a.id, { memo: e.target.value }, false) });
  text.value = ui.memo ?? '';
  return h('form.resolve.note-form', { onsubmit: (e) => {
    e.preventDefault();
    const memo = (ui.memo ?? '').trim();
    if (!memo) return ctx.setUi(a.id, { error: { key: 'note.empty' } }, true);
    ctx.act(a, 'note', { text: memo });
  } },
  h('label.notebox', tx('span.lbl', 'note.text'), text),
  h('div.actions',
    tx('button.big.primary', 'act.saveNote', null, { type: 'submit', disabled: busy, 'data-action': 'saveNote' }),
    tx('button.big.second', 'act.back', null, { type: 'button', disabled: busy, onclick: () => ctx.setUi(a.id, { noting: false, error: null }, true) })));
}

function resolveForm(a, ctx) {
  const ui = ctx.ui;
  const busy = !!ui.busy;
  const name = `outcome-${a.id}`;
  const choices = h('div.outcomes', { role: 'radiogroup' },
    STAFF_OUTCOMES.map((o) => h('label.choice', { class: ui.outcome === o ? 'on' : '' },
      h('input', { type: 'radio', name, value: o, checked: ui.outcome === o, onchange: () => ctx.setUi(a.id, { outcome: o }, true) }),
      tx('span', `outcome.${o}`))));
  const note = h('textarea.note', { rows: 2, maxlength: 2000, 'data-focus': 'note', value: ui.note ?? '', oninput: (e) => ctx.setUi(a.id, { note: e.target.value }, false) });
  note.value = ui.note ?? '';
  return h('form.resolve', { onsubmit: (e) => {
    e.preventDefault();
    if (!ui.outcome) return ctx.setUi(a.id, { error: { key: 'resolve.pick' } }, true);
    ctx.act(a, 'resolve', { outcome: ui.outcome, note: ui.note ?? '' });
  } },
  tx('div.lbl', 'resolve.outcome'), choices,
  // What the health sweep does after this (health-repo.ts), for the problems it raises: a string per reason.
  a.kind === 'technical' && has(`resolve.quiet.${a.reason}`) ? tx('div.hint', `resolve.quiet.${a.reason}`) : null,
  h('label.notebox', tx('span.lbl', 'resolve.note'), note),
  h('div.actions',
    tx('button.big.primary', 'act.save', null, { type: 'submit', disabled: busy, 'data-action': 'save' }),
    tx('button.big.second', 'act.back', null, { type: 'button', disabled: busy, onclick: () => ctx.setUi(a.id, { resolving: false, error: null }, true) })));
}

function errorLine(err) {
  if (err.holder) return h('div.error', { role: 'alert' }, tx('span', 'err.taken'), ' ', v('strong', err.holder.name));
  return h('div.error', { role: 'alert', title: err.raw ?? '' }, tx('span', err.key));
}
