/**
 * A street office's households from a spreadsheet (CSV), checked row by row before anything is
 * written: one household per row, its resident (most often the one person living alone; a couple
 * fills the second resident's columns), up to two emergency contacts and, for an administrator,
 * the id of the call button installed there (registered with it, secret made by the hub). The export
 * (reports/household-csv.ts) writes the same columns, so a sheet goes out and comes back: a row of a
 * registered household (same grid and address) updates its record where it says something else. Headers in English or Chinese, in any order; a header it does not know is an error
 * (a typo would otherwise drop a column without a word). Every row's problems are reported with
 * its line, so a supervisor fixes the sheet once. Pure: the grid lookup and the "already
 * registered" check come in as functions.
 */
import { PHONE_RE as PHONE } from './phone.ts';
import { cellsOf, readSheetHeader } from './sheet-header.ts';
import { runToEnd } from '../time-slicer.ts';
import type { Household } from '../store/household-repo.ts';
import { DEVICE_ID_RE } from '../../gateway/protocol.ts';

export const IMPORT_COLUMNS = {
  grid: ['grid', '网格'],
  address: ['address', '地址'],
  access_note: ['access_note', '进门方式'],
  resident_name: ['resident_name', '老人姓名'],
  resident_age: ['resident_age', '年龄'],
  resident_phone: ['resident_phone', '老人电话'],
  medical_note: ['medical_note', '健康情况'],
  resident2_name: ['resident2_name', '老人2姓名'],
  resident2_age: ['resident2_age', '年龄2'],
  resident2_phone: ['resident2_phone', '老人2电话'],
  medical_note2: ['medical_note2', '健康情况2'],
  contact_name: ['contact_name', '联系人'],
  contact_relation: ['contact_relation', '关系'],
  contact_phone: ['contact_phone', '联系人电话'],
  contact2_name: ['contact2_name', '联系人2'],
  contact2_relation: ['contact2_relation', '关系2'],
  contact2_phone: ['contact2_phone', '联系人2电话'],
  device_id: ['device_id', '按钮编号'],
} as const;
type Column = keyof typeof IMPORT_COLUMNS;
const REQUIRED: Column[] = ['grid', 'address', 'resident_name'];

export interface ImportInputs {
  rows: { line: number; cells: string[] }[];
  /** A grid node in the importer's scope for a cell: its id, or names from the top down joined by "/", matched from the end. */
  gridOf: (cell: string) => { id: number } | { error: string };
  /** The household already registered at this address in this grid, if any. */
  registered: (gridId: number, address: string) => number | undefined;
  /**
   * A registered household's record: its row then updates it (a corrected phone, a new contact), and
   * a row that says what the record says is left alone. Without it, a registered row is an error.
   */
  current?: (id: number) => Household | undefined;
  /**
   * A row's call button (device_id) is registered with its household, with a secret the hub makes,
   * when the importer may register devices (admins); `taken`: which of the sheet's ids exist and the
   * household each is with, asked once for all of them (one lookup per row held the event loop 50 ms
   * longer at 10,000 rows). Without it, a row that names a button is refused.
   */
  devices?: { allowed: boolean; taken: (ids: readonly string[]) => Map<string, number | null> };
}

type NewHousehold = Omit<Household, 'id'>;
export interface ImportPlan {
  /** New households, each with the buttons to register with it. */
  households: { line: number; household: NewHousehold; deviceIds: string[] }[];
  /** Registered households whose row says something else: the record as the row makes it, and as it was when the sheet was read. */
  updates: { line: number; id: number; household: NewHousehold; was: Household }[];
  /** Buttons named on the rows of registered households, to register with them. */
  buttons: { line: number; householdId: number; deviceId: string }[];
  /** Rows of registered households that say what their record says (their button, if named, already theirs). */
  unchanged: number;
  errors: { line: number; message: string }[];
}

/** The call buttons of a 按钮编号 cell: ids apart by "、" or ";" (either width). Not by spaces: "bad id" is one wrong id, not two buttons. */
export const buttonIds = (cell: string) => cell.split(/[;；、]/).map((s) => s.trim()).filter(Boolean);
/** How the household sheet writes a household's buttons in one cell (buttonIds reads it back). */
export const BUTTON_SEPARATOR = '、';

/** Spaces trimmed and runs of spaces made one, so "1号楼  101室" and "1号楼 101室 " are the same address. */
export const sameAddress = (s: string) => s.trim().replace(/\s+/g, ' ');

