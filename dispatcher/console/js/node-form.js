/**
 * Adding a grid node (POST /api/grid, admins): under a node of the duty board, or the top node of
 * a new hub. The level is one below the parent's (a grid under a community); the hub refuses a
 * name a sibling already has, and the form shows its reason.
 */
import { h, tx } from './dom.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { field, showStatus } from './form-bits.js';

/** As dispatcher/domain/grid.ts LEVEL_ORDER: from the top down. */
export const LEVELS = ['city', 'district', 'street', 'community', 'grid', 'building', 'floor', 'unit'];

/** The levels a node under `parentLevel` may have (all of them for a top node), nearest first. Pure; exported for tests. */
export function levelsBelow(parentLevel) {
  return parentLevel === null ? LEVELS : LEVELS.slice(LEVELS.indexOf(parentLevel) + 1);
}

/** @param {{ parent: {id:number, level:string}|null, onDone: () => void }} opts */
export function nodeForm({ parent, onDone }) {
  const status = h('p.roster-msg', { role: 'status' });
  const form = h('form.roster-form.node-form', { novalidate: true },
    field('node.name', h('input', { name: 'name', maxlength: '64' })),
    field('node.level', h('select', { name: 'level' }, levelsBelow(parent?.level ?? null).map((l) => h('option', { value: l }, t(`level.${l}`))))),
    tx('button.small', 'node.add', null, { type: 'submit' }), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const name = String(f.get('name')).trim();
    if (!name) return showStatus(status, { ok: false, key: 'node.needName' });
    try {
      await api('POST', '/api/grid', { parentId: parent?.id ?? null, name, level: String(f.get('level')) });
      onDone();
    } catch (err) {
      showStatus(status, { ok: false, key: 'roster.failed', detail: err.message });
    }
  });
  return form;
}
