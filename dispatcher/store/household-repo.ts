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
      this.writePeople(id, h);
      return id;
    })();
    return this.get(id)!;
  }

  /**
   * Replaces a household's grid, address, access note, residents and contacts (the editor sends the
   * whole record). Its calls from now on go to the new grid: device ingest reads the grid from here.
   */
  update(id: number, h: Omit<Household, 'id'>): Household | undefined {
    const found = this.db.transaction(() => {
      if (this.db.prepare('UPDATE households SET grid_id = ?, address = ?, access_note = ? WHERE id = ?').run(h.gridId, h.address, h.accessNote, id).changes === 0) return false;
      this.db.prepare('DELETE FROM residents WHERE household_id = ?').run(id);
      this.db.prepare('DELETE FROM contacts WHERE household_id = ?').run(id);
      this.writePeople(id, h);
      return true;
    })();
    this.cache.delete(id);
    return found ? this.get(id) : undefined;
  }

  private writePeople(id: number, h: Pick<Household, 'residents' | 'contacts'>): void {
    for (const r of h.residents) {
      this.db.prepare('INSERT INTO residents (household_id, name, age, phone, medical_note) VALUES (?, ?, ?, ?, ?)').run(id, r.name, r.age, r.phone, r.medicalNote);
    }
    for (const c of h.contacts) {
      this.db.prepare('INSERT INTO contacts (household_id, name, relation, phone) VALUES (?, ?, ?, ?)').run(id, c.name, c.relation, c.phone);
    }
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

  /** The household registered at this address in this grid, through households_grid_address (migration 19). */
  idAt(gridId: number, address: string): number | undefined {
    return (this.db.prepare('SELECT id FROM households WHERE grid_id = ? AND address = ?').get(gridId, address) as { id: number } | undefined)?.id;
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

  /** The grid nodes that have households: where calls are raised. */
  gridIds(): number[] {
    return this.db.prepare('SELECT DISTINCT grid_id FROM households').pluck().all() as number[];
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM households').get() as { n: number }).n;
  }
}
