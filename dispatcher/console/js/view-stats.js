/**
 * Response statistics for a chosen period and grid: GET /api/reports/response-times, drawn as
 * SVG bar charts (rates; median and 90th-percentile times) with the per-grid and per-staff
 * figures below. A failing endpoint shows a clear error instead of empty charts.
 */
import { h, tx, v, clear } from './dom.js';
import { api, downloadCsv } from './api.js';
import { t } from './i18n.js';
import { duration, percent, dateTime } from './format.js';
import { shareBars, pairBars, fitted } from './charts.js';
import { AuditPanel } from './audit-view.js';

const DAY = 86_400_000;
const lab = (key) => ({ text: t(key), i18n: key });

export function periodRange(period, now, custom) {
  if (period === 'today') {
    const d = new Date(now);
    d.setHours(0, 0, 0, 0);
    return { from: d.getTime(), to: now };
  }
  if (period === '30d') return { from: now - 30 * DAY, to: now };
  if (period === 'custom' && custom?.from && custom?.to) {
    const from = new Date(`${custom.from}T00:00:00`).getTime();
    const to = new Date(`${custom.to}T00:00:00`).getTime() + DAY;
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { from, to: Math.min(to, now) };
  }
  return { from: now - 7 * DAY, to: now };
}

export class StatsView {
  constructor(app) {
    this.app = app;
    this.period = '7d';
    this.custom = { from: '', to: '' };
    this.grid = '';
    this.nodes = [];
    this.report = null;
    this.error = null;
    this.loading = false;
    this.root = h('section.stats');
    // Admins read the audit log below the figures (audit-view.js).
    this.audit = app.user?.role === 'admin' ? new AuditPanel() : null;
  }

  mount(container) {
    container.append(this.root);
    this.render();
    this.audit?.load();
    api('GET', '/api/grid').then((r) => { this.nodes = r.nodes ?? []; this.render(); }).catch(() => {});
    this.load();
  }

  relabel() {
    this.audit?.render();
    this.render();
  }

