/**
 * The supervisors' device lists (GET /api/devices, GET /api/devices/health) are built in the report
 * worker, off the event loop: a press is acked while a list of 20,000 devices is being built, the
 * lists show each device's problems and status, staff see only their grid's devices, the health list
 * comes as counts and a page with its filters applied in the hub, and consoles asking for the same list at once share one build; households are listed there too, in three statements. A real
 * hub, a real SQLite file, a real device.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { ManualClock } from '../dispatcher/clock.ts';
import { runReadJob } from '../dispatcher/reports/read-jobs.ts';
import { Store } from '../dispatcher/store/store.ts';
import { missingOf } from '../dispatcher/reports/household-search.ts';

const START = Date.parse('2026-11-01T00:00:00Z');
/** Ten minutes after the hub started: what was silent since before the start is overdue by then. */
const NOW = START + 600_000;
const MANY = 20_000;
let t: TestHub;
let admin: string;
const clock = new ManualClock(START);
type RunnerInside = { waiting: Map<number, { job: { kind: string } }>; stats: { inWorker: number } };
const runner = () => t.hub.reports as unknown as RunnerInside;

beforeAll(async () => {
  t = await startTestHub({ clock });
  admin = await t.login('admin');
  const s = t.hub.store;
  const grid1 = s.staff.byUsername('grid1')!.scopeNodeId!;
  const home = s.householdLists.list(null).find((h) => h.gridId === grid1)!;
  const ins = s.db.prepare(`INSERT INTO devices (id, kind, household_id, heartbeat_s, online, last_seen, battery, created_at) VALUES (?, 'mqtt-button', ?, 60, 1, ?, 80, ?)`);
  s.tx(() => {
    for (let i = 0; i < MANY; i++) ins.run(`many-${String(i).padStart(5, '0')}`, home.id, NOW, NOW);
    // One silent for an hour, one with a low battery, one never heard, one with no household.
    ins.run('odd-silent', home.id, START - 3_600_000, START);
    s.db.prepare("UPDATE devices SET battery = 9 WHERE id = 'many-00007'").run();
    s.db.prepare("INSERT INTO devices (id, kind, household_id, heartbeat_s, created_at) VALUES ('odd-never', 'mqtt-button', ?, 60, ?)").run(home.id, NOW);
    s.db.prepare("INSERT INTO devices (id, kind, household_id, heartbeat_s, created_at) VALUES ('odd-unplaced', 'mqtt-button', NULL, 60, ?)").run(NOW);
  });
  clock.advance(NOW - START); // the health sweep runs on its timer meanwhile
  while ((t.hub.healthSweep as unknown as { draining: boolean }).draining) await new Promise((r) => setTimeout(r, 5));
  t.hub.healthSweep.sweep(NOW);
});
afterAll(async () => { await t.stop(); });

/** Until a job of `kind` has reached the runner's queue. */
async function queued(kind: string): Promise<void> {
  while (![...runner().waiting.values()].some((w) => w.job.kind === kind)) await new Promise((r) => setTimeout(r, 1));
}

it('acks a press while the health list of 20,000 devices is built, and the list is what the hub would build inline', async () => {
  const order: string[] = [];
  const dev = await t.device('demo-0001');
  const list = t.api('GET', '/api/devices/health', admin).then((r) => { order.push('list'); return r; });
  await queued('device-health');
  await dev.send('press');
  order.push('ack');
  const r = await list;
  expect(r.status).toBe(200);
  expect(order).toEqual(['ack', 'list']);
  const byId = new Map(r.body.devices.map((d: { id: string }) => [d.id, d]));
  expect(byId.size).toBeGreaterThan(MANY);
  expect(byId.get('odd-silent')).toMatchObject({ status: 'offline', problems: ['offline'], supervised: true });
  expect(byId.get('many-00007')).toMatchObject({ status: 'online', problems: ['low_battery'], battery: 9 });
  expect(byId.get('odd-never')).toMatchObject({ status: 'never_connected', problems: [] });
  expect(byId.get('many-00001')).toMatchObject({ status: 'online', problems: [], online: true, lastSeen: NOW, address: expect.any(String) });
  expect(byId.has('odd-unplaced')).toBe(false);
  const inline = JSON.parse(new TextDecoder().decode(runReadJob(t.hub.store, { kind: 'device-health', scopePath: null, now: NOW, graceMs: t.hub.config.heartbeatGraceS * 1000 }) as Uint8Array));
  expect(r.body).toEqual(inline);
  await dev.close();
});

