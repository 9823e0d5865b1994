/**
 * bench/ws-lite.ts, the counting WebSocket client of benchmark 5, against a real `ws`
 * WebSocketServer on port 0: the handshake (and its refusals), 7-, 16- and 64-bit lengths,
 * frames split across reads and many frames in one read, ping → masked pong, close both ways.
 * Raw frames are written to the server's own socket where `ws` would not split or batch them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FrameCounter, WsLite } from '../bench/ws-lite.ts';

/** A server frame as the wire carries it (unmasked). */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const n = payload.length;
  const h = n < 126 ? Buffer.from([0, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65536) { h[1] = 126; h.writeUInt16BE(n, 2); }
  if (n >= 65536) { h[1] = 127; h.writeUInt32BE(Math.floor(n / 2 ** 32), 2); h.writeUInt32BE(n >>> 0, 6); }
  h[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([h, payload]);
}

const text = (n: number, c = 'x') => Buffer.from(`{"n":${n}}`.padEnd(n, c));
const sizes = [10, 200, 70 * 1024]; // 7-bit, 16-bit and 64-bit lengths
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let wss: WebSocketServer;
let url: string;
let next: Promise<{ ws: WebSocket; sock: Socket }>;
const arm = () => { next = new Promise((r) => wss.once('connection', (ws, req) => r({ ws, sock: req.socket as Socket }))); };

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: (info: { req: { url?: string } }) => !info.req.url?.includes('deny') });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws?token=t`;
});
afterAll(() => new Promise<void>((r) => wss.close(() => r())));

async function open(peek = 0, batchMs = 0) {
  arm();
  const heads: { head: string; length: number }[] = [];
  const c = await WsLite.connect(url, { batchMs, prepare: (c) => { c.frames.peek = peek; c.frames.onText = (h, length) => heads.push({ head: h.toString(), length }); } });
  const { ws, sock } = await next;
  return { c, ws, sock, heads };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  for (const t0 = Date.now(); !cond(); await sleep(5)) if (Date.now() - t0 > ms) throw new Error('timed out');
}

describe('ws-lite', () => {
  it('handshakes and counts text frames of 10 B, 200 B and 70 KB, peeking only when asked', async () => {
    const { c, ws, heads } = await open(8);
    for (const n of sizes) ws.send(text(n).toString());
    await until(() => c.frames.texts === 3);
    expect(heads).toEqual(sizes.map((n) => ({ head: text(n).subarray(0, 8).toString(), length: n })));
    expect(c.frames.textBytes).toBe(sizes.reduce((a, b) => a + b, 0));
    c.frames.peek = 0; // no longer asked: counted, not handed over
    ws.send('{"after":1}');
    ws.send(Buffer.from([1, 2, 3]));
    await until(() => c.frames.texts === 4 && c.frames.binaries === 1);
    expect(heads).toHaveLength(3);
    c.terminate();
  });

  it('refuses a non-101 answer and a wrong Sec-WebSocket-Accept', async () => {
    await expect(WsLite.connect(url.replace('token=t', 'deny'))).rejects.toThrow(/upgrade refused: HTTP\/1.1 401/);
    const liar: Server = createServer((s) => s.once('data', () => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n')));
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', () => r()));
    await expect(WsLite.connect(`ws://127.0.0.1:${(liar.address() as AddressInfo).port}/`)).rejects.toThrow(/wrong Sec-WebSocket-Accept/);
    liar.close();
  });

  it('parses many frames in one read and frames split across reads on a live socket', async () => {
    const { c, sock, heads } = await open(4);
    sock.write(Buffer.concat(Array.from({ length: 500 }, (_, i) => frame(1, text(10 + (i % 300))))));
    await until(() => c.frames.texts === 500);
    // One frame of each size, dribbled: a header split inside its extended length, payloads in pieces.
    const wire = Buffer.concat(sizes.map((n) => frame(1, text(n))));
    sock.setNoDelay(true);
    // Frames start at 0, 12 and 216: cuts inside a 2-byte header, a 16-bit and a 64-bit length, and payloads.
    const cuts = [0, 1, 3, 5, 12, 13, 15, 220, 221, 226, 5000, wire.length];
    for (let k = 1; k < cuts.length; k++) {
      sock.write(wire.subarray(cuts[k - 1], cuts[k]));
      await sleep(15);
    }
    await until(() => c.frames.texts === 503);
    expect(heads.slice(500).map((h) => h.length)).toEqual(sizes);
    expect(heads.slice(500).every((h) => h.head === '{"n"')).toBe(true);
    c.terminate();
  });

  it('gives the same counts however the bytes are cut (every cut in the headers and small frames)', () => {
    const big = frame(1, text(70 * 1024));
    const wire = Buffer.concat([frame(1, text(10)), frame(1, text(200)), frame(9, Buffer.from('p')), frame(1, Buffer.from('{"a":'), false), frame(0, Buffer.from('1}')), big, frame(2, Buffer.alloc(3))]);
    const bigAt = wire.indexOf(big);
    const cuts = [...Array(bigAt + 40).keys(), wire.length - 5, wire.length];
    for (const cut of cuts) {
      const f = new FrameCounter();
      const pings: string[] = [];
      f.onPing = (p) => pings.push(p.toString());
      f.peek = 6;
      f.onText = () => {};
      f.push(wire.subarray(0, cut));
      f.push(wire.subarray(cut));
      expect([f.texts, f.binaries, f.textBytes, pings.join(), f.error]).toEqual([4, 1, 10 + 200 + 7 + 70 * 1024, 'p', null]);
    }
    const bytewise = new FrameCounter();
    for (let i = 0; i < bigAt; i++) bytewise.push(wire.subarray(i, i + 1));
    expect(bytewise.texts).toBe(3); // the fragmented message counts once
  });

  it('reads in batches when asked: frames wait in the kernel until the next batch, none is lost', async () => {
    const { c, ws, sock } = await open(0, 60);
    ws.send('{"first":1}');
    await until(() => c.frames.texts === 1); // the first read is at once, then reading pauses for 60 ms
    sock.write(Buffer.concat(Array.from({ length: 200 }, () => frame(1, text(1500)))));
    await sleep(20);
    expect(c.frames.texts).toBe(1);
    await until(() => c.frames.texts === 201);
    const pongs: string[] = [];
    ws.on('pong', (d) => pongs.push(d.toString()));
    ws.ping('late');
    await until(() => pongs.length === 1); // answered at the next batch
    c.terminate();
  });

  it('answers a ping with a masked pong carrying the same payload', async () => {
    const { c, ws } = await open();
    const pongs: string[] = [];
    ws.on('pong', (d) => pongs.push(d.toString()));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.ping('are-you-there');
    ws.ping();
    await until(() => pongs.length === 2);
    expect(pongs).toEqual(['are-you-there', '']);
    expect(c.pongsSent).toBe(2);
    // `ws` closes with 1002 on an unmasked client frame: still open means the pongs were masked.
    c.close(1000);
    expect(await closed).toBe(1000);
  });

  it('closes both ways', async () => {
    const { c, ws } = await open();
    const gone = new Promise<string>((r) => { c.onGone = r; });
    const serverSaw = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.close(4001, 'bye');
    expect(await serverSaw).toBe(4001); // our echo of the server's close
    await gone;
    expect(c.closeCode).toBe(4001);
    const b = await open();
    const bGone = new Promise<string>((r) => { b.c.onGone = r; });
    const bSaw = new Promise<number>((r) => b.ws.once('close', (code) => r(code)));
    b.c.close(1000);
    expect(await bSaw).toBe(1000);
    await bGone;
  });

  it('fails on a masked server frame', () => {
    const f = new FrameCounter();
    f.push(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 5]));
    expect(f.error?.message).toMatch(/masked frame/);
  });
});