/** The record's fields a sheet can carry, in one order, for "does the row say anything new?". */
const recordKey = (h: NewHousehold) => JSON.stringify([h.accessNote, h.residents.map((r) => [r.name, r.age, r.phone, r.medicalNote]), h.contacts.map((c) => [c.name, c.relation, c.phone])]);

export function planImport(p: ImportInputs): ImportPlan {
  return runToEnd(planImportSteps(p));
}

/** planImport a row per step, for the time slicer: 10,000 rows checked at once held the hub's loop about 200 ms. */
export function* planImportSteps(p: ImportInputs): Generator<unknown, ImportPlan, void> {
  const [head, ...body] = p.rows;
  const { at, errors } = readSheetHeader(head, IMPORT_COLUMNS, REQUIRED);
  const plan: ImportPlan = { households: [], updates: [], buttons: [], unchanged: 0, errors };
  if (errors.length) return plan;

  const seen = new Map<string, number>();
  const devicesSeen = new Map<string, { line: number; householdId: number | null }>();
  const devices = p.devices ?? { allowed: false, taken: () => new Map<string, number | null>() };
  const rowsOf: { line: number; id: number | null; household: NewHousehold; was?: Household; deviceIds: string[] }[] = [];
  for (const row of body) {
    yield;
    if (row.cells.every((c) => c.trim() === '')) continue;
    const cell = cellsOf(at, row);
    const bad = (message: string) => errors.push({ line: row.line, message });
    const before = errors.length;
    const grid = p.gridOf(cell('grid'));
    if ('error' in grid) bad(grid.error);
    const address = sameAddress(cell('address'));
    if (!address || address.length > 200) bad('address: 1 to 200 characters');
    const existing = 'error' in grid || !address ? undefined : p.registered(grid.id, address);
    const was = existing === undefined ? undefined : p.current?.(existing);
    // A column the sheet lacks keeps what the record has (a sheet of names and phones does not erase health notes); for a new household it is empty.
    const val = (c: Column, keep: string | number | null | undefined) => (at.has(c) ? cell(c) : keep === null || keep === undefined ? '' : String(keep));
    const residents: Household['residents'] = [];
    for (const [i, k, note] of [[0, 'resident', 'medical_note'], [1, 'resident2', 'medical_note2']] as const) {
      const w = was?.residents[i];
      const r = { name: val(`${k}_name`, w?.name), ageCell: val(`${k}_age`, w?.age), phone: val(`${k}_phone`, w?.phone), medicalNote: val(note, w?.medicalNote) };
      if (i > 0 && !r.name && !r.ageCell && !r.phone && !r.medicalNote) continue;
      if (!r.name || r.name.length > 64) bad(`${k}_name: 1 to 64 characters`);
      const age = r.ageCell === '' ? null : Number(r.ageCell);
      if (age !== null && !(Number.isInteger(age) && age >= 0 && age <= 130)) bad(`${k}_age: a whole number from 0 to 130, not "${r.ageCell}"`);
      if (r.phone && !PHONE.test(r.phone)) bad(`${k}_phone: 3 to 32 digits, spaces or + ( ) -, not "${r.phone}"`);
      if (r.medicalNote.length > 500) bad(`${note}: at most 500 characters`);
      residents.push({ name: r.name, age, phone: r.phone, medicalNote: r.medicalNote });
    }
    const accessNote = val('access_note', was?.accessNote);
    if (accessNote.length > 500) bad('access_note: at most 500 characters');
    const contacts: Household['contacts'] = [];
    for (const [i, k] of [[0, 'contact'], [1, 'contact2']] as const) {
      const w = was?.contacts[i];
      const c = { name: val(`${k}_name`, w?.name), relation: val(`${k}_relation`, w?.relation), phone: val(`${k}_phone`, w?.phone) };
      if (!c.name && !c.relation && !c.phone) continue;
      if (!c.name || c.name.length > 64) bad(`${k}_name: 1 to 64 characters when a contact is given`);
      if (!PHONE.test(c.phone)) bad(`${k}_phone: 3 to 32 digits, spaces or + ( ) -, not "${c.phone}"`);
      if (c.relation.length > 32) bad(`${k}_relation: at most 32 characters`);
      contacts.push(c);
    }
    // A household's buttons (bedroom, bathroom) in one cell, apart by "、" (as the export writes them) or ";".
    const deviceIds = buttonIds(cell('device_id'));
    for (const deviceId of deviceIds) {
      // Anyone may send back a row naming the household's own buttons (the export writes them); only an admin registers a new one (below).
      if (!DEVICE_ID_RE.test(deviceId)) bad(`device_id: letters, digits, _ . - (up to 64, starting with a letter or digit), not "${deviceId}"`);
      else if (devicesSeen.has(deviceId)) bad(`device_id ${deviceId}: also on line ${devicesSeen.get(deviceId)!.line}`);
      else devicesSeen.set(deviceId, { line: row.line, householdId: existing ?? null });
    }
    if (errors.length > before || 'error' in grid) continue;
    const key = `${grid.id}\u0000${address}`;
    const twin = seen.get(key);
    if (twin !== undefined) { bad(`the same grid and address as line ${twin}`); continue; }
    seen.set(key, row.line);
    if (existing !== undefined && !was) { bad(`already registered as household ${existing}: edit it in the console instead`); continue; }
    // The sheet carries two residents and two contacts: a household's third and later ones stay.
    const household = { gridId: grid.id, address, accessNote, residents: [...residents, ...(was?.residents.slice(2) ?? [])], contacts: [...contacts, ...(was?.contacts.slice(2) ?? [])] };
    rowsOf.push({ line: row.line, id: existing ?? null, household, was, deviceIds });
  }
  const taken = devicesSeen.size ? devices.taken([...devicesSeen.keys()]) : new Map<string, number | null>();
  const refused = new Set<string>();
  for (const [id, owner] of taken) {
    const row = devicesSeen.get(id)!;
    if (owner !== null && owner === row.householdId) continue; // already this household's button
    errors.push({ line: row.line, message: `device_id ${id}: already registered; a button belongs to one household` });
    refused.add(id);
  }
  if (!devices.allowed) {
    for (const [id, row] of devicesSeen) {
      if (taken.has(id)) continue;
      errors.push({ line: row.line, message: 'device_id: only an administrator registers call buttons; leave the column empty, or ask one to import the sheet' });
      refused.add(id);
    }
  }
  if (refused.size) errors.sort((a, b) => a.line - b.line);
  for (const r of rowsOf) {
    if (r.deviceIds.some((id) => refused.has(id))) continue;
    const deviceIds = r.deviceIds.filter((id) => !taken.has(id));
    if (r.id === null) { plan.households.push({ line: r.line, household: r.household, deviceIds }); continue; }
    const changed = recordKey(r.household) !== recordKey(r.was!);
    if (changed) plan.updates.push({ line: r.line, id: r.id, household: r.household, was: r.was! });
    for (const deviceId of deviceIds) plan.buttons.push({ line: r.line, householdId: r.id, deviceId });
    if (!changed && !deviceIds.length) plan.unchanged++;
  }
  return plan;
}