it('shows staff only their own grid\'s devices; an admin also sees devices with no household', async () => {
  const grid2 = await t.login('grid2');
  const mine = (await t.api('GET', '/api/devices', grid2)).body.devices.map((d: { id: string }) => d.id);
  const scope = t.hub.store.grid.get(t.hub.store.staff.byUsername('grid2')!.scopeNodeId!).path;
  const expected = t.hub.store.devices.list().filter((d) => {
    const hh = d.householdId === null ? undefined : t.hub.store.households.get(d.householdId);
    return hh !== undefined && t.hub.store.grid.get(hh.gridId).path.startsWith(scope);
  }).map((d) => d.id);
  expect(mine.length).toBeGreaterThan(0);
  expect(mine).toEqual(expected);
  expect(mine.some((id: string) => id.startsWith('many-'))).toBe(false);
  const health = (await t.api('GET', '/api/devices/health', grid2)).body.devices.map((d: { id: string }) => d.id);
  expect(health).toEqual(expected);
  const all = (await t.api('GET', '/api/devices', admin)).body.devices;
  expect(all.find((d: { id: string }) => d.id === 'odd-unplaced')).toMatchObject({ householdId: null, kind: 'mqtt-button' });
  expect(all[0]).not.toHaveProperty('gridPath');
  expect(all[0]).not.toHaveProperty('secretHash');
  expect((await t.api('GET', '/api/devices')).status).toBe(401);
});

it('consoles asking for the same list at once share one build', async () => {
  const before = runner().stats.inWorker;
  const answers = await Promise.all(Array.from({ length: 6 }, () => t.api('GET', '/api/devices/health', admin)));
  for (const a of answers) expect(a.status).toBe(200);
  expect(answers.every((a) => a.body.devices.length === answers[0].body.devices.length)).toBe(true);
  // The six asked within a few milliseconds, while one build takes far longer: one or two builds, not six.
  expect(runner().stats.inWorker - before).toBeLessThanOrEqual(2);
});

it('sends the counts over the scope and one page, most urgent first; the filters and the search run in the hub', async () => {
  const whole = (await t.api('GET', '/api/devices/health', admin)).body;
  const page = (await t.api('GET', '/api/devices/health?limit=300', admin)).body;
  expect(page.summary).toEqual(whole.summary);
  expect(page.summary).toMatchObject({ total: whole.devices.length, offline: expect.any(Number), lowBattery: expect.any(Number) });
  expect(page.summary.offline).toBeGreaterThanOrEqual(1);
  expect(page.matched).toBe(whole.devices.length);
  expect(page.devices).toEqual(whole.devices.slice(0, 300));
  expect(whole.devices[0]).toMatchObject({ status: 'offline' });
  const next = (await t.api('GET', '/api/devices/health?limit=300&offset=300', admin)).body;
  expect(next.devices).toEqual(whole.devices.slice(300, 600));
  // What a devices view receives every 30 s: a 300-row page instead of every one of 20,000 devices.
  expect(JSON.stringify(page).length * 20).toBeLessThan(JSON.stringify(whole).length);

  const problems = (await t.api('GET', '/api/devices/health?problems=only&limit=5000', admin)).body;
  expect(problems.matched).toBe(whole.summary.withProblems);
  const ids = problems.devices.map((d: { id: string }) => d.id);
  expect(ids).toEqual(expect.arrayContaining(['odd-silent', 'many-00007', 'odd-never']));
  expect(ids).not.toContain('many-00001');
  const found = (await t.api('GET', '/api/devices/health?q=MANY-0000&limit=5', admin)).body;
  expect(found.matched).toBe(10);
  expect(found.devices.map((d: { id: string }) => d.id)).toEqual(['many-00007', 'many-00000', 'many-00001', 'many-00002', 'many-00003']);
});

