/**
 * The households an admin's search finds: the RF view's household picker asks for the first few that
 * match what was typed, instead of every household of a street office (10,000 with their residents
 * and contacts, 2.7 MB) every 5 s. Pure: runs in the report worker (read-jobs.ts).
 */
import type { Household } from '../store/household-repo.ts';

/**
 * `search`: a household id, or text in the address, a resident's or contact's name or phone (any case).
 * `limit`: null for every match. `incomplete`: only households whose record lacks what a call needs.
 */
export interface HouseholdSearch { search: string; limit: number | null; incomplete?: boolean }

/**
 * What a household's record lacks that the duty staff need on a call at night: someone to phone
 * (an emergency contact with a number), how to get in, a resident's age. Checked when supervisors
 * complete the records after an import.
 */
export type Missing = 'contact' | 'access' | 'age';
export function missingOf(h: Household): Missing[] {
  const out: Missing[] = [];
  if (!h.contacts.some((c) => c.phone.trim())) out.push('contact');
  if (!h.accessNote.trim()) out.push('access');
  if (h.residents.some((r) => r.age === null)) out.push('age');
  return out;
}
export const EVERY_HOUSEHOLD: HouseholdSearch = { search: '', limit: null };

/**
 * The id itself, or a room number, a name or a phone number anywhere in the record: a relative on
 * the phone gives their own number or name as often as the address.
 */
export function householdMatches(h: Household, needle: string): boolean {
  if (needle === '' || String(h.id) === needle) return true;
  const people = [...h.residents, ...h.contacts].map((p) => `${p.name} ${p.phone}`).join(' ');
  return `${h.address} ${people}`.toLowerCase().includes(needle);
}

/**
 * The matching households by id, the one whose number was typed first (so `?q=7&limit=1` is household
 * 7, not the first address with a 7 in it), cut to `limit`, and how many matched in all.
 */
export function searchHouseholds(all: readonly Household[], q: HouseholdSearch): { households: (Household & { missing: Missing[] })[]; matched: number } {
  const needle = q.search.trim().toLowerCase();
  const found = all.filter((h) => householdMatches(h, needle)).map((h) => ({ ...h, missing: missingOf(h) })).filter((h) => !q.incomplete || h.missing.length > 0);
  const exact = found.findIndex((h) => String(h.id) === needle);
  if (exact > 0) found.unshift(...found.splice(exact, 1));
  return { households: q.limit === null ? found : found.slice(0, q.limit), matched: found.length };
}
