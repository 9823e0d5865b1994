/**
 * A household's devices on its editor, and for admins registering a call button or pendant for it
 * (POST /api/devices) and revoking one that was lost or replaced (POST /api/devices/:id/revoke,
 * a second tap confirms). A new device's secret is shown once, with what to set on the device:
 * the hub keeps only its hash. RF buttons are bound by learn mode on the RF page instead.
 */
import { h, tx, v, clear } from './dom.js';
import { api } from './api.js';
import { has, t } from './i18n.js';
import { field, showStatus, twoTapButton } from './form-bits.js';

/** As gateway/protocol.ts DEVICE_ID_RE. */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class DevicePanel {
  /** @param {{ householdId: number, devices: object[], admin: boolean }} opts */
  constructor(opts) {
    Object.assign(this, opts);
    this.issued = null; // { id, secret }: shown once, until the panel is left
    this.root = h('div.hh-devices', { id: 'hh-devices' });
    this.render();
  }

  async reload() {
    try {
      this.devices = (await api('GET', `/api/households/${this.householdId}`)).devices;
    } catch { /* the list stays as it was; the next open reads it again */ }
    this.render();
  }

  render() {
    const list = this.devices ?? [];
    this.msgEl = h('p.roster-msg', { role: 'status', id: 'hh-dev-msg' });
    clear(this.root).append(tx('h4', 'hh.devices'),
      list.length ? h('ul', list.map((d) => h('li', { 'data-device': d.id }, v('code', d.id), ' ', has(`kind.${d.kind}`) ? tx('span.kind', `kind.${d.kind}`) : v('span.kind', d.kind),
        d.revokedAt ? tx('span.flag.info', 'hh.revoked') : this.admin ? [' ', twoTapButton('button.small.roster-delete.dev-revoke', 'hh.revoke', 'hh.confirmRevoke', () => this.revoke(d.id))] : null)))
        : tx('p.empty', 'hh.noDevices'),
      this.issued ? h('div.learn-result.bound', { id: 'hh-secret' }, tx('strong', 'hh.secretOnce'),
        h('p', tx('span.lbl', 'hh.mqttUser'), v('code', this.issued.id)), h('p', tx('span.lbl', 'hh.mqttPassword'), v('code.secret', this.issued.secret))) : null,
      this.admin ? this.form() : null, this.msgEl);
  }

  form() {
    const form = h('form.roster-form.dev-register', { novalidate: true },
      field('hh.deviceId', h('input', { name: 'id', maxlength: '64', autocomplete: 'off' })),
      field('hh.kind', h('select', { name: 'kind' }, ['mqtt-button', 'pendant'].map((k) => h('option', { value: k }, t(`kind.${k}`))))),
      tx('button.small', 'hh.register', null, { type: 'submit' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = Object.fromEntries(new FormData(form));
      const id = String(f.id).trim();
      if (!DEVICE_ID.test(id)) return showStatus(this.msgEl, { ok: false, key: 'hh.badDeviceId' });
      try {
        const r = await api('POST', '/api/devices', { id, householdId: this.householdId, kind: f.kind });
        this.issued = { id, secret: r.secret };
        await this.reload();
      } catch (err) {
        showStatus(this.msgEl, { ok: false, key: 'roster.failed', detail: err.message });
      }
    });
    return form;
  }

  async revoke(id) {
    try {
      await api('POST', `/api/devices/${encodeURIComponent(id)}/revoke`);
      await this.reload();
    } catch (err) {
      showStatus(this.msgEl, { ok: false, key: 'roster.failed', detail: err.message });
    }
  }
}
