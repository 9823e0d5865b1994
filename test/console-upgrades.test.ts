/**
 * Console WebSocket upgrades wait in a queue and are taken a few milliseconds' worth per turn of the
 * event loop (dispatcher/push/upgrade-queue.ts): a storm of them is served in full, other work runs
 * between the turns, a full queue refuses with 503 and Retry-After, and a handler that throws or a
 * client that resets while it waits disturbs nothing else. Real sockets throughout; the last case
 * is the real hub with a crowd of consoles connecting at once.
 */
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { UpgradeQueue, type UpgradeHandler, type UpgradeQueueOptions } from '../dispatcher/push/upgrade-queue.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { isSnapshotEnd } from './helpers/console-client.ts';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
});

/** An HTTP server whose upgrades go through a queue to `handle`. */
async function queued(handle: UpgradeHandler, opts: UpgradeQueueOptions, onError: (err: unknown) => void = () => {}) {
  const server = http.createServer();
  const queue = new UpgradeQueue(handle, onError, opts);
  server.on('upgrade', (req, socket, head) => queue.offer(req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { queue, port: (server.address() as { port: number }).port, server };
}

const wss = new WebSocketServer({ noServer: true });
const accept: UpgradeHandler = (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.send('hi'));

function opened(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.on('message', (d) => { resolve(d.toString()); ws.close(); });
    ws.on('unexpected-response', (_req, res) => { reject(new Error(`HTTP ${res.statusCode}`)); ws.terminate(); });
    ws.on('error', reject);
  });
}

const REQUEST = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/**
 * `n` raw upgrade requests that the server reads in one poll phase: every socket is connected and
 * accepted by the server, then written, then this thread blocks for a moment, so the requests wait
 * together in the kernel.
 */
async function together({ port, server }: { port: number; server: http.Server }, n: number): Promise<{ socks: Socket[]; answers: Promise<string>[] }> {
  const socks = await Promise.all(Array.from({ length: n }, () => new Promise<Socket>((r) => { const s = connect(port, '127.0.0.1', () => r(s)); })));
  // Accepted by the server, each of them: one accepted a turn later would be read a turn later. A fixed
  // wait of 50 ms was not always enough on a loaded machine (2 of 40 read together once).
  for (let waited = 0; waited < 5000; waited += 5) {
    if (await new Promise<number>((r) => server.getConnections((_e, c) => r(c))) >= n) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  // The first bytes of the answer, or '' if the server closed the socket without one.
  const answers = socks.map((s) => new Promise<string>((resolve) => {
    s.once('data', (d) => resolve(d.toString()));
    s.on('close', () => resolve(''));
    s.on('error', () => {});
  }));
  for (const s of socks) s.write(REQUEST);
  const until = performance.now() + 100;
  while (performance.now() < until) { /* block: the requests arrive meanwhile */ }
  return { socks, answers };
}

it('a storm of upgrades is served in full, at most a budget of them per turn of the loop', async () => {
  const order: string[] = [];
  let ticking = true;
  const tick = () => { order.push('tick'); if (ticking) setImmediate(tick); };
  const slow: UpgradeHandler = (req, socket, head) => {
    const until = performance.now() + 2;
    while (performance.now() < until) { /* 2 ms of work per upgrade */ }
    order.push('upgrade');
    accept(req, socket, head);
  };
  const { queue, port, server } = await queued(slow, { budgetMs: 3, maxQueued: 1000 });
  const { socks, answers } = await together({ port, server }, 40);
  setImmediate(tick);
  const texts = await Promise.all(answers);
  ticking = false;
  for (const s of socks) s.destroy();
  expect(texts.every((x) => x.startsWith('HTTP/1.1 101'))).toBe(true);
  expect(queue.stats).toMatchObject({ handled: 40, queued: 0, gone: 0, refusedFull: 0 });
  // Most waited together (all 40 on a quiet machine; on a loaded one a write or two may land a turn later).
  expect(queue.stats.maxQueued).toBeGreaterThanOrEqual(20);
  // With 2 ms each and 3 ms a turn, never more than two upgrades without the other work between.
  const runs = order.join(' ').split('tick').map((s) => s.trim().split(' ').filter(Boolean).length);
  expect(Math.max(...runs)).toBeLessThanOrEqual(2);
});

it('a full queue refuses with 503 and Retry-After; those queued are still served', async () => {
  const { queue, port, server } = await queued(accept, { budgetMs: 3, maxQueued: 2 });
  const { socks, answers } = await together({ port, server }, 6);
  const texts = await Promise.all(answers);
  for (const s of socks) s.destroy();
  const refused = texts.filter((t) => t.startsWith('HTTP/1.1 503'));
  expect(refused.length).toBe(4);
  for (const t of refused) expect(t).toMatch(/Retry-After: 1\r\n/);
  expect(queue.stats).toMatchObject({ handled: 2, refusedFull: 4, maxQueued: 2, queued: 0 });
  expect(await opened(port)).toBe('hi'); // and the next one gets in
});

it('a handler that throws loses that socket only; a client that resets while it waits harms nothing', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const flaky: UpgradeHandler = (req, socket, head) => {
    if (calls++ === 0) throw new Error('hostile request');
    accept(req, socket, head);
  };
  const { queue, port, server } = await queued(flaky, { budgetMs: 3, maxQueued: 100 }, (err) => errors.push(err));
  const { socks, answers } = await together({ port, server }, 5);
  socks[4].resetAndDestroy(); // gone before its turn, or reset mid-handshake: either way no uncaught error
  const texts = await Promise.all(answers.slice(0, 4));
  for (const s of socks) s.destroy();
  expect(texts[0]).toBe(''); // destroyed without an answer
  for (const t of texts.slice(1)) expect(t).toMatch(/^HTTP\/1.1 101/);
  expect(errors.map((e) => (e as Error).message)).toEqual(['hostile request']);
  expect(queue.stats.handled + queue.stats.gone).toBe(5);
  expect(await opened(port)).toBe('hi');
});

