/**
 * Shaping the grid tree from the duty board. Adding a node (POST /api/grid, admins): under a node
 * of the board, or the top node of a new hub; the level is one below the parent's (a grid under a
 * community). Editing one: a new name (PATCH, leaders and admins) and, for admins, moving a node set
 * up under the wrong parent (POST …/move) or removing one set up by mistake (DELETE, two taps). The
 * hub refuses a name a sibling already has, a move or removal once calls were raised there, and a
 * removal while anything depends on the node; the form shows its reason in the hub's words.
 */
import { h, tx } from './dom.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { field, showStatus, twoTapButton } from './form-bits.js';

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

/**
 * Where `node` may move (pure; exported for tests): the nodes of a level above its own, neither its
 * parent now nor inside its own subtree (found through parentId), in the order given.
 * @param {{id:number, parentId:number|null, level:string}[]} nodes
 */
export function moveTargets(nodes, node) {
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  const inside = (id) => { for (let x = id; x != null; x = parentOf.get(x)) if (x === node.id) return true; return false; };
  const rank = LEVELS.indexOf(node.level);
  return nodes.filter((n) => LEVELS.indexOf(n.level) < rank && n.id !== node.parentId && !inside(n.id));
}

/** @param {{ node: {id:number, parentId:number|null, name:string, level:string}, canRemove: boolean, nodes?: object[], onDone: () => void }} opts */
export function nodeEditForm({ node, canRemove, nodes = [], onDone }) {
  const status = h('p.roster-msg', { role: 'status' });
  const send = async (method, body, path = `/api/grid/${node.id}`) => {
    try {
      await api(method, path, body);
      onDone();
    } catch (err) {
      showStatus(status, { ok: false, key: 'roster.failed', detail: err.message });
    }
  };
  const form = h('form.roster-form.node-edit', { novalidate: true },
    field('node.name', h('input', { name: 'name', maxlength: '64', value: node.name })),
    tx('button.small', 'node.rename', null, { type: 'submit' }),
    canRemove ? twoTapButton('button.small.roster-delete.node-remove', 'node.remove', 'node.removeConfirm', () => send('DELETE')) : null,
    canRemove ? moveControls(moveTargets(nodes, node), (parentId) => send('POST', { parentId }, `/api/grid/${node.id}/move`)) : null,
    status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = String(new FormData(form).get('name')).trim();
    if (!name) return showStatus(status, { ok: false, key: 'node.needName' });
    if (name === node.name) return onDone();
    return send('PATCH', { name });
  });
  return form;
}

/** A select of the nodes it may go under and a button; nothing when there is nowhere to go. */
function moveControls(targets, move) {
  if (!targets.length) return null;
  const select = h('select', { name: 'parentId' }, targets.map((n) => h('option', { value: String(n.id) }, `${n.name} (${t(`level.${n.level}`)})`)));
  return h('span.node-move', field('node.moveUnder', select),
    tx('button.small', 'node.move', null, { type: 'button', onclick: () => move(Number(select.value)) }));
}
