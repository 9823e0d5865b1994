import { describe, expect, it } from 'vitest';
import { LoginRateLimiter, DEFAULT_LIMIT_POLICY, DEVICE_LIMIT_POLICY } from '../dispatcher/security/rate-limiter.ts';

function limiter(policy = DEFAULT_LIMIT_POLICY) {
  let now = 1_000_000;
  const l = new LoginRateLimiter(() => now, { ...policy, maxFailuresPerSource: 5, maxFailuresPerAccount: 3, windowMs: 60_000, lockMs: 300_000, maxKeys: 100 });
  return { l, advance: (ms: number) => { now += ms; } };
}

describe('login rate limiter', () => {
  it('locks an account after N failures, from any source, until the lock ends', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 3; i++) { expect(l.check(`10.0.0.${i}`, 'bob').ok).toBe(true); l.failure(`10.0.0.${i}`, 'bob'); }
    expect(l.check('10.9.9.9', 'bob')).toMatchObject({ ok: false, reason: 'account' });
    expect(l.check('10.9.9.9', 'alice').ok).toBe(true);
    advance(299_999);
    expect(l.check('10.9.9.9', 'bob').ok).toBe(false);
    advance(2);
    expect(l.check('10.9.9.9', 'bob').ok).toBe(true);
  });

  it('locks a source after N failures across accounts', () => {
    const { l } = limiter();
    for (let i = 0; i < 5; i++) l.failure('10.0.0.1', `user${i}`);
    expect(l.check('10.0.0.1', 'someone')).toMatchObject({ ok: false, reason: 'source' });
    expect(l.check('10.0.0.2', 'someone').ok).toBe(true);
  });

  it('failures spread wider than the window do not lock', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 6; i++) { l.failure('10.0.0.1', 'bob'); advance(61_000); }
    expect(l.check('10.0.0.1', 'bob').ok).toBe(true);
  });

  it('a trusted (source, account) pair passes the account lock; staff still meet the source lock', () => {
    const { l } = limiter();
    l.success('10.0.0.7', 'bob');
    for (let i = 0; i < 3; i++) l.failure('10.6.6.6', 'bob');
    expect(l.check('10.6.6.6', 'bob').ok).toBe(false);
    expect(l.check('10.0.0.7', 'bob').ok).toBe(true);
    for (let i = 0; i < 5; i++) l.failure('10.0.0.7', `x${i}`);
    expect(l.check('10.0.0.7', 'bob')).toMatchObject({ ok: false, reason: 'source' });
  });

  it('devices: a trusted pair passes the source lock too', () => {
    const { l } = limiter(DEVICE_LIMIT_POLICY);
    l.success('10.0.0.7', 'dev-1');
    for (let i = 0; i < 5; i++) l.failure('10.0.0.7', `x${i}`);
    expect(l.check('10.0.0.7', 'dev-1').ok).toBe(true);
    expect(l.check('10.0.0.7', 'dev-2').ok).toBe(false);
  });

  it('an admin unlock clears a source or an account at once', () => {
    const { l } = limiter();
    for (let i = 0; i < 5; i++) l.failure('10.0.0.1', 'bob');
    expect(l.locked().sources.map((s) => s.key)).toEqual(['10.0.0.1']);
    expect(l.locked().accounts.map((s) => s.key)).toEqual(['bob']);
    expect(l.unlock({ source: '10.0.0.1' })).toBe(true);
    expect(l.check('10.0.0.1', 'carol').ok).toBe(true);
    expect(l.check('10.0.0.1', 'bob').ok).toBe(false);
    l.unlock({ account: 'bob' });
    expect(l.check('10.0.0.1', 'bob').ok).toBe(true);
    expect(l.unlock({ account: 'nobody' })).toBe(false);
  });

  it('stays bounded under a flood of distinct keys, and still locks the key under attack', () => {
    const { l } = limiter();
    for (let i = 0; i < 10_000; i++) l.failure(`ip-${i}`, `acct-${i}`);
    expect(l.locked().sources.length + l.locked().accounts.length).toBeLessThanOrEqual(200);
    for (let i = 0; i < 3; i++) l.failure('ip-x', 'target');
    expect(l.check('ip-y', 'target').ok).toBe(false);
  });

  it('__proto__ and constructor are ordinary keys', () => {
    const { l } = limiter();
    for (let i = 0; i < 3; i++) l.failure('__proto__', 'constructor');
    expect(l.check('a', 'constructor').ok).toBe(false);
    expect(l.check('a', '__proto__').ok).toBe(true);
  });
});