it('stop() closes the upgrades still waiting and refuses new ones', async () => {
  let q: UpgradeQueue | null = null;
  const { queue, port, server } = await queued((req, socket, head) => { q!.stop(); accept(req, socket, head); }, { budgetMs: 3, maxQueued: 100 });
  q = queue;
  const { socks, answers } = await together({ port, server }, 3);
  const texts = await Promise.all(answers);
  for (const s of socks) s.destroy();
  expect(texts.filter((t) => t.startsWith('HTTP/1.1 101')).length).toBe(1); // the one being handled as it stopped
  expect(texts.filter((t) => t === '').length).toBe(2);
  expect(queue.stats.queued).toBe(0);
});

let t: TestHub;
beforeAll(async () => { t = await startTestHub(); }, 60_000);
afterAll(async () => { await t.stop(); });

it('the hub: 80 consoles connecting at once all get their snapshot; /healthz counts the upgrades', async () => {
  const token = await t.login('admin');
  const before = ((await t.api('GET', '/healthz')).body as { consoleUpgrades: { handled: number } }).consoleUpgrades.handled;
  const socks = Array.from({ length: 80 }, () => new WebSocket(`ws://127.0.0.1:${t.hub.ports.http}/ws?token=${token}`));
  await Promise.all(socks.map((ws) => new Promise<void>((resolve, reject) => {
    ws.on('message', (d) => { if (isSnapshotEnd(JSON.parse(d.toString()))) resolve(); });
    ws.on('error', reject);
  })));
  const health = (await t.api('GET', '/healthz')).body as { consoles: number; consoleUpgrades: Record<string, number> };
  expect(health.consoles).toBeGreaterThanOrEqual(80);
  expect(health.consoleUpgrades).toMatchObject({ queued: 0, refusedFull: 0 });
  expect(health.consoleUpgrades.handled - before).toBe(80);
  for (const ws of socks) ws.close();
}, 30_000);
