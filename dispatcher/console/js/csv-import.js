/**
 * A spreadsheet import panel (households, staff accounts): pick the CSV a spreadsheet saved, send
 * it, and see either how many rows were added or every row the hub refused with its line, so the
 * sheet is fixed once (the hub imports nothing while any row is wrong). A template with the
 * columns and an example row is offered for download. `extra` adds what the hub answered once
 * (button secrets, first passwords) as a download beside the result. `confirm`: a sheet that would
 * change records that exist is answered with the list of changes first (409), shown with a
 * button that sends the same file again with the changes allowed.
 */
import { h, tx, v, clear } from './dom.js';
import { postText } from './api.js';
import { field, showStatus } from './form-bits.js';

/** A CSV file of rows; a cell a spreadsheet would run as a formula (=, +, -, @) gets the apostrophe that marks it as text. */
export function csvText(head, rows) {
  const cell = (x) => (/^[=+\-@]/.test(String(x)) ? `'${x}` : String(x));
  return '\uFEFF' + [head, ...rows].map((r) => r.map(cell).join(',') + '\r\n').join('');
}

/** A link that saves `text` as `filename`. */
export function csvLink(text, filename, id, key) {
  return h('a.small-link', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: filename, id }, tx('span', key));
}

/**
 * @param {{ id: string, path: string, template: string, templateName: string, keys: { heading: string, hint: string, done: string },
 *   onImported: () => void, extra?: (answer: object) => Node | null, doneVars?: (answer: object) => object,
 *   confirm?: { path: string, key: string, button: string, describe: (change: object) => Node } }} o
 */
export function csvImportPanel(o) {
  const status = h('p.roster-msg', { role: 'status', id: `${o.id}-import-msg` });
  const problems = h('div.hh-import-rows', { id: `${o.id}-import-rows` });
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', id: `${o.id}-import-file` });
  const form = h(`form.roster-form.hh-import.${o.id}-import`, { id: `${o.id}-import`, novalidate: true },
    tx('h3', o.keys.heading), tx('p.note', o.keys.hint),
    field('imp.file', file), tx('button.small', 'imp.send', null, { type: 'submit', id: `${o.id}-import-send` }),
    csvLink(o.template, o.templateName, `${o.id}-template`, 'imp.template'), status, problems);
  /** Sends the sheet; a 409 listing changes to what exists (o.confirm) offers to send it again, changes allowed. */
  const send = async (path, text) => {
    clear(problems);
    showStatus(status, { ok: true, key: 'imp.sending' });
    try {
      const r = await postText(path, text, 'text/csv');
      showStatus(status, { ok: true, key: o.keys.done, vars: o.doneVars?.(r) ?? { n: r.created } });
      const more = o.extra?.(r);
      if (more) problems.append(more);
      form.reset();
      o.onImported();
    } catch (err) {
      const changes = o.confirm && err.status === 409 ? err.details?.changes ?? [] : [];
      if (changes.length) {
        showStatus(status, { ok: false, key: o.confirm.key, vars: { n: err.details.changing, k: err.details.creating } });
        const go = tx('button.small.confirm-changes', o.confirm.button, null, { type: 'button', id: `${o.id}-import-confirm` });
        go.addEventListener('click', () => send(o.confirm.path, text));
        problems.append(h('ul', changes.map((c) => h('li', tx('span.lbl', 'imp.line', { n: c.line }), o.confirm.describe(c)))), go);
        return;
      }
      showStatus(status, { ok: false, key: 'roster.failed', detail: err.message });
      const rows = err.details?.rows ?? [];
      if (rows.length) problems.append(h('ul', rows.map((x) => h('li', tx('span.lbl', 'imp.line', { n: x.line }), v('span', x.message)))));
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(problems);
    const f = file.files?.[0];
    if (!f) return showStatus(status, { ok: false, key: 'imp.pickFile' });
    await send(o.path, await f.text());
  });
  return form;
}
