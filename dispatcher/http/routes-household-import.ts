/**
 * A spreadsheet of households (POST /api/households/import, domain/household-import.ts), leaders
 * and admins. Every row is checked first: any problem, and nothing is written (400 with each row's
 * line and problem). A row for a household not yet registered adds it (an admin's row may register
 * its button); a row for a registered one updates its record where the row says something else
 * (a corrected phone, a new contact), so the exported sheet goes out, is corrected offline and comes
 * back; a row that says what the record says is left alone. Updated households' open calls are
 * drawn again on the consoles, as for an edit in the console.
 *
 * All of it is written in chunks with other requests between them; each row is checked again as it
 * is written: an address someone registered meanwhile, a button registered meanwhile, or a household
 * edited by hand since the sheet was read fails the import (409 with its line), and what the import
 * wrote is undone (new households and buttons removed, updated records put back).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubServices } from './services.ts';
import { requireStaff } from './app.ts';
import { HubError } from '../errors.ts';
import type { Household } from '../store/household-repo.ts';
import { acceptCsv, readSheet, refuseSheet } from './sheet-request.ts';
import { gridFinder, planImportSteps } from '../domain/household-import.ts';
import { writeInChunks } from '../store/chunked-writes.ts';
import { generateSecret } from '../auth/secrets.ts';

/** A street office's households in one file: 20,000 rows of about 150 bytes fit in 4 MB. */
const IMPORT_MOST_ROWS = 20_000;
const IMPORT_BYTES = 4 * 1024 * 1024;
/** Households written per transaction (store/chunked-writes.ts). */
const IMPORT_CHUNK = 250;

const sameRecord = (a: Household | undefined, b: Household) => JSON.stringify(a) === JSON.stringify(b);

export const householdImportRoutes = (svc: HubServices): FastifyPluginAsync => async (app) => {
  acceptCsv(app, IMPORT_BYTES);

  app.post<{ Body: string }>('/api/households/import', { bodyLimit: IMPORT_BYTES }, async (req, reply) => {
    const me = requireStaff(req);
    if (me.role === 'staff') throw new HubError('E_FORBIDDEN', 'grid leaders and admins import households; grid workers add them one by one');
    const rows = await readSheet(svc, req.body, IMPORT_MOST_ROWS, 'households');
    const scope = svc.alerts.scopeOf(me);
    const all = svc.store.grid.list();
    const usable = new Set(all.filter((n) => svc.alerts.canSee(me, n.path)).map((n) => n.id));
    const plan = await svc.slicer.result(planImportSteps({ rows, gridOf: gridFinder(all, (id) => usable.has(id)), registered: (g, a) => svc.store.households.idAt(g, a),
      current: (id) => svc.store.households.get(id),
      devices: { allowed: me.role === 'admin', taken: (ids) => svc.store.devices.owners(ids) } }));
    refuseSheet(plan.errors);
    if (!plan.households.length && !plan.updates.length && !plan.buttons.length && !plan.unchanged) throw new HubError('E_VALIDATION', 'the file has no households under its header line');
    const now = svc.clock.now();
    const created: number[] = [];
    const updated: { line: number; id: number; was: Household }[] = [];
    const devices: { line: number; id: string; householdId: number; secret: string }[] = [];
    // 128 random bits, made by the hub: salted SHA-256, as for devices registered one by one (auth/secrets.ts).
    const register = (line: number, id: string, householdId: number) => {
      if (svc.store.devices.get(id)) throw new HubError('E_CONFLICT', `line ${line}: device ${id} was registered while the file was being imported: nothing was imported`, { line, deviceId: id });
      const { secret, stored } = generateSecret();
      svc.store.devices.create({ id, kind: 'mqtt-button', householdId }, stored, now);
      devices.push({ line, id, householdId, secret });
    };
    try {
      await writeInChunks(svc.store, plan.households, IMPORT_CHUNK, (x) => {
        const other = svc.store.households.idAt(x.household.gridId, x.household.address);
        if (other !== undefined) throw new HubError('E_CONFLICT', `line ${x.line}: household ${other} was registered at this address while the file was being imported: nothing was imported`, { line: x.line, householdId: other });
        const householdId = svc.store.households.create(x.household, now).id;
        created.push(householdId);
        for (const deviceId of x.deviceIds) register(x.line, deviceId, householdId);
      });
      await writeInChunks(svc.store, plan.updates, IMPORT_CHUNK, (x) => {
        if (!sameRecord(svc.store.households.get(x.id), x.was)) throw new HubError('E_CONFLICT', `line ${x.line}: household ${x.id} was edited while the file was being imported: nothing was imported`, { line: x.line, householdId: x.id });
        svc.store.households.update(x.id, x.household);
        updated.push({ line: x.line, id: x.id, was: x.was });
      });
      await writeInChunks(svc.store, plan.buttons, IMPORT_CHUNK, (x) => register(x.line, x.deviceId, x.householdId));
    } catch (err) {
      svc.store.tx(() => {
        svc.store.devices.removeUnused(devices.map((d) => d.id));
        for (const u of updated) svc.store.households.update(u.id, u.was);
        svc.store.households.removeUnused(created);
      });
      req.log.warn({ err, written: created.length, updated: updated.length }, 'household import failed part way; what it wrote was undone');
      throw err;
    }
    // Staff on the way to an updated household see its record as it is now.
    for (const u of updated) await svc.alerts.redraw.household(u.id, me, now);
    req.log.info({ count: created.length, updated: updated.length, unchanged: plan.unchanged, devices: devices.length, by: me.username, scope }, 'households imported');
    reply.status(created.length || updated.length || devices.length ? 201 : 200);
    // The buttons' secrets are answered this once (only their hashes are kept), as POST /api/devices does.
    return {
      created: created.length, updated: updated.length, unchanged: plan.unchanged,
      households: plan.households.map((x, i) => ({ line: x.line, id: created[i] })), updatedHouseholds: updated.map((u) => ({ line: u.line, id: u.id })), devices,
    };
  });
};
