/** The pre-framed console fan-out writes exactly the bytes ws.send would, keeps the order, and falls back when ws is busy. */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { CommitCork, sendFramed, textFrame } from '../dispatcher/push/framed-broadcast.ts';

let server: Server | undefined;
afterEach(() => { server?.close(); server = undefined; });

/** A server-side ws socket and a raw client socket that records every byte the server writes after the handshake. */
async function pair(): Promise<{ ws: WebSocket; bytes: () => Buffer; raw: Socket }> {
  server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', r));
  const raw = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let upgraded = false;
  raw.on('data', (d: Buffer) => {
    if (upgraded) { chunks.push(d); return; }
    const i = d.indexOf('\r\n\r\n');
    if (i >= 0) { upgraded = true; if (i + 4 < d.length) chunks.push(d.subarray(i + 4)); }
  });
  raw.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  return { ws: await serverSide, bytes: () => Buffer.concat(chunks), raw };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

it('writes the same bytes as ws.send for 7-, 16- and 64-bit lengths', async () => {
  for (const size of [10, 125, 126, 4000, 65535, 65536, 70_000]) {
    const payload = Buffer.from('x'.repeat(size));
    const a = await pair();
    a.ws.send(payload, { binary: false });
    await settle();
    const viaWs = a.bytes();
    a.raw.destroy(); server!.close();
    const b = await pair();
    sendFramed(b.ws, payload, textFrame(payload));
    await settle();
    expect(b.bytes().equals(viaWs), `size ${size}`).toBe(true);
    b.raw.destroy();
    server!.close();
  }
});

it('keeps the order with frames ws still holds, by falling back to ws.send while its sender is busy', async () => {
  const p = await pair();
  const first = Buffer.from('{"n":1}');
  const second = Buffer.from('{"n":2}');
  // A Blob send keeps ws's sender busy (it reads the blob asynchronously) and queues what follows.
  p.ws.send(new Blob(['{"n":0}']));
  sendFramed(p.ws, first, textFrame(first));
  sendFramed(p.ws, second, textFrame(second));
  await settle();
  const got = p.bytes().toString('latin1');
  expect(got.indexOf('{"n":0}')).toBeLessThan(got.indexOf('{"n":1}'));
  expect(got.indexOf('{"n":1}')).toBeLessThan(got.indexOf('{"n":2}'));
  p.raw.destroy();
});

it('the first frame of a commit goes at once, the rest of its frames in one write once the task is done, in order', async () => {
  const p = await pair();
  const sock = (p.ws as unknown as { _socket: { _writev: (chunks: unknown[], cb: unknown) => void; _write: (...a: unknown[]) => void } })._socket;
  const writes: number[] = [];
  const writev = sock._writev.bind(sock);
  const write = sock._write.bind(sock);
  sock._writev = (chunks, cb) => { writes.push(chunks.length); writev(chunks, cb); };
  sock._write = (...a) => { writes.push(1); write(...a); };
  const cork = new CommitCork();
  const frames = [1, 2, 3].map((n) => Buffer.from(`{"n":${n}}`));
  for (const f of frames) {
    cork.hold(p.ws);
    sendFramed(p.ws, f, textFrame(f));
  }
  expect(writes).toEqual([1]); // the rest held until the task's synchronous work is done
  await settle();
  expect(writes).toEqual([1, 2]);
  const got = p.bytes().toString('latin1');
  expect(got.indexOf('{"n":1}')).toBeLessThan(got.indexOf('{"n":2}'));
  expect(got.indexOf('{"n":2}')).toBeLessThan(got.indexOf('{"n":3}'));
  // The next task writes at once again (the cork was released).
  sendFramed(p.ws, frames[0], textFrame(frames[0]));
  await settle();
  expect(writes).toEqual([1, 2, 1]);
  p.raw.destroy();
});
