/**
 * Language: 简体中文 by default, English by choice (kept in localStorage). Every string
 * lives in strings.js as [zh, en]; t(key, vars) fills {name} placeholders.
 */
import { STRINGS } from './strings.js';

export const LANGS = ['zh', 'en'];
const KEY = 'anxin.lang';
const listeners = new Set();
let lang = readStored();

function readStored() {
  try {
    const s = globalThis.localStorage?.getItem(KEY);
    return LANGS.includes(s) ? s : 'zh';
  } catch {
    return 'zh';
  }
}

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!LANGS.includes(next) || next === lang) return;
  lang = next;
  try { globalThis.localStorage?.setItem(KEY, next); } catch { /* private mode */ }
  for (const fn of listeners) fn(lang);
}

export function onLang(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The translation of `key`; a missing key shows itself (never a mixed-language guess). */
export function t(key, vars) {
  const entry = STRINGS[key];
  let s = entry ? entry[lang === 'en' ? 1 : 0] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** True when a translation exists (for codes from the server such as reasons). */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(STRINGS, key);
}

export const locale = () => (lang === 'en' ? 'en-GB' : 'zh-CN');
