/**
 * Group fsync of the WAL (dispatcher/store/wal-sync.ts): the hub commits without SQLite's own
 * fsync, and whatever depends on a commit (acks, device notifications, answers to staff and to any
 * request that wrote) waits for an fdatasync of the WAL. Unit tests drive WalSync with an
 * fdatasync the test holds back; the hub tests check, with a real device, console and HTTP client,
 * that nothing leaves before that fdatasync returns, that no commit syncs on the event loop, and
 * what happens when the fdatasync fails.
 */
import { describe, it, expect, afterAll, afterEach } from 'vitest';
import { fdatasync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalSync } from '../dispatcher/store/wal-sync.ts';
import { Store } from '../dispatcher/store/store.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { SimDevice } from '../simulator/sim-device.ts';
import { ManualClock } from '../dispatcher/clock.ts';

type Cb = (err: NodeJS.ErrnoException | null) => void;

/** An fdatasync that really syncs but reports back only when the test says so. */
function heldSync() {
  const held: { cb: Cb; err: NodeJS.ErrnoException | null }[] = [];
  let failNext: NodeJS.ErrnoException | null = null;
  let holding = true;
  const fn = ((fd: number, cb: Cb) => {
    fdatasync(fd, (err) => {
      const e = err ?? failNext;
      failNext = null;
      if (holding) held.push({ cb, err: e });
      else cb(e);
    });
  }) as typeof fdatasync;
  return {
    fn, held,
    fail(code = 'EIO') { failNext = Object.assign(new Error(`${code}: i/o error, fdatasync`), { code }); },
    releaseAll() { for (const h of held.splice(0)) h.cb(h.err); },
    stopHolding() { holding = false; this.releaseAll(); },
    /** `p`, with every fdatasync released as it comes until it settles (a login's answer waits for one). */
    async releasingUntil<T>(p: Promise<T>): Promise<T> {
      let done = false;
      void p.finally(() => { done = true; }).catch(() => {});
      while (!done) { this.releaseAll(); await new Promise((r) => setTimeout(r, 5)); }
      return p;
    },
  };
}
/** A press, with every fdatasync released as it comes, until it is acked: its alert id. */
async function pressReleasing(d: SimDevice, s: ReturnType<typeof heldSync>): Promise<string> {
  let acked: { alertId: string | null } | null = null;
  void d.send('press').then((r) => { acked = r; });
  while (!(await until(() => acked !== null, 100))) s.releaseAll();
  return acked!.alertId!;
}

/** SQLite's own sync at commit for the hub's connection: 1 NORMAL (the fsync is left to WalSync), 2 FULL (on the event loop). */
const syncMode = (t: TestHub) => t.hub.store.db.pragma('synchronous', { simple: true });

const tick = () => new Promise((r) => setTimeout(r, 20));
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await tick();
  return cond();
};

