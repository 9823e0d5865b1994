/**
 * Your own password (PUT /api/me/password), at the foot of the duty page for everyone: a worker
 * whose leader set a first password changes it here. Your other sessions end (a phone left logged
 * in elsewhere goes to the login page); this one stays. Until they do, the hub holds every change
 * but the calls from an account whose password someone else set (the banner in main.js leads here).
 */
import { h, tx } from './dom.js';
import { api } from './api.js';
import { field, showStatus } from './form-bits.js';

/** @param {{ onChanged?: () => void }} [opts] */
export function myAccountForm({ onChanged } = {}) {
  const status = h('p.roster-msg', { role: 'status', id: 'me-msg' });
  const input = (name, autocomplete) => h('input', { name, type: 'password', autocomplete, maxlength: '256' });
  const form = h('form.roster-form.me-form', { id: 'me-password', novalidate: true },
    tx('h3', 'me.heading'),
    field('me.current', input('currentPassword', 'current-password')),
    field('me.new', input('newPassword', 'new-password')),
    field('me.repeat', input('repeat', 'new-password')),
    tx('button.small', 'me.change', null, { type: 'submit' }), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(form));
    if (f.newPassword.length < 8) return showStatus(status, { ok: false, key: 'me.tooShort' });
    if (f.newPassword !== f.repeat) return showStatus(status, { ok: false, key: 'me.mismatch' });
    try {
      await api('PUT', '/api/me/password', { currentPassword: f.currentPassword, newPassword: f.newPassword });
      form.reset();
      showStatus(status, { ok: true, key: 'me.changed' });
      onChanged?.();
    } catch (err) {
      showStatus(status, { ok: false, key: 'roster.failed', detail: err.message });
    }
  });
  return form;
}
