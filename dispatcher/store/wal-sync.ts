/**
 * Group fsync of the write-ahead log, off the event loop, for every commit of the hub.
 *
 * With `synchronous=FULL`, SQLite fsyncs the WAL inside every COMMIT, and better-sqlite3 runs
 * that on the event loop: each group commit of device events stopped the whole hub (acks,
 * consoles, MQTT parsing) for the length of one fsync (issue 6 profile: 15 % of the hub's time
 * at 6,000 alarms/s), and on a disk that stalls one small fsync took up to 240 ms. The hub's
 * connection therefore commits with `synchronous=NORMAL` (SQLite writes the WAL frames but does
 * not fsync them; Store sets it) and whatever must not leave the hub before its commit is on disk
 * waits here: a device's ack and notifications, a staff member's answer, the answer to any HTTP
 * request that wrote (dispatcher/http/durable-answers.ts). It is released only after an
 * `fdatasync` of the WAL file that began after the commit had returned. fdatasync flushes the file
 * whichever descriptor asks, so the frames of every commit written before the call are on disk when
 * it returns: the guarantee FULL gives, without holding the event loop. One fdatasync runs at a
 * time, on libuv's thread pool; commits made while it runs wait for the next one, so a busy hub
 * does one fsync per round, not one per commit. Consoles hear of changes at the commit (see
 * CommitUnits.takeEffects in alerts/commit-units.ts). Writes nobody waits for (presence, pruning, audit rows) ask for an
 * fdatasync too (Store.txDeferred), so they reach the disk within one round.
 *
 * If an fdatasync fails, the waiting work is refused (devices get no ack and re-send; an answer
 * becomes 503 E_STORAGE), the connection goes back to SQLite's own FULL sync for every later commit
 * (which then releases its work at once), and the failure is reported (docs/reliability.md).
 */
import { openSync, closeSync, fdatasync, fdatasyncSync, existsSync } from 'node:fs';

interface Waiter { release: () => void; refuse: (err: Error) => void }

export interface WalSyncStats { syncs: number; released: number; largestGroup: number; failures: number }

export class WalSync {
  private fd: number | null = null;
  /** The write mark (Store.writeMark) the fdatasync now running covers, and the last one a finished fdatasync covered. */
  private covering = 0;
  private durableMark = 0;
  /** Committed, waiting for the next fdatasync. */
  private waiting: Waiter[] = [];
  /** Covered by the fdatasync now running. */
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
   * `sync` is fs.fdatasync; tests pass one that fails. `mark` reads how far the connection has
   * written (a number that grows with every write; Store.writeMark). `failing` is told first when an
   * fdatasync fails, before any waiting work is refused (Store goes back to FULL there).
   */
  constructor(walPath: string | null, private readonly sync: typeof fdatasync = fdatasync,
    private readonly mark: () => number = () => 0, private readonly failing: (err: Error) => void = () => {}) {
    if (walPath && existsSync(walPath)) this.fd = openSync(walPath, 'r');
  }

  /** True when commits may skip SQLite's own fsync and wait here instead. */
  get deferrable(): boolean {
    return this.fd !== null && this.failed === null;
  }

  get pending(): number {
    return this.waiting.length + this.syncing.length;
  }

  /** After a commit made without a sync: `release` runs once an fdatasync covering it returns. */
  committedUnsynced(release: () => void, refuse: (err: Error) => void): void {
    if (!this.deferrable) {
      // Nothing defers (an in-memory database, or SQLite syncs every commit itself since an fdatasync failed).
      this.run([{ release, refuse }]);
      return;
    }
    this.waiting.push({ release, refuse });
    if (!this.inFlight) this.startSync();
  }

  /**
   * Resolves once every write up to `mark` is on disk: at once if a finished fdatasync already
   * covered it (or nothing here defers), else after the next one. Rejects if that fdatasync fails.
   */
  durable(mark: number): Promise<void> {
    if (!this.deferrable || mark <= this.durableMark) return Promise.resolve();
    // Written before the fdatasync now running began: that one covers it.
    if (this.inFlight && mark <= this.covering) return new Promise((resolve, reject) => this.syncing.push({ release: resolve, refuse: reject }));
    return new Promise((resolve, reject) => this.committedUnsynced(resolve, reject));
  }

  /** Syncs now and releases everything (at shutdown). */
  drain(): void {
    if (this.pending === 0 || this.fd === null) return;
    try {
      const mark = this.mark();
      fdatasyncSync(this.fd);
      this.durableMark = Math.max(this.durableMark, mark);
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
    this.covering = this.mark();
    this.sync(this.fd!, (err) => {
      this.inFlight = false;
      if (this.fd === null) return; // closed meanwhile: drain() already settled everything
      if (err) return this.fail(err);
      this.stats.syncs++;
      this.durableMark = Math.max(this.durableMark, this.covering);
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
    try { this.failing(err); } catch (e) { this.onReleaseError(e as Error); }
    const group = this.syncing.concat(this.waiting);
    this.syncing = [];
    this.waiting = [];
    for (const w of group) {
      try { w.refuse(err); } catch (e) { this.onReleaseError(e as Error); }
    }
    this.onFailure(err);
  }
}
