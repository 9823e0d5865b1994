/**
 * Every statement the store prepares, once exercised, reads the tables that grow without bound
 * (alerts, alert_events, device_events, changes) through an index: a full scan there is work on
 * the event loop that grows with every call ever taken. Checked with EXPLAIN QUERY PLAN on a real
 * database file. A scan through an index is a full scan too, unless LIMIT stops it early.
 */
import { it, expect, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { tempDbPath } from './helpers/hub-harness.ts';
import { Store } from '../dispatcher/store/store.ts';
import { everyRow } from './helpers/every-row.ts';

const GROWING = ['alerts', 'alert_events', 'device_events', 'changes'];
/**
 * Tables as big as the fleet, read by household on the alarm path (a household's first call since
 * start-up, each offline alert of a power cut): a full read is allowed only for a list of them all.
 */
const BY_HOUSEHOLD = ['residents', 'contacts'];
/** A scan in an index's order that LIMIT stops after a few rows (the most recent alerts) costs O(limit). */
/** So does a scan of a partial index that holds only open alerts. */
const boundedScan = (detail: string, sql: string) =>
  (/USING (COVERING )?INDEX/.test(detail) && /\bLIMIT\b/.test(sql)) || /USING (COVERING )?INDEX (alerts_open|alerts_deadline)\b/.test(detail);

const proto = Database.prototype as unknown as { prepare(sql: string): unknown };
const original = proto.prepare;
const seen = new Set<string>();
proto.prepare = function (this: unknown, sql: string) { seen.add(sql); return original.call(this, sql); };
afterAll(() => { proto.prepare = original; });

it('no statement of the store scans a growing table', () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  try {
    // The statements prepared on first use.
    store.alerts.recent(200);
    store.alerts.recent(200, '/1/');
    store.alerts.openRefs();
    store.alerts.openRefs('/1/');
    store.alerts.openCount();
    store.alerts.deviceEventAlert('dev-1', 5);
    store.health.openTechnical();
    store.health.openHubWide('no_staff_online');
    store.alerts.pruneChanges(0, 100);
    const scans: string[] = [];
    for (const sql of seen) {
      if (!/^\s*(SELECT|UPDATE|DELETE|WITH)\b/i.test(sql)) continue;
      const names = [...new Set(sql.match(/@\w+/g) ?? [])].map((n) => n.slice(1));
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const rows = (names.length ? plan.all(Object.fromEntries(names.map((n) => [n, null])))
        : plan.all(...Array((sql.match(/\?/g) ?? []).length).fill(null))) as { detail: string }[];
      for (const { detail } of rows) {
        // "SEARCH t" with no index named was a scan as well (max(seq) of a device over a partial index),
        // except for min()/max() of the rowid (changes.seq), which reads one end of the table.
        const m = /^(SCAN|SEARCH) (\w+)/.exec(detail);
        const rowidEnd = /^SELECT coalesce\(m(ax|in)\(seq\), 0\) AS seq FROM changes$/.test(sql.trim());
        const keyedScan = m && m[1] === 'SCAN' && BY_HOUSEHOLD.includes(m[2]) && /\bWHERE\b/i.test(sql);
        const full = keyedScan || (m && GROWING.includes(m[2]) && (m[1] === 'SCAN' ? !boundedScan(detail, sql) : !/ USING /.test(detail) && !rowidEnd));
        if (full) {
          scans.push(`${detail}: ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(scans).toEqual([]);
  } finally {
    store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The health sweep reads devices every 5 s: each of its reads walks an index of the few devices that
 * match, not every device (a scan was 70 ms at 50,000 devices, bench/sweep-cost.ts), and leaves out
 * the devices already alerted; the alerts to clear are found through the open technical alerts'
 * index (migration 16). An index is used only while the query repeats its expression word for word.
 */
it('the health sweep reads devices by index, and finds the same devices as a scan would', () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  try {
    const stmts = (store.health as unknown as { s: Record<string, { source: string }> }).s;
    const page = { k: 0, r: 0, limit: 1 };
    const params: Record<string, unknown[]> = { offline: [{ now: 0, graceS: 0, aliveCutoff: 0, startedAt: 0, ...page }], lowBattery: [{ below: 20, now: 0, ...page }], testOverdue: [{ before: 0, ...page }] };
    for (const [name, args] of Object.entries(params)) {
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${stmts[name].source}`).all(...args) as { detail: string }[];
      // A page starts at its cursor: the rest of its key, then the keys after it, each a seek in the index.
      const detail = plan.map((r) => r.detail).join('; ');
      expect(detail, name).toMatch(/SEARCH devices USING INDEX devices_\w+ \((<expr>|battery)=\? AND rowid>\?\).*SEARCH devices USING INDEX devices_\w+ \((<expr>|battery)>\? AND/);
      expect(detail, name).not.toMatch(/SCAN devices/);
    }
    const now = 1_000_000_000_000;
    const dev = (id: string, heartbeatS: number) => store.devices.create({ id, kind: 'mqtt-button', householdId: null, heartbeatS }, null, now - 40 * 86_400_000);
    store.tx(() => {
      dev('silent', 60); dev('fresh', 60); dev('slow-beat', 600); dev('low', 60); dev('mid', 60); dev('revoked', 60);
      store.devices.applySeen([
        { id: 'silent', at: now - 200_000, online: true, battery: 90 }, { id: 'fresh', at: now - 10_000, online: true, battery: 80 },
        { id: 'slow-beat', at: now - 200_000, online: true }, { id: 'low', at: now, online: true, battery: 12 },
        { id: 'mid', at: now, online: true, battery: 60 }, { id: 'revoked', at: now - 900_000, online: true, battery: 5 },
      ]);
      store.devices.markTest('fresh', now);
      store.devices.revoke('revoked', now);
    });
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
    expect(ids(everyRow((f, n) => store.health.overdue({ now, graceS: 30, aliveCutoff: 0, startedAt: 0 }, f, n), 2))).toEqual(['silent']);
    expect(ids(everyRow((f, n) => store.health.lowBattery(20, now, f, n), 2))).toEqual(['low']);
    // A threshold above what the index holds falls back to reading every device.
    expect(ids(everyRow((f, n) => store.health.lowBattery(70, now, f, n), 2))).toEqual(['low', 'mid']);
    expect(ids(everyRow((f, n) => store.health.testOverdue(now - 31 * 86_400_000, f, n), 2))).toEqual(['low', 'mid', 'silent', 'slow-beat']);
    // A device with an open alert for the problem is not found again; an open alert whose device recovered is.
    const open = (deviceId: string, reason: string) => {
      const id = `${reason}-${deviceId}`;
      store.alerts.insert({ id, kind: 'technical', reason, deviceId, householdId: null, gridId: 1, gridPath: '/1/', state: 'raised', level: 0,
        presses: 0, isTest: false, detail: '', raisedAt: now, deadlineAt: null, deadlineKind: null });
      return id;
    };
    store.grid.add(null, '金水区', 'district');
    store.tx(() => {
      open('silent', 'offline'); open('fresh', 'offline'); open('revoked', 'offline');
      open('low', 'low_battery'); open('mid', 'low_battery'); open('revoked', 'low_battery');
      open('mid', 'test_overdue'); open('fresh', 'test_overdue');
    });
    const q = { now, graceS: 30, aliveCutoff: 0, startedAt: 0 };
    const ended = (rows: { deviceId: string }[]) => rows.map((r) => r.deviceId).sort();
    expect(ids(everyRow((f, n) => store.health.overdue(q, f, n), 2))).toEqual([]);
    expect(ended(everyRow((f, n) => store.health.overdueOver(q, f, n), 2))).toEqual(['fresh', 'revoked']);
    expect(ids(everyRow((f, n) => store.health.lowBattery(20, now, f, n), 2))).toEqual([]);
    expect(ended(everyRow((f, n) => store.health.lowBatteryOver(20, f, n), 2))).toEqual(['mid']); // 60 % is 10 points above 20; 'revoked' (5 %) stays
    expect(ids(everyRow((f, n) => store.health.testOverdue(now - 31 * 86_400_000, f, n), 2))).toEqual(['low', 'silent', 'slow-beat']);
    expect(ended(everyRow((f, n) => store.health.testOverdueOver(now - 31 * 86_400_000, f, n), 2))).toEqual(['fresh']);
    for (const name of ['offlineOver', 'lowBatteryOver', 'testOverdueOver']) {
      const src = stmts[name].source;
      const names = [...new Set(src.match(/@\w+/g) ?? [])].map((n) => n.slice(1));
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${src}`).all(Object.fromEntries(names.map((n) => [n, 0]))) as { detail: string }[];
      expect(plan[0].detail, name).toMatch(/^SEARCH a USING (COVERING )?INDEX alerts_technical_open/);
    }
  } finally {
    store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A household read by id walks the residents and contacts indexes (migration 14) and gets its own rows, in order. */
it('a household is read with its own residents and contacts, by index', () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  try {
    const grid = store.grid.add(null, '金水区', 'district');
    const ids = [1, 2, 3].map((k) => store.households.create({
      gridId: grid.id, address: `${k} 号`, accessNote: '',
      residents: [{ name: `住户${k}a`, age: 80 + k, phone: '', medicalNote: '' }, { name: `住户${k}b`, age: null, phone: '', medicalNote: '' }],
      contacts: [{ name: `家属${k}`, relation: '女儿', phone: `1380000000${k}` }],
    }, 0).id);
    store.households.forgetCache();
    const h = store.households.get(ids[1])!;
    expect(h.residents.map((r) => r.name)).toEqual(['住户2a', '住户2b']);
    expect(h.contacts.map((c) => c.name)).toEqual(['家属2']);
    const one = (store.households as unknown as { one: Record<string, { source: string }> }).one;
    for (const [name, index] of [['residents', 'residents_household'], ['contacts', 'contacts_household']]) {
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${one[name].source}`).all(ids[1]) as { detail: string }[];
      expect(plan.map((r) => r.detail).join('; '), name).toContain(`SEARCH ${name} USING INDEX ${index}`);
    }
  } finally {
    store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the RF buttons are read through their own index, not by reading every device', () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  try {
    const grid = store.grid.add(null, '金水区', 'district');
    const home = store.households.create({ gridId: grid.id, address: '1 号', accessNote: '', residents: [], contacts: [] }, 0).id;
    store.tx(() => {
      for (let i = 0; i < 50; i++) store.devices.create({ id: `btn-${i}`, kind: 'mqtt-button', householdId: home }, 'x', 0);
      for (const id of ['rf-b', 'rf-a']) store.devices.create({ id, kind: 'rf-button', householdId: home }, null, 0);
    });
    expect(store.devices.rfButtons().map((d) => d.id)).toEqual(['rf-a', 'rf-b']);
    const sql = [...seen].find((q) => q.includes("WHERE kind = 'rf-button' ORDER BY id"))!;
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toContain('USING INDEX devices_rf');
    expect(plan).not.toContain('TEMP B-TREE'); // in id order from the index itself
  } finally {
    store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a household is found by grid and address through an index, as an import checks each row', () => {
  const { dir, dbPath } = tempDbPath();
  const store = Store.open(dbPath);
  try {
    const grid = store.grid.add(null, '金水区', 'district');
    store.tx(() => { for (let i = 0; i < 50; i++) store.households.create({ gridId: grid.id, address: `${i} 号`, accessNote: '', residents: [], contacts: [] }, 0); });
    expect(store.households.idAt(grid.id, '7 号')).toBeGreaterThan(0);
    expect(store.households.idAt(grid.id, '70 号')).toBeUndefined();
    const sql = [...seen].find((q) => q.includes('FROM households WHERE grid_id = ? AND address = ?'))!;
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(grid.id, 'x') as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toContain('households_grid_address');
  } finally {
    store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