  /** The report's query: the chosen period and grid. */
  query() {
    const { from, to } = periodRange(this.period, this.app.now(), this.custom);
    const q = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.floor(to)) });
    if (this.grid) q.set('grid', this.grid);
    return q;
  }

  /** The same report as CSV (totals, per grid, per staff member), for a spreadsheet. */
  async download() {
    this.csvError = null;
    try {
      await downloadCsv(`/api/reports/response-times?${this.query()}`, 'response-times.csv');
    } catch (err) {
      this.csvError = err; // said under the controls; the report on screen stays
    }
    this.render();
  }

  async load() {
    const q = this.query();
    this.loading = true;
    this.render();
    try {
      this.report = await api('GET', `/api/reports/response-times?${q}`);
      if (!this.report?.totals) throw new Error('unexpected response');
      this.error = null;
    } catch (err) {
      this.report = null;
      this.error = err;
    }
    this.loading = false;
    this.render();
  }

  controls() {
    const depth = (n) => String(n.path).split('/').filter(Boolean).length;
    const minDepth = Math.min(...this.nodes.map(depth), 99);
    const periodSel = h('select', { 'aria-label': t('stats.period'), onchange: (e) => { this.period = e.target.value; this.render(); if (this.period !== 'custom') this.load(); } },
      ['today', '7d', '30d', 'custom'].map((p) => tx('option', `stats.${p}`, null, { value: p, selected: this.period === p })));
    const gridSel = h('select', { 'aria-label': t('stats.grid'), onchange: (e) => { this.grid = e.target.value; this.load(); } },
      tx('option', 'stats.allGrids', null, { value: '', selected: this.grid === '' }),
      this.nodes.map((n) => v('option', `${'\u00a0\u00a0'.repeat(Math.max(0, depth(n) - minDepth))}${n.name}`, { value: String(n.id), selected: this.grid === String(n.id) })));
    const form = h('form.stats-controls', { onsubmit: (e) => { e.preventDefault(); this.load(); } },
      h('label', tx('span.lbl', 'stats.period'), periodSel),
      this.period === 'custom' ? h('label', tx('span.lbl', 'stats.from'), h('input', { type: 'date', value: this.custom.from, onchange: (e) => { this.custom.from = e.target.value; } })) : null,
      this.period === 'custom' ? h('label', tx('span.lbl', 'stats.to'), h('input', { type: 'date', value: this.custom.to, onchange: (e) => { this.custom.to = e.target.value; } })) : null,
      h('label', tx('span.lbl', 'stats.grid'), gridSel),
      tx('button.small.primary', 'stats.show', null, { type: 'submit' }),
      tx('button.small', 'stats.csv', null, { type: 'button', id: 'stats-csv', onclick: () => this.download() }));
    return form;
  }

  render() {
    const root = clear(this.root);
    this.renderReport(root);
    if (this.audit) root.append(this.audit.root);
  }

  renderReport(root) {
    root.append(h('div.section-head', tx('h2', 'stats.heading')), this.controls());
    if (this.csvError) root.append(h('div.error.block', { role: 'alert', id: 'stats-csv-error' }, tx('strong', 'stats.csvError'), ' ', v('code', `${this.csvError.status ?? ''} ${this.csvError.message}`)));
    if (this.loading && !this.report) root.append(tx('p.empty', 'app.loading'));
    if (this.error) {
      return root.append(h('div.error.block', { role: 'alert', id: 'stats-error' }, tx('strong', 'stats.error'), ' ', v('code', `${this.error.status ?? ''} ${this.error.message}`)));
    }
    const r = this.report;
    if (!r) return;
    const tot = r.totals;
    root.append(h('p.range', v('span', dateTime(r.from)), ' – ', v('span', dateTime(r.to))));
    root.append(h('div.tiles',
      h('div.tile', v('strong', String(tot.raised)), tx('span', 'stats.raised')),
      h('div.tile', v('strong', String(tot.resolved)), tx('span', 'stats.resolvedN')),
      h('div.tile', { class: tot.handlingRate !== null && tot.handlingRate < 0.9 ? 'warn' : '' }, v('strong', percent(tot.handlingRate)), tx('span', 'stats.handlingRate'))));
    if (!tot.raised) root.append(tx('p.note', 'stats.noData'));
    root.append(h('div.charts',
      h('figure.chart-box', tx('figcaption', 'stats.rates'), ratesChart(tot)),
      h('figure.chart-box', tx('figcaption', 'stats.times'), timesChart(tot))));
    if ((r.byGrid ?? []).length) {
      root.append(h('figure.chart-box.wide', tx('figcaption', 'stats.byGrid'),
        fitted((width) => shareBars(r.byGrid.map((g) => ({ label: { text: g.gridName }, value: g.handlingRate, text: `${percent(g.handlingRate)} (${g.resolved}/${g.raised})` })), { goodAt: 0.9, width, valueW: 130 })),
        table(['stats.name', 'stats.raised', 'stats.handlingRate', 'stats.acc60', 'stats.acc180', 'stats.acceptMedian'],
          r.byGrid.map((g) => [v('span', g.gridName), g.raised, percent(g.handlingRate), percent(g.acceptedWithin60s), percent(g.acceptedWithin180s), duration(g.accept?.median)]))));
    }
    if ((r.byStaff ?? []).length) {
      root.append(h('figure.chart-box.wide', tx('figcaption', 'stats.byStaff'),
        table(['stats.name', 'stats.raised', 'stats.acc60', 'stats.acceptMedian'],
          r.byStaff.map((s) => [v('span', s.name), s.raised, percent(s.acceptedWithin60s), duration(s.accept?.median)]))));
    }
    // Is 3 a.m. answered as fast as 3 p.m.? Accepted within 60 s by the hour the call came in, hours without calls left out.
    const hours = (r.byHour ?? []).filter((x) => x.raised > 0);
    if (hours.length) {
      const hh = (n) => `${String(n).padStart(2, '0')}:00`;
      root.append(h('figure.chart-box.wide', { id: 'stats-by-hour' }, h('figcaption', tx('span', 'stats.byHour'), ' ', v('span.muted', r.timeZone)),
        fitted((width) => shareBars(hours.map((x) => ({ label: { text: hh(x.hour) }, value: x.acceptedWithin60s,
          text: `${percent(x.acceptedWithin60s)} · ${duration(x.accept?.median)} (${x.raised})` })), { goodAt: 0.9, width, valueW: 170 })),
        tx('p.note', 'stats.byHourNote')));
    }
    const slow = r.slowAccepts ?? [];
    root.append(h('figure.chart-box.wide', tx('figcaption', 'stats.slow'),
      slow.length ? table(['stats.when', 'stats.name', 'stats.waited'],
        slow.slice(0, 20).map((x) => [dateTime(x.raisedAt), v('span', `${x.gridName ?? ''} ${x.address ?? ''}`.trim()), duration(x.acceptSeconds)])) : tx('p.empty', 'stats.none')));
  }
}

function ratesChart(tot) {
  const row = (key, val) => ({ label: lab(key), value: val, text: percent(val) });
  return fitted((width) => h('div',
    shareBars([row('stats.handlingRate', tot.handlingRate), row('stats.acc60', tot.acceptedWithin60s), row('stats.acc180', tot.acceptedWithin180s)], { goodAt: 0.9, width }),
    shareBars([row('stats.falseAlarm', tot.falseAlarmRate)], { goodAt: 0.2, invert: true, width })));
}

function timesChart(tot) {
  const g = (key, x) => ({ label: lab(key), a: x?.median ?? null, b: x?.p90 ?? null, aText: duration(x?.median), bText: duration(x?.p90) });
  return fitted((width) => pairBars([g('stats.accept', tot.accept), g('stats.arrive', tot.arrive), g('stats.resolve', tot.resolve)], [lab('stats.median'), lab('stats.p90')], { width }));
}

/** A small table: header keys are translated; cells are data elements (v) or formatted numbers. */
function table(headKeys, rows) {
  return h('div.table-wrap', h('table',
    h('thead', h('tr', headKeys.map((k) => tx('th', k)))),
    h('tbody', rows.map((cells) => h('tr', cells.map((c) => h('td', c instanceof Node ? c : String(c))))))));
}