describe('WalSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-walsync-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** A WalSync over a fresh file of its own, with an fdatasync the test holds back. */
  const held = () => {
    const wal = join(dir, `${++n}.db-wal`);
    writeFileSync(wal, 'frames');
    const s = heldSync();
    return { s, w: new WalSync(wal, s.fn) };
  };

  it('releases unsynced commits only after an fdatasync that began after them, one sync per round', async () => {
    const { s, w } = held();
    const out: string[] = [];
    w.committedUnsynced(() => out.push('a'), () => out.push('a refused'));
    await until(() => s.held.length === 1);
    // Committed while the first sync runs: must wait for the next one.
    w.committedUnsynced(() => out.push('b'), () => out.push('b refused'));
    w.committedUnsynced(() => out.push('c'), () => out.push('c refused'));
    expect(out).toEqual([]);
    s.releaseAll();
    expect(out).toEqual(['a']);
    await until(() => s.held.length === 1);
    s.releaseAll();
    expect(out).toEqual(['a', 'b', 'c']);
    expect(w.stats).toMatchObject({ syncs: 2, released: 3, largestGroup: 2 });
    w.close();
  });

  it('durable(mark): at once when a finished fdatasync covered the mark, else after the next one', async () => {
    const wal = join(dir, `${++n}.db-wal`);
    writeFileSync(wal, 'frames');
    const s = heldSync();
    let mark = 5;
    const w = new WalSync(wal, s.fn, () => mark);
    let first = false;
    void w.durable(5).then(() => { first = true; });
    await until(() => s.held.length === 1);
    let joined = false;
    void w.durable(5).then(() => { joined = true; }); // covered by the fdatasync already running
    mark = 9; // written while that fdatasync runs: not covered by it
    let second = false;
    void w.durable(9).then(() => { second = true; });
    s.releaseAll();
    await until(() => first && joined);
    expect([first, joined, second]).toEqual([true, true, false]);
    await until(() => s.held.length === 1);
    s.releaseAll();
    await until(() => second);
    expect(second).toBe(true);
    expect(s.held.length).toBe(0);
    await w.durable(9); // covered already: no new fdatasync
    await w.durable(3);
    expect(s.held.length).toBe(0);
    s.fail();
    mark = 12;
    const failed = w.durable(12);
    await until(() => s.held.length === 1);
    s.releaseAll();
    await expect(failed).rejects.toThrow(/EIO/);
    await w.durable(13); // SQLite syncs every commit itself from now on: nothing waits
    w.close();
  });

  it('a failed fdatasync refuses what it covered and what waits, and later commits are released at once', async () => {
    const { s, w } = held();
    const failures: string[] = [];
    w.onFailure = (e) => failures.push((e as NodeJS.ErrnoException).code ?? '');
    const out: string[] = [];
    s.fail();
    w.committedUnsynced(() => out.push('a'), (e) => out.push(`a refused ${(e as NodeJS.ErrnoException).code}`));
    await until(() => s.held.length === 1);
    w.committedUnsynced(() => out.push('b'), () => out.push('b refused'));
    s.releaseAll();
    expect(out).toEqual(['a refused EIO', 'b refused']);
    expect(failures).toEqual(['EIO']);
    expect(w.deferrable).toBe(false);
    w.committedUnsynced(() => out.push('c'), () => out.push('c refused'));
    expect(out.at(-1)).toBe('c'); // no longer deferred: SQLite synced the commit itself
    w.close();
  });

  it('one released job that throws does not stop the others', async () => {
    const w = new WalSync(null);
    const errs: string[] = [];
    w.onReleaseError = (e) => errs.push(e.message);
    const out: string[] = [];
    w.committedUnsynced(() => { throw new Error('boom'); }, () => {});
    w.committedUnsynced(() => out.push('after'), () => {});
    expect(errs).toEqual(['boom']);
    expect(out).toEqual(['after']);
  });
});