/**
 * The grid node for an import cell: a node id, or its names from the top down joined by "/" and
 * matched from the end ("第一网格", "商城花园社区/第一网格", or the whole chain as the export writes
 * it), among the nodes the importer may use (`usable`).
 */
export function gridFinder(all: readonly { id: number; parentId: number | null; name: string }[], usable: (id: number) => boolean = () => true): (cell: string) => { id: number } | { error: string } {
  const byId = new Map(all.map((n) => [n.id, n]));
  const nodes = all.filter((n) => usable(n.id));
  const chainOf = (n: { id: number; parentId: number | null; name: string }) => {
    const names: string[] = [];
    for (let x: typeof n | undefined = n; x; x = x.parentId === null ? undefined : byId.get(x.parentId)) names.unshift(x.name);
    return names;
  };
  const chains = nodes.map((n) => ({ id: n.id, names: chainOf(n) }));
  return (cell) => {
    if (/^[1-9][0-9]*$/.test(cell)) return byId.has(Number(cell)) && usable(Number(cell)) ? { id: Number(cell) } : { error: `grid ${cell}: no such grid node in your area` };
    const want = cell.split('/').map((s) => s.trim()).filter(Boolean);
    if (!want.length) return { error: 'grid: empty (a node id, or its name, or names from the top joined by "/")' };
    const found = chains.filter((c) => c.names.length >= want.length && want.every((w, i) => c.names[c.names.length - want.length + i] === w));
    if (found.length === 1) return { id: found[0].id };
    if (!found.length) return { error: `grid "${cell}": no such grid node in your area` };
    return { error: `grid "${cell}" names ${found.length} nodes: add the name above it, as "社区/网格", or give the node id` };
  };
}