it('gives the health list as CSV for a maintenance round: the filtered devices, every one, most urgent first', async () => {
  const csvOf = async (query: string, token = admin) => {
    const res = await fetch(`${t.httpUrl}/api/devices/health${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), lines: (await res.text()).trim().split('\n') };
  };
  const problems = await csvOf('?problems=only');
  expect(problems.status).toBe(200);
  expect(problems.type).toMatch(/^text\/csv/);
  expect(problems.disposition).toContain('device-health.csv');
  const head = problems.lines[0].split(',');
  expect(head.slice(0, 8)).toEqual(['device', 'kind', 'status', 'offline', 'never_connected', 'low_battery', 'test_overdue', 'open_problems']);
  const json = (await t.api('GET', '/api/devices/health?problems=only', admin)).body;
  expect(problems.lines.slice(1).map((l) => l.split(',')[0])).toEqual(json.devices.map((d: { id: string }) => d.id));
  const silent = problems.lines.find((l) => l.startsWith('odd-silent,'))!.split(',');
  expect(silent.slice(0, 4)).toEqual(['odd-silent', 'mqtt-button', 'offline', 'yes']);
  expect(silent[head.indexOf('last_seen_iso')]).toBe(new Date(START - 3_600_000).toISOString());
  expect((await csvOf('?q=many-0000')).lines).toHaveLength(1 + 10); // the search applies; no limit: every match
  expect((await csvOf('?limit=0')).status).toBe(400);
});

it('leaves revoked devices out of the health list and its counts', async () => {
  const before = (await t.api('GET', '/api/devices/health?q=many-00003&limit=1', admin)).body;
  expect(before.devices.map((d: { id: string }) => d.id)).toEqual(['many-00003']);
  expect((await t.api('POST', '/api/devices/many-00003/revoke', admin)).status).toBe(200);
  const after = (await t.api('GET', '/api/devices/health?q=many-00003&limit=1', admin)).body;
  expect(after).toMatchObject({ devices: [], matched: 0 });
  expect(after.summary.total).toBe(before.summary.total - 1);
});

it('refuses a health list query it cannot read, saying why, and goes on serving', async () => {
  const bad = ['limit=0', 'limit=5001', 'limit=abc', 'limit=-1', 'limit=', 'offset=-1', 'offset=1.5', 'offset=1234567', 'problems=yes', `q=${'x'.repeat(65)}`, 'page=2'];
  for (const q of bad) {
    const r = await t.api('GET', `/api/devices/health?${q}`, admin);
    expect(r.status, q).toBe(400);
    expect(r.body.error.code, q).toBe('E_VALIDATION');
    expect(r.body.error.message.length, q).toBeGreaterThan(0);
  }
  expect((await t.api('GET', '/api/devices/health?limit=5000&offset=999999&q=%E5%95%86', admin)).body).toMatchObject({ devices: [], offset: 999999 });
  expect((await t.api('GET', '/api/devices/health?limit=1', admin)).body.devices).toHaveLength(1);
});

it('finds households for the RF picker in the report worker: by number, address or first resident, cut to a limit; bad queries refused', async () => {
  const all = (await t.api('GET', '/api/households', admin)).body;
  expect(all.matched).toBe(all.households.length);
  const few = (await t.api('GET', '/api/households?limit=3', admin)).body;
  expect(few).toEqual({ households: all.households.slice(0, 3), matched: all.households.length });
  const first = all.households[0];
  const byName = (await t.api('GET', `/api/households?q=${encodeURIComponent(first.residents[0].name)}&limit=50`, admin)).body;
  expect(byName.households.map((h: { id: number }) => h.id)).toContain(first.id);
  const last = all.households.at(-1);
  expect((await t.api('GET', `/api/households?q=${last.id}&limit=1`, admin)).body.households.map((h: { id: number }) => h.id)).toEqual([last.id]); // the number typed comes first
  const byNumber = (await t.api('GET', `/api/households?q=${first.id}&limit=50`, admin)).body.households;
  expect(byNumber.every((h: { id: number; address: string }) => h.id === first.id || h.address.includes(String(first.id)))).toBe(true);
  expect(byNumber.map((h: { id: number }) => h.id)).toContain(first.id);
  expect((await t.api('GET', '/api/households?q=no%20such%20place&limit=5', admin)).body).toEqual({ households: [], matched: 0 });
  for (const q of ['limit=0', 'limit=1001', 'limit=x', `q=${'x'.repeat(65)}`, 'scope=all']) {
    const r = await t.api('GET', `/api/households?${q}`, admin);
    expect(r.status, q).toBe(400);
    expect(r.body.error.code, q).toBe('E_VALIDATION');
  }
  expect((await t.api('GET', '/api/households?limit=1', admin)).body.households).toHaveLength(1);
});

it('lists households in the report worker, with their residents and contacts, the same as read one by one; staff see their grid\'s only', async () => {
  const s = t.hub.store;
  const grid = s.grid.list().find((g) => g.level === 'grid')!;
  s.households.create({ gridId: grid.id, address: 'No. 9, unit 2', accessNote: 'key with neighbour', residents: [
    { name: 'first', age: 81, phone: '1', medicalNote: '' }, { name: 'second', age: 79, phone: '2', medicalNote: 'diabetic' }],
  contacts: [{ name: 'son', relation: 'son', phone: '3' }] }, NOW);
  const fresh = Store.open(t.hub.config.dbPath);
  try {
    const oneByOne = (fresh.db.prepare('SELECT id FROM households ORDER BY id').all() as { id: number }[]).map((r) => fresh.households.get(r.id));
    const built = runner().stats.inWorker;
    const listed = (await t.api('GET', '/api/households', admin)).body.households;
    expect(runner().stats.inWorker).toBe(built + 1);
    // Each with what its record lacks for a call (reports/household-search.ts missingOf).
    expect(listed).toEqual(JSON.parse(JSON.stringify(oneByOne.map((h) => ({ ...h, missing: missingOf(h!) })))));
    const grid1 = s.staff.byUsername('grid1')!.scopeNodeId!;
    const own = (await t.api('GET', '/api/households', await t.login('grid1'))).body.households;
    expect(own.map((h: { id: number }) => h.id)).toEqual(oneByOne.filter((h) => h!.gridId === grid1).map((h) => h!.id));
    expect(own.length).toBeGreaterThan(0);
    expect((await t.api('GET', '/api/households', await t.login('community'))).body.households.length).toBe(oneByOne.length);
    expect(listed.at(-1)).toMatchObject({ address: 'No. 9, unit 2', residents: [{ name: 'first' }, { name: 'second' }], contacts: [{ relation: 'son' }] });
    fresh.households.forgetCache();
    expect(fresh.householdLists.list(null)).toEqual(oneByOne);
  } finally {
    fresh.db.close();
  }
});
