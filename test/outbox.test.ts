import { describe, expect, it } from 'vitest';
import { Outbox } from '../gateway/outbox.ts';

const tick = () => new Promise((r) => setImmediate(r));
const settle = async (n = 20) => { for (let i = 0; i < n; i++) await tick(); };

describe('gateway outbox', () => {
  it('hands a burst to the broker a bounded number at a time, and all of it eventually', async () => {
    let inflight = 0, peak = 0, sent = 0;
    const box = new Outbox((_t, _p, _q, done) => { inflight++; peak = Math.max(peak, inflight); setImmediate(() => { inflight--; sent++; done(); }); },
      { maxInflight: 16, perDevice: 4, maxQueuedPerDevice: 1000 });
    for (let i = 0; i < 2000; i++) box.push(`d${i % 100}`, `t/${i}`, Buffer.from('x'));
    await settle(400);
    expect(sent).toBe(2000);
    expect(peak).toBeLessThanOrEqual(16);
    expect(box.dropped).toBe(0);
  });

  it('a device whose sends never complete holds at most perDevice slots; others keep flowing', async () => {
    const done: Record<string, number> = {};
    const box = new Outbox((t, _p, _q, cb) => { if (t.startsWith('stuck/')) return; done[t] = (done[t] ?? 0) + 1; cb(); }, { maxInflight: 8, perDevice: 2, maxQueuedPerDevice: 5 });
    for (let i = 0; i < 100; i++) box.push('stuck', `stuck/${i}`, Buffer.from('x'));
    for (let i = 0; i < 50; i++) { box.push('ok', `ok/${i}`, Buffer.from('x')); if (i % 5 === 4) await settle(3); }
    await settle();
    expect(Object.keys(done).length).toBe(50);
    expect(box.dropped).toBe(100 - 5);
    expect(box.queued()).toBe(5 - 2);
  });

  it("a device's messages of the other QoS wait until those in flight are done", async () => {
    const log: string[] = [];
    const pending: (() => void)[] = [];
    const box = new Outbox((t, _p, q, cb) => { log.push(`${t}@${q}`); pending.push(cb); });
    box.push('d', 'notify1', Buffer.alloc(0), 1);
    box.push('d', 'ack1', Buffer.alloc(0), 0);
    box.push('d', 'ack2', Buffer.alloc(0), 0);
    box.push('e', 'other', Buffer.alloc(0), 0);
    await settle();
    expect(log).toEqual(['notify1@1', 'other@0']); // d's acks wait for its notify; e is not held up
    pending.shift()!();
    await settle();
    expect(log).toEqual(['notify1@1', 'other@0', 'ack1@0', 'ack2@0']); // same QoS: together
  });

  it('synchronous completions do not recurse', async () => {
    let sent = 0;
    const box = new Outbox((_t, _p, _q, cb) => { sent++; cb(); });
    for (let i = 0; i < 50_000; i++) box.push(`d${i % 5000}`, 't', Buffer.alloc(0));
    await settle(200);
    expect(sent).toBe(50_000);
  });
});
