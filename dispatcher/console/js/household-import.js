/**
 * Households from a spreadsheet, on the households page for grid leaders and admins
 * (POST /api/households/import): pick the CSV a spreadsheet saved, import it, and see either how
 * many households were added, updated (a registered household's row that says something new) or
 * left as they were, or every row the hub refused with its line, so the sheet is fixed once. Nothing is imported while any row is wrong. A template with the columns and one example
 * row is offered for download. An administrator's sheet may name each household's call button
 * (按钮编号): the hub registers it with a secret of its own, answered once, and the page offers the
 * secrets as a CSV for the installer to set into the buttons.
 */
import { h, tx } from './dom.js';
import { csvImportPanel, csvLink, csvText } from './csv-import.js';

/** The columns the hub reads and its CSV export writes (domain/household-import.ts, reports/household-csv.ts), and one example row. */
export const TEMPLATE = '\uFEFF网格,地址,进门方式,老人姓名,年龄,老人电话,健康情况,老人2姓名,年龄2,老人2电话,健康情况2,联系人,关系,联系人电话,联系人2,关系2,联系人2电话,按钮编号\r\n'
  + '商城花园社区/第一网格,郑州市管城区商城花园1号楼1单元101室,钥匙在门卫室,张桂英,82,13900000000,高血压，药在床头,,,,,张伟,儿子,13700000000,,,,\r\n';

/** The buttons an import registered and their secrets, for the installer (a secret may begin with "-": marked as text). */
export function secretsCsv(devices) {
  return csvText(['按钮编号', '密钥', '住户编号', '表格行'], devices.map((d) => [d.id, d.secret, d.householdId, d.line]));
}

export function importPanel({ onImported }) {
  return csvImportPanel({
    id: 'hh', path: '/api/households/import', template: TEMPLATE, templateName: 'households-template.csv',
    keys: { heading: 'imp.heading', hint: 'imp.hint', done: 'imp.done' }, onImported,
    doneVars: (r) => ({ n: r.created, u: r.updated ?? 0, k: r.unchanged ?? 0 }),
    extra: (r) => (r.devices?.length ? h('p.hh-devices', { id: 'hh-import-devices' }, tx('span', 'imp.devices', { n: r.devices.length }), ' ',
      csvLink(secretsCsv(r.devices), 'button-secrets.csv', 'hh-secrets', 'imp.secretsCsv')) : null),
  });
}
