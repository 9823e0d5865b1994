/**
 * Households from a spreadsheet, on the households page for grid leaders and admins
 * (POST /api/households/import): pick the CSV a spreadsheet saved, import it, and see either how
 * many households were added or every row the hub refused with its line, so the sheet is fixed
 * once. Nothing is imported while any row is wrong. A template with the columns and one example
 * row is offered for download. An administrator's sheet may name each household's call button
 * (按钮编号): the hub registers it with a secret of its own, answered once, and the page offers the
 * secrets as a CSV for the installer to set into the buttons.
 */
import { h, tx, v, clear } from './dom.js';
import { postText } from './api.js';
import { field, showStatus } from './form-bits.js';

/** The columns the hub reads and its CSV export writes (domain/household-import.ts, reports/household-csv.ts), and one example row. */
export const TEMPLATE = '\uFEFF网格,地址,进门方式,老人姓名,年龄,老人电话,健康情况,老人2姓名,年龄2,老人2电话,健康情况2,联系人,关系,联系人电话,联系人2,关系2,联系人2电话,按钮编号\r\n'
  + '商城花园社区/第一网格,郑州市管城区商城花园1号楼1单元101室,钥匙在门卫室,张桂英,82,13900000000,高血压，药在床头,,,,,张伟,儿子,13700000000,,,,\r\n';

/**
 * The buttons an import registered and their secrets, for the installer. A secret may begin with "-",
 * which a spreadsheet would run as a formula: such a cell gets the apostrophe that marks it as text.
 */
export function secretsCsv(devices) {
  const cell = (x) => (/^[=+\-@]/.test(String(x)) ? `'${x}` : String(x));
  return '\uFEFF按钮编号,密钥,住户编号,表格行\r\n' + devices.map((d) => [d.id, d.secret, d.householdId, d.line].map(cell).join(',') + '\r\n').join('');
}

export function importPanel({ onImported }) {
  const status = h('p.roster-msg', { role: 'status', id: 'hh-import-msg' });
  const problems = h('div.hh-import-rows', { id: 'hh-import-rows' });
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', id: 'hh-import-file' });
  const template = h('a.small-link', { href: URL.createObjectURL(new Blob([TEMPLATE], { type: 'text/csv' })), download: 'households-template.csv', id: 'hh-template' }, tx('span', 'imp.template'));
  const form = h('form.roster-form.hh-import', { id: 'hh-import', novalidate: true },
    tx('h3', 'imp.heading'), tx('p.note', 'imp.hint'),
    field('imp.file', file), tx('button.small', 'imp.send', null, { type: 'submit', id: 'hh-import-send' }), template, status, problems);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(problems);
    const f = file.files?.[0];
    if (!f) return showStatus(status, { ok: false, key: 'imp.pickFile' });
    showStatus(status, { ok: true, key: 'imp.sending' });
    try {
      const r = await postText('/api/households/import', await f.text(), 'text/csv');
      showStatus(status, { ok: true, key: 'imp.done', vars: { n: r.created } });
      if (r.devices?.length) {
        const href = URL.createObjectURL(new Blob([secretsCsv(r.devices)], { type: 'text/csv' }));
        problems.append(h('p.hh-devices', { id: 'hh-import-devices' }, tx('span', 'imp.devices', { n: r.devices.length }), ' ',
          h('a.small-link', { href, download: 'button-secrets.csv', id: 'hh-secrets' }, tx('span', 'imp.secretsCsv'))));
      }
      form.reset();
      onImported();
    } catch (err) {
      showStatus(status, { ok: false, key: 'roster.failed', detail: err.message });
      const rows = err.details?.rows ?? [];
      if (rows.length) problems.append(h('ul', rows.map((x) => h('li', tx('span.lbl', 'imp.line', { n: x.line }), v('span', x.message)))));
    }
  });
  return form;
}
