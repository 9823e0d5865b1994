/**
 * Brute-force limiter for logins (staff over HTTP, devices over MQTT). Pure logic: no I/O,
 * the clock is injected. Failed attempts are counted per source IP and per account in a
 * window; past the limit, that key is locked for a while. An admin can unlock a key.
 *
 * A locked account must not lock out its legitimate owner (a call button that reconnects is a
 * life-safety path, and an attacker who knows a device id could otherwise silence it). So a
 * (source, account) pair that logged in successfully recently is "trusted" and passes the
 * account lock; with `trustBypassesSourceLock` (devices) it passes the source lock as well, so
 * a button behind the same NAT as an attacker keeps working. Staff logins keep the source
 * lock for everyone. Trust lives in memory: it is lost on restart.
 *
 * Memory is bounded: at most `maxKeys` tracked keys per table; expired ones go first, then the
 * oldest. A flood of distinct keys can therefore only evict, never grow the tables.
 */

export interface LimitPolicy {
  /** Failures from one source IP within the window before it is locked. */
  maxFailuresPerSource: number;
  /** Failures against one account within the window before it is locked. */
  maxFailuresPerAccount: number;
  windowMs: number;
  lockMs: number;
  /** How long a successful (source, account) pair stays trusted. */
  trustMs: number;
  maxKeys: number;
  trustBypassesSourceLock: boolean;
}

export const DEFAULT_LIMIT_POLICY: LimitPolicy = {
  maxFailuresPerSource: 30,
  maxFailuresPerAccount: 10,
  windowMs: 10 * 60_000,
  lockMs: 15 * 60_000,
  trustMs: 30 * 24 * 3600_000,
  maxKeys: 50_000,
  trustBypassesSourceLock: false,
};

/** Devices: secrets are 128 random bits, so availability of a known device comes first. */
export const DEVICE_LIMIT_POLICY: LimitPolicy = { ...DEFAULT_LIMIT_POLICY, trustBypassesSourceLock: true };

export type LimitVerdict = { ok: true } | { ok: false; retryAfterMs: number; reason: 'source' | 'account' };

interface Entry { failures: number; windowStart: number; lockedUntil: number; touched: number }

class BoundedTable<V extends { touched: number }> {
  readonly map = new Map<string, V>();
  constructor(private readonly max: number, private readonly expired: (v: V) => boolean) {}

  get(k: string): V | undefined {
    return this.map.get(k);
  }

  set(k: string, v: V): void {
    this.map.delete(k);
    if (this.map.size >= this.max) this.evict();
    this.map.set(k, v); // Map keeps insertion order: re-inserting moves the key to the end
  }

  private evict(): void {
    for (const [k, v] of this.map) if (this.expired(v)) this.map.delete(k);
    while (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
  }
}

export class LoginRateLimiter {
  private readonly sources: BoundedTable<Entry>;
  private readonly accounts: BoundedTable<Entry>;
  private readonly trusted: BoundedTable<{ touched: number }>;

  constructor(private readonly now: () => number, readonly policy: LimitPolicy = DEFAULT_LIMIT_POLICY) {
    const stale = (e: Entry) => e.lockedUntil <= this.now() && this.now() - e.windowStart > policy.windowMs;
    this.sources = new BoundedTable(policy.maxKeys, stale);
    this.accounts = new BoundedTable(policy.maxKeys, stale);
    this.trusted = new BoundedTable(policy.maxKeys, (t) => this.now() - t.touched > policy.trustMs);
  }

  /** May this source try to log in to this account now? */
  check(source: string, account: string): LimitVerdict {
    const now = this.now();
    const t = this.trusted.get(pair(source, account));
    const trusted = !!t && now - t.touched <= this.policy.trustMs;
    if (trusted && this.policy.trustBypassesSourceLock) return { ok: true };
    const s = this.sources.get(source);
    if (s && s.lockedUntil > now) return { ok: false, retryAfterMs: s.lockedUntil - now, reason: 'source' };
    if (trusted) return { ok: true };
    const a = this.accounts.get(account);
    if (a && a.lockedUntil > now) return { ok: false, retryAfterMs: a.lockedUntil - now, reason: 'account' };
    return { ok: true };
  }

  failure(source: string, account: string): void {
    this.count(this.sources, source, this.policy.maxFailuresPerSource);
    this.count(this.accounts, account, this.policy.maxFailuresPerAccount);
  }

  success(source: string, account: string): void {
    this.trusted.set(pair(source, account), { touched: this.now() });
  }

  /** Admin unlock: clears the counters and lock of a source IP and/or an account. */
  unlock(which: { source?: string; account?: string }): boolean {
    let hit = false;
    if (which.source !== undefined) hit = this.sources.map.delete(which.source) || hit;
    if (which.account !== undefined) hit = this.accounts.map.delete(which.account) || hit;
    return hit;
  }

  /** Currently locked keys, for the admin view. */
  locked(): { sources: { key: string; until: number }[]; accounts: { key: string; until: number }[] } {
    const now = this.now();
    const list = (t: BoundedTable<Entry>) => [...t.map].filter(([, e]) => e.lockedUntil > now).map(([key, e]) => ({ key, until: e.lockedUntil }));
    return { sources: list(this.sources), accounts: list(this.accounts) };
  }

  private count(table: BoundedTable<Entry>, key: string, max: number): void {
    const now = this.now();
    let e = table.get(key);
    if (!e || (now - e.windowStart > this.policy.windowMs && e.lockedUntil <= now)) e = { failures: 0, windowStart: now, lockedUntil: 0, touched: now };
    e.failures++;
    e.touched = now;
    if (e.failures >= max && e.lockedUntil <= now) {
      e.lockedUntil = now + this.policy.lockMs;
      e.failures = 0;
      e.windowStart = now;
    }
    table.set(key, e);
  }
}

function pair(source: string, account: string): string {
  return `${source}\u0000${account}`;
}
