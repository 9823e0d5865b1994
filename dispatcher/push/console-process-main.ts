/**
 * The console process: holds the consoles' WebSockets and writes their frames, so that the hub's main
 * thread, which commits the alarms, makes one write per commit to this process instead of one per
 * console (twenty consoles were a third of its time at 1,000 presses/s, bench/README.md item 81).
 * Started by console-process.ts with `fork`; everything it knows comes over the IPC channel:
 *
 * - `adopt` with a socket: a console the hub has authenticated; this process answers its WebSocket
 *   handshake and says `open` (or `failed` if the handshake did not complete);
 * - `ops`: a commit's worth of sends, in order: `f` a prepared frame to a list of consoles, `s` a text
 *   message to one, `c` close, `x` terminate, `p` ping. One console's frames of one `ops` leave in one
 *   write (CommitCork).
 *
 * It tells the hub of each console's messages (`m`), pongs and close (`closed`); the hub decides what
 * they mean. It exits when the hub goes (the channel closes), which closes every console: they reconnect.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CommitCork, payloadOf, sendFramed } from './framed-broadcast.ts';

export type ProcessOp =
  | ['f', number[], Buffer]
  | ['s', number, string | Buffer]
  | ['c', number, number, string]
  | ['x', number]
  | ['p', number];

export type ToConsoleProcess =
  | { t: 'adopt'; id: number; method: string; url: string; headers: IncomingMessage['headers']; head: Buffer }
  | { t: 'ops'; ops: ProcessOp[] };

export type FromConsoleProcess =
  | { t: 'ready' }
  | { t: 'open' | 'failed' | 'pong' | 'closed'; id: number }
  | { t: 'm'; id: number; data: Buffer; binary: boolean };

const maxPayload = Number(process.argv[2] ?? 4096);
const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
const sockets = new Map<number, WebSocket>();
const cork = new CommitCork();

function tell(m: FromConsoleProcess): void {
  if (process.connected) process.send!(m);
}

function adopt(m: Extract<ToConsoleProcess, { t: 'adopt' }>, socket: Socket | undefined): void {
  if (!socket) return tell({ t: 'failed', id: m.id });
  let opened = false;
  socket.once('close', () => { if (!opened) tell({ t: 'failed', id: m.id }); });
  const req = { method: m.method, url: m.url, headers: m.headers } as IncomingMessage;
  wss.handleUpgrade(req, socket, Buffer.from(m.head), (ws) => {
    opened = true;
    sockets.set(m.id, ws);
    ws.on('message', (data, binary) => tell({ t: 'm', id: m.id, data: data as Buffer, binary }));
    ws.on('pong', () => tell({ t: 'pong', id: m.id }));
    ws.on('close', () => { sockets.delete(m.id); tell({ t: 'closed', id: m.id }); });
    ws.on('error', () => ws.terminate());
    tell({ t: 'open', id: m.id });
  });
}

function run(ops: ProcessOp[]): void {
  for (const op of ops) {
    if (op[0] === 'f') {
      const framed = op[2];
      const payload = payloadOf(framed);
      for (const id of op[1]) {
        const ws = sockets.get(id);
        if (!ws || ws.readyState !== ws.OPEN) continue;
        cork.hold(ws);
        sendFramed(ws, payload, framed);
      }
      continue;
    }
    const ws = sockets.get(op[1]);
    if (!ws) continue;
    if (op[0] === 's') { if (ws.readyState === ws.OPEN) ws.send(op[2], { binary: false }); }
    else if (op[0] === 'c') ws.close(op[2], op[3]);
    else if (op[0] === 'x') ws.terminate();
    else if (ws.readyState === ws.OPEN) ws.ping();
  }
  cork.release();
}

process.on('message', (m: ToConsoleProcess, handle?: unknown) => {
  if (m.t === 'adopt') adopt(m, handle as Socket | undefined);
  else if (m.t === 'ops') run(m.ops);
});
process.on('disconnect', () => process.exit(0));
tell({ t: 'ready' });
