/**
 * One grid node's roster, opened under its row on the duty page: the weekly shifts (in the
 * community's time zone), the one-off changes (someone covering, someone on leave) and how long
 * an unaccepted call waits here before it climbs. Everyone in scope reads it
 * (GET /api/grid/:id/roster); grid leaders and admins add and delete (the hub enforces this too).
 * A delete asks for a second tap, since a shift deleted by a slip leaves a grid uncovered.
 */
import { h, tx, v, clear } from './dom.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { dateTime } from './format.js';
import { EditPanel, field, twoTapButton } from './form-bits.js';

/** Days of a shift for people: "every day", "Mon–Fri", or "Mon Wed Sat". Pure; exported for tests. */
export function daysText(days) {
  const d = [...new Set(days)].sort((a, b) => a - b);
  if (d.length === 7) return t('roster.everyDay');
  const run = d.length >= 3 && d[d.length - 1] - d[0] === d.length - 1;
  if (run) return `${t(`weekday.${d[0]}`)}–${t(`weekday.${d[d.length - 1]}`)}`;
  return d.map((x) => t(`weekday.${x}`)).join(' ');
}

/** The wall clock of instant `ms` in time zone `tz` (the browser's when undefined), as UTC fields read back into ms. */
function wallClockMs(ms, tz) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(ms));
  const g = (type) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'));
}

/**
 * An instant as a datetime-local input's value, and back, in the node's time zone `tz` (the one its
 * shifts are in; the browser's when undefined): an office PC set to another zone still puts a leave
 * at the hours the leader means. Pure; exported for tests.
 */
export function toLocalInput(ms, tz) {
  return new Date(wallClockMs(ms, tz)).toISOString().slice(0, 16);
}
export function fromLocalInput(value, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const wanted = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // The zone's offset at that wall time: one correction, and a second where it crosses a clock change.
  let ms = wanted;
  for (let i = 0; i < 2; i++) ms += wanted - wallClockMs(ms, tz);
  return Number.isFinite(ms) ? ms : null;
}

export class RosterEditor extends EditPanel {
  /** @param {{ nodeId: number, canEdit: boolean, staff: () => {id:number,name:string}[], changed: () => void }} opts */
  constructor(opts) {
    super();
    Object.assign(this, opts);
    this.data = null;
    this.error = null;
    this.root = h('div.roster', { 'data-roster': opts.nodeId });
  }

  async load() {
    try {
      this.data = await api('GET', `/api/grid/${this.nodeId}/roster`);
      this.error = null;
    } catch (err) {
      this.error = err;
    }
    this.render();
  }

  /** Sends a change to this node's roster; on success the roster and the board are read again. */
  send(method, path, body) {
    return super.send(method, `/api/grid/${this.nodeId}${path}`, body);
  }

  render() {
    const root = clear(this.root);
    this.msgEl = h('p.roster-msg', { role: 'status' });
    if (this.error) return root.append(h('div.error.block', { role: 'alert' }, tx('span', 'duty.error'), ' ', v('code', this.error.message)));
    const d = this.data;
    if (!d) return root.append(tx('p.empty', 'app.loading'));
    root.append(
      tx('p.note', 'roster.timeZone', { tz: d.node.timeZone }),
      tx('h4', 'roster.shifts'),
      d.shifts.length ? h('ul.roster-list.shifts', [...d.shifts].sort((a, b) => a.start.localeCompare(b.start)).map((s) => this.item(
        [v('strong', s.name ?? `#${s.staffId}`), ' ', h('span', daysText(s.weekdays)), ' ', v('span', `${s.start}–${s.end}`), s.end <= s.start ? tx('span.muted', 'roster.overnight') : null, cannotAct(s)],
        `/roster/shifts/${s.id}`))) : tx('p.empty', 'roster.noShifts'),
      this.canEdit ? this.shiftForm() : null,
      tx('h4', 'roster.overrides'),
      d.overrides.length ? h('ul.roster-list.overrides', d.overrides.map((o) => this.item(
        [tx(o.onDuty ? 'span.flag.ok' : 'span.flag.warn', o.onDuty ? 'roster.cover' : 'roster.leave'), ' ', v('strong', o.name ?? `#${o.staffId}`), ' ', v('span', `${dateTime(o.startsAt, d.node.timeZone)} – ${dateTime(o.endsAt, d.node.timeZone)}`), cannotAct(o)],
        `/roster/overrides/${o.id}`))) : tx('p.empty', 'roster.noOverrides'),
      this.canEdit ? this.overrideForm() : null,
      this.canEdit ? this.escalateForm(d.node) : h('p.note', tx('span', 'duty.escalate', { t: `${d.node.escalateAfterS} s` }), ' · ', tx('span', 'roster.readOnly')),
      this.msgEl);
    this.renderMessage();
  }

