/**
 * The session (token and user, kept in localStorage so a reload keeps you logged in) and a
 * fetch wrapper that adds the token and turns error bodies into ApiError with the hub's code.
 */
import { t } from './i18n.js';

const KEY = 'anxin.session';

export class ApiError extends Error {
  constructor(status, code, message, holder, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.holder = holder ?? null;
    /** The hub's whole error object (an import's rows, say). */
    this.details = details ?? {};
  }
}

export const session = {
  load() {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) ?? 'null');
      return s && typeof s.token === 'string' && s.user ? s : null;
    } catch {
      return null;
    }
  },
  save(s) { localStorage.setItem(KEY, JSON.stringify(s)); },
  clear() { localStorage.removeItem(KEY); },
};

const authLostListeners = new Set();
export const onAuthLost = (fn) => authLostListeners.add(fn);

/** The hub's answer if it is a success; otherwise an ApiError with the hub's code (a 401 tells the auth-lost listeners). */
async function request(method, path, body, accept, contentType) {
  const s = session.load();
  const headers = {};
  if (s) headers.authorization = `Bearer ${s.token}`;
  if (accept) headers.accept = accept;
  if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : contentType ? body : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'E_NETWORK', String(err?.message ?? err));
  }
  if (res.ok) return res;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  const e = data?.error ?? {};
  // Held until the holder sets their own password: said in the console's language, since every form shows it.
  const message = e.code === 'E_PASSWORD_CHANGE' ? t('me.setOwnFirst') : e.message ?? text.slice(0, 200);
  const err = new ApiError(res.status, e.code ?? `HTTP_${res.status}`, message, e.holder, e);
  if (res.status === 401 && s && !path.startsWith('/api/session')) for (const fn of authLostListeners) fn();
  throw err;
}

async function jsonOf(res) {
  const text = await res.text();
  try { return text ? JSON.parse(text) : null; } catch { return null; }
}

export async function api(method, path, body) {
  return jsonOf(await request(method, path, body));
}

/** POSTs `text` as it is, as `contentType` (a spreadsheet's CSV); answers and fails as api() does. */
export async function postText(path, text, contentType) {
  return jsonOf(await request('POST', path, text, undefined, contentType));
}

/**
 * Saves GET `path` as CSV under `filename`. Asked with the session's token, which a plain link cannot
 * send, then handed to the browser through a temporary link. Fails as api() does.
 */
export async function downloadCsv(path, filename) {
  const blob = await (await request('GET', path, undefined, 'text/csv')).blob();
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function login(username, password) {
  const r = await api('POST', '/api/session', { username, password });
  session.save({ token: r.token, user: r.user, expiresAt: r.expiresAt });
  return r;
}

export async function logout() {
  try { await api('DELETE', '/api/session'); } catch { /* already gone */ }
  session.clear();
}
