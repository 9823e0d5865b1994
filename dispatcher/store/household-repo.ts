/** Households, their residents and emergency contacts. */
import type { Db } from './db.ts';

export interface Resident { name: string; age: number | null; phone: string; medicalNote: string }
export interface Contact { name: string; relation: string; phone: string }
export interface Household {
  id: number;
  gridId: number;
  address: string;
  accessNote: string;
  residents: Resident[];
  contacts: Contact[];
}

export class HouseholdRepo {
  private readonly cache = new Map<number, Household>();
  /**
   * The three reads of get(), prepared once: a household not yet cached (the first call from it since
   * start-up) compiled all three anew each time, inside the call's transaction (issue 6).
   */
  private readonly one;
  constructor(private readonly db: Db) {
    this.one = {
      household: db.prepare('SELECT id, grid_id AS gridId, address, access_note AS accessNote FROM households WHERE id = ?'),
      residents: db.prepare('SELECT name, age, phone, medical_note AS medicalNote FROM residents WHERE household_id = ? ORDER BY id'),
      contacts: db.prepare('SELECT name, relation, phone FROM contacts WHERE household_id = ? ORDER BY id'),
    };
  }

  create(h: Omit<Household, 'id'>, now: number): Household {
    const id = this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO households (grid_id, address, access_note, created_at) VALUES (?, ?, ?, ?)')
        .run(h.gridId, h.address, h.accessNote, now).lastInsertRowid);
      for (const r of h.residents) {
        this.db.prepare('INSERT INTO residents (household_id, name, age, phone, medical_note) VALUES (?, ?, ?, ?, ?)').run(id, r.name, r.age, r.phone, r.medicalNote);
      }
      for (const c of h.contacts) {
        this.db.prepare('INSERT INTO contacts (household_id, name, relation, phone) VALUES (?, ?, ?, ?)').run(id, c.name, c.relation, c.phone);
      }
      return id;
    })();
    return this.get(id)!;
  }

  get(id: number): Household | undefined {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = this.one.household.get(id) as Omit<Household, 'residents' | 'contacts'> | undefined;
    if (!row) return undefined;
    const residents = this.one.residents.all(id) as Resident[];
    const contacts = this.one.contacts.all(id) as Contact[];
    const h = { ...row, residents, contacts };
    this.cache.set(id, h);
    return h;
  }

  forgetCache(): void {
    this.cache.clear();
  }

  /** Removes households no device belongs to (undoing a failed bulk provisioning); their residents and contacts go with them. */
  removeUnused(ids: number[]): number {
    const del = this.db.prepare('DELETE FROM households WHERE id = ? AND NOT EXISTS (SELECT 1 FROM devices WHERE household_id = ?)');
    let n = 0;
    for (const id of ids) {
      n += del.run(id, id).changes;
      this.cache.delete(id);
    }
    return n;
  }

  /**
   * Every household, in three statements: one household at a time was three statements each, 30,000
   * for a street office of 10,000 households, on the event loop.
   */
  list(): Household[] {
    const rows = this.db.prepare('SELECT id, grid_id AS gridId, address, access_note AS accessNote FROM households ORDER BY id').all() as Omit<Household, 'residents' | 'contacts'>[];
    const missing = rows.filter((r) => !this.cache.has(r.id));
    if (missing.length) {
      const residents = this.byHousehold<Resident>('SELECT household_id AS hh, name, age, phone, medical_note AS medicalNote FROM residents ORDER BY household_id, id');
      const contacts = this.byHousehold<Contact>('SELECT household_id AS hh, name, relation, phone FROM contacts ORDER BY household_id, id');
      for (const r of missing) this.cache.set(r.id, { ...r, residents: residents.get(r.id) ?? [], contacts: contacts.get(r.id) ?? [] });
    }
    return rows.map((r) => this.cache.get(r.id)!);
  }

  private byHousehold<T>(sql: string): Map<number, T[]> {
    const out = new Map<number, T[]>();
    for (const { hh, ...row } of this.db.prepare(sql).all() as ({ hh: number } & T)[]) {
      const list = out.get(hh);
      if (list) list.push(row as T);
      else out.set(hh, [row as T]);
    }
    return out;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM households').get() as { n: number }).n;
  }
}
