/** The login screen. The login click also arms the alarm sound (browsers need one click). */
import { h, tx } from './dom.js';
import { t } from './i18n.js';
import { login, ApiError } from './api.js';

export function loginView({ message, onLoggedIn, arm, langSwitch }) {
  const err = h('div.error', { role: 'alert', id: 'login-error' });
  if (message) err.append(tx('span', message));
  const user = h('input#username', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const pass = h('input#password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = tx('button.big.primary', 'login.submit', null, { type: 'submit', id: 'login-submit' });
  const form = h('form.login', {
    onsubmit: async (e) => {
      e.preventDefault();
      arm(); // inside the click: this is what lets the page make sound later
      submit.disabled = true;
      err.replaceChildren();
      try {
        const r = await login(user.value.trim(), pass.value);
        onLoggedIn(r.user);
      } catch (x) {
        const status = x instanceof ApiError ? x.status : 0;
        const key = status === 401 ? 'login.failed' : status === 429 ? 'err.E_RATE_LIMITED' : 'login.unreachable';
        err.append(tx('span', key));
        submit.disabled = false;
      }
    },
  },
  h('div.login-top', tx('h1', 'app.title'), langSwitch),
  tx('h2', 'login.heading'),
  h('label', tx('span.lbl', 'login.username'), user),
  h('label', tx('span.lbl', 'login.password'), pass),
  submit,
  tx('p.hint', 'login.hint'),
  err);
  setTimeout(() => user.focus(), 0);
  document.title = t('app.title');
  return h('main.login-page', form);
}