  /** A shift or change, with a delete that needs a second tap within 5 s. */
  item(content, path) {
    if (!this.canEdit) return h('li', content);
    return h('li', content, ' ', twoTapButton('button.small.roster-delete', 'roster.delete', 'roster.confirmDelete', () => this.send('DELETE', path)));
  }

  /** Staff in scope, and anyone already on this roster (a leader may have put someone from elsewhere on it). */
  staffSelect(name) {
    const people = new Map(this.staff().map((s) => [s.id, s.name]));
    for (const x of [...(this.data?.shifts ?? []), ...(this.data?.overrides ?? [])]) if (!people.has(x.staffId)) people.set(x.staffId, x.name ?? `#${x.staffId}`);
    return h('select', { name, required: true },
      h('option', { value: '' }, t('roster.pickStaff')),
      [...people].map(([id, label]) => h('option', { value: String(id) }, label)));
  }

  shiftForm() {
    const days = [1, 2, 3, 4, 5, 6, 7].map((d) => h('label.day', h('input', { type: 'checkbox', name: 'day', value: String(d) }), tx('span', `weekday.${d}`)));
    const form = h('form.roster-form.shift-form',
      field('roster.staff', this.staffSelect('staffId')),
      h('fieldset.days', tx('legend', 'roster.days'), days),
      field('roster.start', h('input', { type: 'time', name: 'start', required: true })),
      field('roster.end', h('input', { type: 'time', name: 'end', required: true })),
      tx('button.big.primary', 'roster.addShift', null, { type: 'submit' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const staffId = Number(f.get('staffId')), weekdays = f.getAll('day').map(Number);
      const start = String(f.get('start') ?? ''), end = String(f.get('end') ?? '');
      if (!staffId) return this.say(false, 'roster.pickStaff');
      if (!weekdays.length) return this.say(false, 'roster.pickDays');
      if (!start || !end) return this.say(false, 'roster.pickTimes');
      this.send('POST', '/roster/shifts', { staffId, weekdays, start, end: end === '00:00' ? '24:00' : end });
    });
    return form;
  }

  overrideForm() {
    const now = Date.now();
    const tz = this.data.node.timeZone;
    const form = h('form.roster-form.override-form',
      field('roster.staff', this.staffSelect('staffId')),
      field('roster.kind', h('select', { name: 'kind' }, h('option', { value: 'cover' }, t('roster.cover')), h('option', { value: 'leave' }, t('roster.leave')))),
      field('roster.from', h('input', { type: 'datetime-local', name: 'from', required: true, value: toLocalInput(now, tz) })),
      field('roster.to', h('input', { type: 'datetime-local', name: 'to', required: true, value: toLocalInput(now + 8 * 3_600_000, tz) })),
      tx('button.big.primary', 'roster.addOverride', null, { type: 'submit' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const staffId = Number(f.get('staffId'));
      const startsAt = fromLocalInput(String(f.get('from')), tz), endsAt = fromLocalInput(String(f.get('to')), tz);
      if (!staffId) return this.say(false, 'roster.pickStaff');
      if (startsAt === null || endsAt === null) return this.say(false, 'roster.pickTimes');
      this.send('POST', '/roster/overrides', { staffId, startsAt, endsAt, onDuty: f.get('kind') === 'cover' });
    });
    return form;
  }

  escalateForm(node) {
    const input = h('input', { type: 'number', name: 'escalateAfterS', min: '5', max: '3600', step: '1', required: true, value: String(node.escalateAfterS) });
    const form = h('form.roster-form.escalate-form',
      field('roster.escalateAfter', input),
      tx('span.muted', 'roster.escalateDefault', { n: node.escalateDefaultS }),
      tx('button.small', 'roster.save', null, { type: 'submit' }),
      node.escalateOwn ? tx('button.small', 'roster.useDefault', null, { type: 'button', onclick: () => this.send('PATCH', '', { escalateAfterS: null }) }) : null);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.send('PATCH', '', { escalateAfterS: Number(input.value) });
    });
    return form;
  }
}

/** A shift or cover the hub does not count: the person is disabled, or their area does not contain this node. */
function cannotAct(x) {
  return x.cannotAct ? [' ', tx('span.flag.bad.roster-cannot-act', 'roster.cannotAct')] : null;
}
