/**
 * Finding one account among a street office's hundreds (the staff list, js/staff-admin.js): words
 * typed in the search box, each of which must be in the name, login name, phone or area, and the
 * accounts still on a first password someone else set. Pure, so Node tests it (console-logic).
 */

/** How many rows the list draws at most: a phone stays quick, and a search finds the rest. */
export const STAFF_ROWS_SHOWN = 100;

const digits = (s) => s.replace(/[^0-9]/g, '');

/** True when every word of `query` is in the account's name, login name, area or phone (spaces and dashes in a phone do not count). */
export function staffMatches(s, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const text = [s.displayName, s.username, s.scopeName ?? '', s.phone ?? ''].join('\n').toLowerCase();
  const phone = digits(s.phone ?? '');
  return words.every((w) => text.includes(w) || (/^[0-9-]+$/.test(w) && digits(w).length >= 3 && phone.includes(digits(w))));
}

/**
 * The rows to draw: those matching, the one being edited kept even when the search has moved on
 * (its half-filled form is not lost), at most `most`. `matched` counts every match, for "N more".
 */
export function pickStaff(list, { query = '', pendingOnly = false, keepId = null } = {}, most = STAFF_ROWS_SHOWN) {
  const hits = list.filter((s) => (!pendingOnly || (s.mustChangePassword && !s.disabled)) && staffMatches(s, query));
  const shown = hits.slice(0, most);
  const kept = keepId === null || shown.some((s) => s.id === keepId) ? null : list.find((s) => s.id === keepId);
  return { shown: kept ? [kept, ...shown] : shown, matched: hits.length, total: list.length };
}
