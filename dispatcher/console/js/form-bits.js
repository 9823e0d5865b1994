/**
 * Small pieces the console's editing forms share (roster, household, staff accounts): a labelled
 * field, the status line under a form, a button that needs a second tap to act, and a panel that
 * sends a change and says how it went.
 */
import { h, tx, v } from './dom.js';
import { t } from './i18n.js';
import { api } from './api.js';

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

/**
 * What a panel of small forms shares (a node's roster, the staff accounts): send a change, then say
 * it was saved and read the panel again, or say why not in the hub's words. A panel defines load(),
 * sets its status line `msgEl` when it renders, and may define saved() and changed().
 */
export class EditPanel {
  constructor() { this.message = null; }

  async send(method, path, body) {
    try {
      await api(method, path, body);
      this.message = { ok: true, key: 'roster.saved' };
      this.saved?.();
      this.changed?.();
      await this.load();
    } catch (err) {
      this.say(false, 'roster.failed', err.message);
    }
  }

  say(ok, key, detail, vars) {
    this.message = { ok, key, detail, vars };
    this.renderMessage();
  }

  renderMessage() { showStatus(this.msgEl, this.message); }
}
