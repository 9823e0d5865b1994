/**
 * A tiny DOM builder. h('div.card', {onclick}, child, ...) makes elements; strings become
 * text nodes (never HTML), so data from the server cannot inject markup.
 * tx(tag, key, vars) makes an element whose text is a translated label, marked data-i18n.
 * v(tag, value) makes an element that holds data (an address, a name), marked data-v.
 */
import { t } from './i18n.js';

export function h(spec, attrs, ...children) {
  const [tagAndId, ...classes] = spec.split('.');
  const [tag, id] = tagAndId.split('#');
  const el = document.createElement(tag || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, val] of Object.entries(attrs ?? {})) {
    if (val === undefined || val === null || val === false) continue;
    if (k.startsWith('on') && typeof val === 'function') el.addEventListener(k.slice(2), val);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + val;
    else if (k === 'dataset') Object.assign(el.dataset, val);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') el[k] = val;
    else el.setAttribute(k, val === true ? '' : String(val));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** A translated label. */
export function tx(spec, key, vars, attrs) {
  const el = h(spec, attrs ?? null, t(key, vars));
  el.dataset.i18n = key;
  return el;
}

/** A data value from the server, shown as is (not translated). */
export function v(spec, value, attrs) {
  const el = h(spec, attrs ?? null, value === null || value === undefined || value === '' ? '—' : String(value));
  el.dataset.v = '';
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}