it('the store commits without SQLite\'s own fsync (FULL once an fdatasync failed); an unsynced commit inside another transaction is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-walsync-'));
  const s = heldSync();
  s.stopHolding();
  const store = Store.open(join(dir, 'x.db'), s.fn);
  try {
    expect(store.wal.deferrable).toBe(true);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(() => store.tx(() => store.txUnsynced(() => 1))).toThrow(/inside a transaction/);
    const before = store.writeMark();
    expect(store.txUnsynced(() => store.db.prepare("INSERT INTO hub_state (key, value) VALUES ('t', 1)").run().changes)).toBe(1);
    expect(store.writeMark()).toBe(before + 1);
    s.fail();
    await expect(store.wal.durable(store.writeMark())).rejects.toThrow(/EIO/);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('device events wait for the WAL to be on disk', () => {
  let t: TestHub | null = null;
  afterEach(async () => { await t?.stop(); t = null; });

  it('no ack or device notification before the fdatasync returns (consoles hear at once)', async () => {
    const s = heldSync();
    t = await startTestHub({ fdatasync: s.fn });
    const c = await s.releasingUntil(t.console('grid1'));
    const d = await t.device('demo-0003');
    // The login's audit row asked for an fdatasync too: let it return first.
    while (!(await until(() => t!.hub.store.wal.pending === 0, 50))) s.releaseAll();
    let acked: { alertId: string | null } | null = null;
    void d.send('press').then((r) => { acked = r; });
    await until(() => s.held.length > 0);
    // Committed (a reader sees it) but not yet synced: nothing has left the hub.
    const stored = t.hub.store.db.prepare("SELECT alert_id AS alertId FROM device_events WHERE device_id = 'demo-0003'").get() as { alertId: string } | undefined;
    expect(stored?.alertId).toBeTruthy();
    await c.change(stored!.alertId); // staff see the call at the commit
    await new Promise((r) => setTimeout(r, 150));
    expect(acked).toBeNull();
    expect(d.notifications).toEqual([]);
    expect(syncMode(t)).toBe(1);
    s.stopHolding();
    await until(() => acked !== null);
    expect(acked!.alertId).toBe(stored!.alertId);
    await d.waitForNotify('received', stored!.alertId);
    const h = (await t.api('GET', '/healthz')).body;
    expect(h.walSync).toMatchObject({ deferred: true, failed: null, pending: 0 });
    expect(h.walSync.syncs).toBeGreaterThanOrEqual(1);
  });

  it('an escalation step commits without SQLite\'s own fsync: consoles hear it at once, the group fdatasync follows', async () => {
    const s = heldSync();
    const clock = new ManualClock(Date.parse('2026-11-25T02:00:00Z'));
    t = await startTestHub({ fdatasync: s.fn, clock });
    await s.releasingUntil(t.console('grid1')); // online at level 0, so the call waits there for its deadline
    const community = await s.releasingUntil(t.console('community'));
    const d = await t.device('demo-0003');
    const id = await pressReleasing(d, s);
    expect((await community.change(id)).level).toBe(0);
    t.hub.healthSweep.stop(); // its writes are deferred too: only the step may ask for an fdatasync here
    await until(() => s.held.length > 0, 300);
    s.releaseAll();
    clock.advance(60_000); // the escalation deadline
    // On the consoles at once, while the fdatasync it asked for is still held back: no fsync on the event loop.
    expect((await community.change(id, (a) => a.level === 1)).level).toBe(1);
    expect(await until(() => s.held.length > 0, 1000)).toBe(true);
    expect(syncMode(t)).toBe(1);
    s.stopHolding();
  });

  it('a staff action and its audit row commit without SQLite\'s own fsync: consoles hear at once, the answer and help_coming wait for the fdatasync', async () => {
    const s = heldSync();
    t = await startTestHub({ fdatasync: s.fn });
    t.hub.healthSweep.stop();
    const grid1 = await s.releasingUntil(t.console('grid1'));
    const token = await s.releasingUntil(t.login('grid1'));
    const d = await t.device('demo-0003');
    const id = await pressReleasing(d, s);
    const audited = () => (t!.hub.store.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'alert_action'").get() as { n: number }).n;

    let answer: { status: number; body: any } | null = null;
    void t.api('POST', `/api/alerts/${id}/ack`, token).then((r) => { answer = r; });
    expect((await grid1.change(id, (a) => a.state === 'accepted')).state).toBe('accepted'); // at the commit
    expect(await until(() => s.held.length > 0, 1000)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(answer).toBeNull();
    expect(d.notifications.filter((n) => n.status === 'help_coming')).toEqual([]);
    s.releaseAll();
    await until(() => answer !== null);
    expect(answer!.status).toBe(200);
    expect(answer!.body.alert.state).toBe('accepted');
    await d.waitForNotify('help_coming', id);
    await until(() => audited() === 1);
    expect(audited()).toBe(1);
    expect(syncMode(t)).toBe(1);
    s.stopHolding();

    // The fdatasync under an action fails: the staff member is told (503) and the hub keeps serving.
    // The failure goes to whichever fdatasync returns next, so first let the audit row's deferred one
    // (still running once the row is counted) finish; else it takes the failure and the action after
    // it commits under SQLite's own sync (a 200, as a hub that has already failed answers).
    expect(await until(() => t!.hub.store.wal.pending === 0)).toBe(true);
    s.fail();
    const failed = await t.api('POST', `/api/alerts/${id}/arrive`, token);
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe('E_STORAGE');
    expect(failed.body.error.message).toMatch(/look at the call again/);
    expect((await t.api('GET', '/healthz')).body.ok).toBe(true);
    const resolved = await t.api('POST', `/api/alerts/${id}/resolve`, token, { outcome: 'false_alarm' });
    expect(resolved.status).toBe(200); // SQLite syncs every commit itself from now on
    expect(syncMode(t)).toBe(2);
  });

  it('a login and an admin change are answered only after the fdatasync; reads and refused writes are not held; a failed fdatasync is a 503', async () => {
    const s = heldSync();
    t = await startTestHub({ fdatasync: s.fn });
    t.hub.healthSweep.stop();
    await until(() => s.held.length > 0, 300);
    s.releaseAll();
    const settled = <T,>(p: Promise<T>) => { const box: { v: T | null } = { v: null }; void p.then((v) => { box.v = v; }); return box; };

    const login = settled(t.api('POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' }));
    expect(await until(() => s.held.length > 0, 1000)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(login.v).toBeNull(); // the session row is committed, not yet on disk: no token yet
    s.releaseAll();
    await until(() => login.v !== null);
    const token = login.v!.body.token as string;
    expect(token).toBeTruthy();
    await until(() => s.held.length > 0, 300); // its audit row's deferred fdatasync
    s.releaseAll();

    const grid1 = t.hub.store.grid.list().find((n) => n.name === '第一网格')!;
    const admin = t.hub.store.staff.byUsername('admin')!;
    const now = Date.now();
    const override = settled(t.api('POST', `/api/grid/${grid1.id}/roster/overrides`, token, { staffId: admin.id, startsAt: now, endsAt: now + 3_600_000, onDuty: true }));
    expect(await until(() => s.held.length > 0, 1000)).toBe(true);
    // Held: the answer waits, the event loop does not. A read and a refused write go out meanwhile.
    expect((await t.api('GET', '/api/grid', token)).status).toBe(200);
    const refused = await t.api('POST', `/api/grid/${grid1.id}/roster/overrides`, token, { staffId: admin.id, startsAt: now, endsAt: now - 1, onDuty: true });
    expect(refused.status).toBe(400);
    expect(override.v).toBeNull();
    expect(syncMode(t)).toBe(1);
    s.releaseAll();
    await until(() => override.v !== null);
    expect(override.v!.status).toBe(201);
    s.stopHolding();

    // The failure goes to the next fdatasync: first let any still running (the first change's audit row) finish.
    const wal = (t.hub as any).store.wal;
    await until(() => !wal.inFlight && wal.pending === 0);
    s.fail();
    const failed = await t.api('POST', `/api/grid/${grid1.id}/roster/overrides`, token, { staffId: admin.id, startsAt: now, endsAt: now + 60_000, onDuty: false });
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe('E_STORAGE');
    expect(failed.body.error.message).toMatch(/look before repeating it/);
    // Stored all the same, and the hub goes on with SQLite's own fsync.
    expect(t.hub.store.rosters.overrides(grid1.id, now).length).toBe(2);
    expect(syncMode(t)).toBe(2);
    const again = await t.api('DELETE', `/api/grid/${grid1.id}/roster/overrides/${override.v!.body.id}`, token);
    expect(again.status).toBe(200);
    expect((await t.api('GET', '/healthz')).body.ok).toBe(true);
  });

  it('a failed fdatasync: no ack, a storage fault on the consoles, and the re-sent press is acked', async () => {
    const s = heldSync();
    t = await startTestHub({ fdatasync: s.fn });
    s.stopHolding();
    const c = await t.console('admin');
    // The hub closes a device's connection when it cannot take its event: this one reconnects, as devices do.
    const d = new SimDevice({ url: t.mqttUrl, id: 'demo-0004', secret: 'demo-secret', resendMs: 1000, reconnectMs: 200 });
    await d.connect();
    s.fail();
    const r = await d.send('press'); // the first send is refused; the device re-sends
    expect(r.sends).toBeGreaterThanOrEqual(2);
    expect(r.alertId).toBeTruthy();
    const fault = await c.waitFor((f) => f.type === 'change' && f.alert?.reason === 'storage_fault');
    expect(fault.alert.detail).toContain('EIO');
    const h = (await t.api('GET', '/healthz')).body;
    expect(h.walSync.deferred).toBe(false);
    expect(h.walSync.failed).toContain('EIO');
    expect(h.ok).toBe(true); // the hub keeps serving, with SQLite's own fsync
    const n = t.hub.store.db.prepare("SELECT count(*) AS n FROM device_events WHERE device_id = 'demo-0004'").get() as { n: number };
    expect(n.n).toBe(1); // the re-send was a duplicate of the stored event
    await d.close();
  });
});
