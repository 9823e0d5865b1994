/**
 * Every household in a grid subtree, with its residents and contacts: GET /api/households, built in
 * the report worker (reports/report-worker.ts) through its own connection. Three statements, read as
 * raw rows, whatever the number of households. On the event loop, through the hub's household cache,
 * a street office's 10,000 households held every ack and push for 179–187 ms
 * (bench/street-office-cost.ts).
 */
import type { Db } from './db.ts';
import type { Contact, Household, Resident } from './household-repo.ts';

/** `@scope` is the scope's grid path, or null for every household. */
const IN_SCOPE = `JOIN grid_nodes g ON g.id = h.grid_id WHERE @scope IS NULL OR substr(g.path, 1, length(@scope)) = @scope`;

export class HouseholdListRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      households: db.prepare(`SELECT h.id, h.grid_id, h.address, h.access_note FROM households h ${IN_SCOPE} ORDER BY h.id`).raw(true),
      residents: db.prepare(`SELECT r.household_id, r.name, r.age, r.phone, r.medical_note FROM residents r
        JOIN households h ON h.id = r.household_id ${IN_SCOPE} ORDER BY r.household_id, r.id`).raw(true),
      contacts: db.prepare(`SELECT c.household_id, c.name, c.relation, c.phone FROM contacts c
        JOIN households h ON h.id = c.household_id ${IN_SCOPE} ORDER BY c.household_id, c.id`).raw(true),
      grids: db.prepare('SELECT id, parent_id, name FROM grid_nodes').raw(true),
      // Each household's first call button not revoked (by id): the sheet has one column for it.
      buttons: db.prepare(`SELECT d.household_id, d.id FROM devices d JOIN households h ON h.id = d.household_id ${IN_SCOPE.replace('WHERE', 'WHERE d.revoked_at IS NULL AND (')}) ORDER BY d.household_id, d.rowid`).raw(true),
    };
  }

  /** Every grid node's name and parent, for a household's grid written as names from the top (reports/household-csv.ts). */
  gridNames(): Map<number, { name: string; parentId: number | null }> {
    return new Map((this.s.grids.all() as [number, number | null, string][]).map(([id, parentId, name]) => [id, { name, parentId }]));
  }

  /** Each household's call buttons not revoked, in the order they were registered, under `scopePath` (null: all). */
  buttons(scopePath: string | null): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const [household, id] of this.s.buttons.all({ scope: scopePath }) as [number, string][]) (out.get(household) ?? out.set(household, []).get(household)!).push(id);
    return out;
  }

  /** Households under `scopePath` (null: all), by id, each with its residents and contacts in the order they were added. */
  list(scopePath: string | null): Household[] {
    const out = new Map<number, Household>();
    for (const r of this.s.households.all({ scope: scopePath }) as [number, number, string, string][]) {
      out.set(r[0], { id: r[0], gridId: r[1], address: r[2], accessNote: r[3], residents: [], contacts: [] });
    }
    for (const r of this.s.residents.all({ scope: scopePath }) as [number, string, number | null, string, string][]) {
      const resident: Resident = { name: r[1], age: r[2], phone: r[3], medicalNote: r[4] };
      out.get(r[0])?.residents.push(resident);
    }
    for (const r of this.s.contacts.all({ scope: scopePath }) as [number, string, string, string][]) {
      const contact: Contact = { name: r[1], relation: r[2], phone: r[3] };
      out.get(r[0])?.contacts.push(contact);
    }
    return [...out.values()];
  }
}
