/**
 * Small pieces the console's editing forms share (roster, household, staff accounts): a labelled
 * field, the status line under a form, and a button that needs a second tap to act.
 */
import { h, tx, v } from './dom.js';
import { t } from './i18n.js';

const CONFIRM_MS = 5000;

/** A label above its control. */
export function field(key, control) {
  return h('label.field', tx('span.lbl', key), control);
}

/**
 * Shows `m` ({ ok, key, vars?, detail? }) in the status line `el`: a key, so a language switch
 * translates it too, and the hub's own words (`detail`) as data.
 */
export function showStatus(el, m) {
  if (!el) return;
  el.className = `roster-msg ${m?.ok ? 'ok' : 'bad'}`;
  el.replaceChildren(...(m ? [tx('span', m.key, m.vars), m.detail ? ' ' : '', m.detail ? v('code', m.detail) : ''] : []));
}

/** A button whose first tap arms it (it says `confirmKey` for 5 s) and whose second tap runs `act`: for what a slip would make hard to undo. */
export function twoTapButton(spec, key, confirmKey, act) {
  const b = tx(spec, key, null, { type: 'button' });
  let armedAt = 0;
  b.addEventListener('click', () => {
    if (Date.now() - armedAt < CONFIRM_MS) return act();
    armedAt = Date.now();
    b.textContent = t(confirmKey);
    b.classList.add('armed');
    setTimeout(() => { b.textContent = t(key); b.classList.remove('armed'); }, CONFIRM_MS);
  });
  return b;
}
