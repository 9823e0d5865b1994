/**
 * Staff accounts from a spreadsheet, under the staff list for grid leaders and admins
 * (POST /api/staff/import): one account per row with its grid and, if given, its weekly shift
 * there. The hub makes each account's first password and answers them this once: the page offers
 * them as a CSV for the slips. Each holder must set their own before changing anything.
 */
import { h, tx, v } from './dom.js';
import { t } from './i18n.js';
import { csvImportPanel, csvLink, csvText } from './csv-import.js';

/** The columns the hub reads (domain/staff-import.ts): a day worker, and a night worker who also works weekend days (a second row). */
export const STAFF_TEMPLATE = '\uFEFF账号,姓名,角色,网格,电话,值班日,开始,结束,值班网格\r\n'
  + 'wang.wei,王伟,网格员,商城花园社区/第一网格,13900000001,1-5,08:00,20:00,\r\n'
  + 'li.na2,李娜,网格员,商城花园社区/第一网格,13900000002,1-5,20:00,08:00,\r\n'
  + 'li.na2,,,,,6-7,08:00,20:00,\r\n';

export function passwordsCsv(accounts) {
  return csvText(['账号', '姓名', '初始密码', '表格行'], accounts.map((a) => [a.username, a.displayName, a.password, a.line]));
}

/** One account the sheet would change: its username and what changes (the hub's field names, in the page's language). */
export function describeChange(c) {
  const what = c.fields.map((f) => (f === 'shifts' ? t('simp.shiftsChange', { a: c.shiftsAdded, r: c.shiftsRemoved }) : t(FIELD_KEYS[f] ?? f)));
  return h('span', v('b', c.username), ' ', v('span', what.join(t('simp.fieldSep'))));
}
const FIELD_KEYS = { display_name: 'simp.fName', role: 'simp.fRole', grid: 'simp.fGrid', phone: 'simp.fPhone' };

export function staffImportPanel({ onImported }) {
  return csvImportPanel({
    id: 'staff', path: '/api/staff/import', template: STAFF_TEMPLATE, templateName: 'staff-template.csv',
    keys: { heading: 'simp.heading', hint: 'simp.hint', done: 'simp.done' }, onImported,
    doneVars: (r) => ({ n: r.created, c: r.changed ?? 0, k: r.unchanged ?? 0 }),
    confirm: { path: '/api/staff/import?changeExisting=true', key: 'simp.changes', button: 'simp.confirm', describe: describeChange },
    extra: (r) => (r.accounts?.length ? h('p.hh-devices', { id: 'staff-import-passwords' }, tx('span', 'simp.passwords'), ' ',
      csvLink(passwordsCsv(r.accounts), 'first-passwords.csv', 'staff-passwords', 'simp.passwordsCsv')) : null),
  });
}
