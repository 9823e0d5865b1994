/**
 * Group fsync of the write-ahead log, off the event loop, for the device-event path.
 *
 * With `synchronous=FULL`, SQLite fsyncs the WAL inside every COMMIT, and better-sqlite3 runs
 * that on the event loop: each group commit of device events stopped the whole hub (acks,
 * consoles, MQTT parsing) for the length of one fsync (issue 6 profile: 15 % of the hub's time
 * at 6,000 alarms/s). The device-event path instead commits with `synchronous=NORMAL` (SQLite
 * writes the WAL frames but does not fsync them) and hands its acks and device notifications
 * to this class, which releases them only after an `fdatasync` of the WAL file
 * that began after the commit has returned. fdatasync flushes the file whichever descriptor
 * asks, so the frames of every commit written before the call are on disk when it returns:
 * the same guarantee FULL gives, without holding the event loop. One fdatasync runs at a
 * time, on libuv's thread pool; commits made while it runs wait for the next one, so a busy
 * hub does one fsync per round, not one per commit.
 *
 * Work the clock or a sweep starts (escalation steps, health alerts, presence, pruning) commits the
 * same way (AlertService.unitDeferred, Store.txDeferred): on the test machine a small fsync on the
 * event loop took up to 240 ms while the checkpoint worker synced the database file. Staff actions
 * (their answers wait here like acks) and audit rows do too. Admin writes and logins still commit
 * with FULL. Such a commit makes every earlier frame durable too, so
 * it first releases whatever was waiting: released work always goes out in commit order (a device
 * never hears of step N+1 before step N).
 *
 * If an fdatasync fails, the waiting work is refused (devices get no ack and re-send), every
 * later commit goes back to SQLite's own FULL sync, and the failure is reported (docs/reliability.md).
 */
import { openSync, closeSync, fdatasync, fdatasyncSync, existsSync } from 'node:fs';

interface Waiter { release: () => void; refuse: (err: Error) => void }

export interface WalSyncStats { syncs: number; released: number; largestGroup: number; failures: number }

export class WalSync {
  private fd: number | null = null;
  /** Committed, waiting for the next fdatasync. */
  private waiting: Waiter[] = [];
  /** Covered by the fdatasync now running (emptied early if a FULL commit made them durable). */
  private syncing: Waiter[] = [];
  private inFlight = false;
  failed: Error | null = null;
  readonly stats: WalSyncStats = { syncs: 0, released: 0, largestGroup: 0, failures: 0 };
  /** Told when an fdatasync fails. */
  onFailure: (err: Error) => void = () => {};
  /** Told when released work throws (the rest of its group still runs). */
  onReleaseError: (err: Error) => void = () => {};

  /**
   * `walPath` is null for an in-memory database, where nothing is durable and nothing waits.
   * `sync` is fs.fdatasync; tests pass one that fails.
   */
  constructor(walPath: string | null, private readonly sync: typeof fdatasync = fdatasync) {
    if (walPath && existsSync(walPath)) this.fd = openSync(walPath, 'r');
  }

  /** True when commits may skip SQLite's own fsync and wait here instead. */
  get deferrable(): boolean {
    return this.fd !== null && this.failed === null;
  }

  get pending(): number {
    return this.waiting.length + this.syncing.length;
  }

  /** After a commit that SQLite synced itself: everything committed earlier is durable too. */
  committedDurably(release?: () => void): void {
    this.releaseAll();
    if (release) this.run([{ release, refuse: () => {} }]);
  }

  /** After a commit made without a sync: `release` runs once an fdatasync covering it returns. */
  committedUnsynced(release: () => void, refuse: (err: Error) => void): void {
    if (!this.deferrable) {
      this.committedDurably(release);
      return;
    }
    this.waiting.push({ release, refuse });
    if (!this.inFlight) this.startSync();
  }

  /** Syncs now and releases everything (at shutdown). */
  drain(): void {
    if (this.pending === 0 || this.fd === null) return;
    try {
      fdatasyncSync(this.fd);
      this.releaseAll();
    } catch (err) {
      this.fail(err as Error);
    }
  }

  close(): void {
    this.drain();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private startSync(): void {
    this.inFlight = true;
    this.syncing = this.waiting;
    this.waiting = [];
    this.stats.largestGroup = Math.max(this.stats.largestGroup, this.syncing.length);
    this.sync(this.fd!, (err) => {
      this.inFlight = false;
      if (this.fd === null) return; // closed meanwhile: drain() already settled everything
      if (err) return this.fail(err);
      this.stats.syncs++;
      const group = this.syncing;
      this.syncing = [];
      this.run(group);
      if (this.waiting.length) this.startSync();
    });
  }

  private releaseAll(): void {
    const group = this.syncing.length ? this.syncing.concat(this.waiting) : this.waiting;
    this.syncing = [];
    this.waiting = [];
    this.run(group);
  }

  private run(group: Waiter[]): void {
    this.stats.released += group.length;
    for (const w of group) {
      try { w.release(); } catch (err) { this.onReleaseError(err as Error); }
    }
  }

  private fail(err: Error): void {
    this.failed = err;
    this.stats.failures++;
    const group = this.syncing.concat(this.waiting);
    this.syncing = [];
    this.waiting = [];
    for (const w of group) {
      try { w.refuse(err); } catch (e) { this.onReleaseError(e as Error); }
    }
    this.onFailure(err);
  }
}
