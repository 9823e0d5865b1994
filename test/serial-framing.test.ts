/**
 * Issue 5: receiver framings against golden frames, fed in random chunk splits; the serial
 * path through @serialport/binding-mock; receiver specs and config validation; repeat filter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { SerialPortMock } from 'serialport';
import { getFraming, framingNames } from '../gateway/serial/framing.ts';
import type { ParseResult } from '../gateway/serial/types.ts';
import { parseReceiverList } from '../gateway/serial/spec.ts';
import { RepeatFilter } from '../gateway/serial/repeat-filter.ts';
import { ReceiverSet } from '../gateway/serial/receivers.ts';
import type { DeviceEventInput, HubSink, ReceiverStatusEvent, RfUnknownEvent } from '../gateway/events.ts';
import { loadConfig, ConfigError } from '../dispatcher/config.ts';

interface Case { name: string; hex?: string; text?: string; fill?: { byte: number; count: number }; expect: { codes: string[]; keepalives: number; discarded: number } }
const golden = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/serial/${f}.golden.json`, import.meta.url), 'utf8')) as { framing: string; cases: Case[] };

function input(c: Case): Buffer {
  const body = c.hex !== undefined ? Buffer.from(c.hex.replace(/\s+/g, ''), 'hex') : Buffer.from(c.text ?? '', 'utf8');
  return c.fill ? Buffer.concat([Buffer.alloc(c.fill.count, c.fill.byte), body]) : body;
}

/** A small seeded PRNG so a failing split can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function randomSplits(buf: Buffer, rand: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length;) {
    const n = 1 + Math.floor(rand() * Math.min(buf.length - i, rand() < 0.3 ? 1 : 9));
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

function summarize(results: ParseResult[]) {
  const codes: string[] = [];
  let keepalives = 0;
  let discarded = 0;
  for (const r of results) {
    if (r.type === 'code') codes.push(`0x${r.code.address.toString(16).padStart(5, '0')}/${r.code.key}${r.code.model ? ` ${r.code.model}` : ''}`);
    else if (r.type === 'keepalive') keepalives++;
    else discarded += r.bytes;
  }
  return { codes, keepalives, discarded };
}

describe.each(['fd-df', 'json-lines'])('framing %s against golden frames', (name) => {
  const g = golden(name);
  it('is registered', () => expect(framingNames()).toContain(g.framing));

  it.each(g.cases.map((c) => [c.name, c] as const))('%s (whole, byte by byte, 50 random splits)', (_n, c) => {
    const framing = getFraming(g.framing)!;
    const buf = input(c);
    const whole = framing.create();
    expect(summarize(whole.push(buf))).toEqual(c.expect);
    const bytewise = framing.create();
    const rs: ParseResult[] = [];
    let maxHeld = 0;
    for (const b of buf) {
      rs.push(...bytewise.push(Buffer.from([b])));
      maxHeld = Math.max(maxHeld, bytewise.buffered());
    }
    expect(summarize(rs)).toEqual(c.expect);
    for (let seed = 1; seed <= 50; seed++) {
      const p = framing.create();
      const all: ParseResult[] = [];
      for (const chunk of randomSplits(buf, rng(seed))) {
        all.push(...p.push(chunk));
        maxHeld = Math.max(maxHeld, p.buffered());
      }
      expect(summarize(all), `seed ${seed}`).toEqual(c.expect);
    }
    expect(maxHeld).toBeLessThanOrEqual(framing.create().maxBuffer);
  });

  it('a long noise flood keeps the buffer bounded, and the next frame still decodes', () => {
    const p = getFraming(g.framing)!.create();
    const rand = rng(7);
    let errors = 0;
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.alloc(512);
      for (let j = 0; j < chunk.length; j++) chunk[j] = Math.floor(rand() * 256);
      errors += p.push(chunk).filter((r) => r.type === 'error').length;
      expect(p.buffered()).toBeLessThanOrEqual(p.maxBuffer);
    }
    p.push(Buffer.alloc(20_000)); // 0x00 flood
    p.push(Buffer.from(name === 'fd-df' ? 'FD10' : '{"model":"x","id":1', name === 'fd-df' ? 'hex' : 'utf8')); // cut off
    expect(errors).toBeGreaterThan(0);
    const good = name === 'fd-df' ? Buffer.from('DFFD100011DF', 'hex') : Buffer.from('\n{"id":65537,"cmd":1}\n');
    const codes = p.push(good).filter((r) => r.type === 'code');
    expect(codes.at(-1)).toEqual({ type: 'code', code: { address: 0x10001, key: 1 } });
  });
});

describe('receiver specs (ANXIN_SERIAL)', () => {
  it('parses paths, tcp bridges and options with defaults', () => {
    const r = parseReceiverList('/dev/ttyUSB0, tcp://127.0.0.1:4600?framing=json-lines&name=sdr&node=4&supervise_s=90&baud=115200');
    expect(r.problems).toEqual([]);
    expect(r.specs[0]).toMatchObject({ name: 'ttyUSB0', kind: 'serial', path: '/dev/ttyUSB0', baud: 9600, framing: 'fd-df', superviseS: 0, nodeId: null });
    expect(r.specs[1]).toMatchObject({ name: 'sdr', kind: 'tcp', host: '127.0.0.1', port: 4600, framing: 'json-lines', nodeId: 4, superviseS: 90, baud: 115200 });
  });

  it('reports every problem with the entry it belongs to', () => {
    const r = parseReceiverList('ttyUSB0,/dev/ttyS0?baud=1234&framing=morse&colour=red,tcp://host,/dev/a?name=x,/dev/b?name=x&retry_ms=500&retry_max_ms=100');
    const text = r.problems.join('\n');
    expect(text).toContain('receiver "ttyUSB0": ttyUSB0 is neither a device path');
    expect(text).toContain('baud=1234 is not a standard rate');
    expect(text).toContain('framing=morse is unknown (known: fd-df, json-lines)');
    expect(text).toContain('unknown option colour');
    expect(text).toContain('must look like tcp://host:port');
    expect(text).toContain('retry_max_ms must not be below retry_ms');
    expect(r.specs.map((s) => s.name)).toEqual(['x']);
  });

  it('loadConfig rejects a bad ANXIN_SERIAL or repeat window with a clear message, and defaults to no receivers', () => {
    expect(loadConfig({}).serial).toEqual([]);
    expect(loadConfig({}).rfRepeatWindowMs).toBe(1500);
    try {
      loadConfig({ ANXIN_SERIAL: '/dev/ttyUSB0?framing=nope', ANXIN_RF_REPEAT_WINDOW_MS: '50' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('ANXIN_SERIAL="/dev/ttyUSB0?framing=nope": receiver "/dev/ttyUSB0?framing=nope": framing=nope is unknown');
      expect(msg).toContain('ANXIN_RF_REPEAT_WINDOW_MS="50": must be at least 200');
    }
  });
});

describe('repeat filter', () => {
  it('one held press is one event; a gap above the window is a new press; codes are separate', () => {
    const f = new RepeatFilter(1500);
    expect(f.fresh(1, 1, 0)).toBe(true);
    for (let t = 100; t <= 5000; t += 100) expect(f.fresh(1, 1, t)).toBe(false); // held for 5 s
    expect(f.fresh(1, 2, 5050)).toBe(true); // another key of the same button
    expect(f.fresh(1, 1, 6600)).toBe(true); // released at 5000, pressed again 1.6 s later
    expect(f.fresh(1, 1, 8100)).toBe(false); // exactly the window: still the same press
  });

  it('stays bounded under many distinct codes', () => {
    const f = new RepeatFilter(1500, 100);
    for (let i = 0; i < 10_000; i++) f.fresh(i, 1, i);
    expect(f.size()).toBeLessThanOrEqual(101);
  });
});

describe('the serial path through @serialport/binding-mock', () => {
  let set: ReceiverSet | null = null;
  afterEach(() => { set?.stop(); set = null; SerialPortMock.binding.reset(); });

  function rig(path: string, framing: string, present = () => true, extra = '', failCommits = 0) {
    SerialPortMock.binding.createPort(path, { echo: false, record: false });
    const events: DeviceEventInput[] = [];
    const observed: (RfUnknownEvent | ReceiverStatusEvent)[] = [];
    let fails = failCommits;
    const sink: HubSink = {
      commitEvent: async (e) => {
        if (fails-- > 0) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        events.push(e);
        return { alertId: null, duplicate: false };
      },
      observe: () => {},
    };
    const { specs, problems } = parseReceiverList(`${path}?framing=${framing}&name=mock&grace_ms=0&retry_ms=50&retry_max_ms=200${extra}`);
    expect(problems).toEqual([]);
    let port: InstanceType<typeof SerialPortMock> | null = null;
    set = new ReceiverSet(specs, {
      sink, observer: { observeReceiver: (e) => observed.push(e) }, now: Date.now, log: pino({ level: 'silent' }), repeatWindowMs: 300, tickMs: 50,
      directory: { lookup: (a, k) => (a === 0x10001 ? { deviceId: 'demo-rf-01', action: k === 2 ? 'cancel' : k === 4 ? 'test' : 'press' } : null) },
      serialFactory: (o) => (port = new SerialPortMock(o)) as never, present,
    });
    set.start();
    return { events, observed, port: () => port! };
  }

  async function until<T>(cond: () => T, ms = 3000): Promise<T> {
    const end = Date.now() + ms;
    for (let v = cond(); ; v = cond()) {
      if (v) return v;
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it.each(['fd-df', 'json-lines'])('%s: golden frames in random chunks arrive as codes; repeats de-duplicated; unknown codes reported', async (framing) => {
    const { events, observed, port } = rig(`/dev/mock-${framing}`, framing);
    await until(() => port()?.isOpen && observed.some((o) => o.kind === 'receiver-status' && o.online));
    const frame = framing === 'fd-df' ? Buffer.from('FD100011DF', 'hex') : Buffer.from('{"model":"EV1527","id":65537,"cmd":1}\n');
    const unknown = framing === 'fd-df' ? Buffer.from('FD23456' + '1DF', 'hex') : Buffer.from('{"id":144470,"cmd":1}\n');
    const stream = Buffer.concat([Buffer.alloc(300), frame, frame, frame, unknown, frame]);
    for (const chunk of randomSplits(stream, rng(3))) port().port!.emitData(chunk);
    await until(() => events.length === 1 && observed.some((o) => o.kind === 'rf-unknown'));
    expect(events[0]).toMatchObject({ kind: 'device-event', deviceId: 'demo-rf-01', seq: null, type: 'press', deviceTs: null, via: 'rf:mock' });
    expect(observed.find((o) => o.kind === 'rf-unknown')).toMatchObject({ receiver: 'mock', address: 0x23456, key: 1 });
    const st = set!.statuses()[0];
    expect(st.errorsTotal).toBeGreaterThan(0);
    expect(st.frames).toBe(5);
    expect(set!.counters).toMatchObject({ presses: 1, repeats: 3, unknown: 1 });
    await new Promise((r) => setTimeout(r, 400)); // released for longer than the window
    port().port!.emitData(framing === 'fd-df' ? Buffer.from('FD100014DF', 'hex') : Buffer.from('{"id":65537,"cmd":4}\n'));
    await until(() => events.length === 2);
    expect(events[1].kind === 'device-event' && events[1].type).toBe('test');
  });

  it('a vanished device node takes the receiver offline and it comes back when the node returns', async () => {
    let present = true;
    const { observed, port } = rig('/dev/mock-unplug', 'fd-df', () => present);
    await until(() => observed.some((o) => o.kind === 'receiver-status' && o.online));
    present = false; // serialport does not always emit close on unplug: the poll notices
    await until(() => observed.some((o) => o.kind === 'receiver-status' && !o.online));
    const off = observed.find((o) => o.kind === 'receiver-status' && !o.online) as ReceiverStatusEvent;
    expect(off.detail).toContain('disappeared');
    present = true;
    await until(() => observed.filter((o) => o.kind === 'receiver-status' && o.online).length === 2);
    expect(port().isOpen).toBe(true);
  });

  it('a press the store could not take is retried on the next repeat, not lost in the repeat window', async () => {
    const { events, observed, port } = rig('/dev/mock-fault', 'fd-df', () => true, '', 1);
    await until(() => observed.some((o) => o.kind === 'receiver-status' && o.online));
    port().port!.emitData(Buffer.from('FD100011DF', 'hex'));
    await until(() => set!.counters.commitFailures === 1);
    port().port!.emitData(Buffer.from('FD100011DF', 'hex')); // the button is still held
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ deviceId: 'demo-rf-01', type: 'press' });
  });

  it('supervision: a receiver that sends keep-alives goes offline when it falls silent, and back on the next frame', async () => {
    const { observed, port } = rig('/dev/mock-super', 'fd-df', () => true, '&supervise_s=1');
    await until(() => observed.some((o) => o.kind === 'receiver-status' && o.online));
    for (let i = 0; i < 4; i++) {
      port().port!.emitData(Buffer.from('FD000000DF', 'hex'));
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(observed.filter((o) => o.kind === 'receiver-status' && !o.online)).toHaveLength(0);
    const off = await until(() => observed.find((o) => o.kind === 'receiver-status' && !o.online), 4000) as unknown as ReceiverStatusEvent;
    expect(off.detail).toMatch(/no frame for \d+ s \(supervision interval 1 s\)/);
    port().port!.emitData(Buffer.from('FD000000DF', 'hex'));
    await until(() => observed.filter((o) => o.kind === 'receiver-status' && o.online).length === 2);
  });
});
