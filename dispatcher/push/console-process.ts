/**
 * The hub's side of the console process (console-process-main.ts): it starts the process when the
 * first console connects, hands it each authenticated console's socket, and sends it, once per commit,
 * everything the consoles are to get, in order. Each change's frame crosses once with the list of
 * consoles that may see it; the process makes the per-console writes on the other core.
 *
 * A console over TLS stays in the hub's process (its TLS session cannot be handed over), and so does
 * every console if the process cannot be started; the console socket then holds it itself
 * (console-link.ts LocalLink). If the process dies, its consoles are closed (they reconnect, and are
 * caught up) and the next console to connect starts a new one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ConsoleLink, LinkEvents } from './console-link.ts';
import type { FromConsoleProcess, ProcessOp, ToConsoleProcess } from './console-process-main.ts';

const MAIN = fileURLToPath(new URL('./console-process-main.ts', import.meta.url));
/** The process runs the TypeScript source, as the hub does (`npm start` is tsx). */
const TSX = import.meta.resolve('tsx');

type Opened = (link: ConsoleLink) => void;
interface Waiting { go(child: ChildProcess): void; fail(): void; drop(): void }

/** A console whose WebSocket is held by the console process. */
export class RemoteLink implements ConsoleLink {
  open = true;
  private events: LinkEvents | null = null;

  constructor(readonly id: number, private readonly port: ConsoleProcess) {}

  listen(on: LinkEvents): void { this.events = on; }
  send(text: string | Buffer): void { if (this.open) this.port.op(['s', this.id, text]); }
  sendFrame(_payload: Buffer, framed: Buffer): void { if (this.open) this.port.op(['f', [this.id], framed]); }
  ping(): void { if (this.open) this.port.op(['p', this.id]); }

  close(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.port.op(['c', this.id, code, reason]);
  }

  terminate(): void {
    if (!this.open) return;
    this.open = false;
    this.port.op(['x', this.id]);
  }

  /** What the process said about this console. */
  heard(m: FromConsoleProcess & { id: number }): void {
    if (m.t === 'pong') this.events?.pong();
    else if (m.t === 'm') this.events?.message(m.data, m.binary);
  }

  /** Forgotten without a word: the hub is stopping. */
  detach(): void {
    this.open = false;
    this.events = null;
  }

  /** Closed, by the console, by the hub, or with the process. */
  gone(): void {
    this.open = false;
    const on = this.events;
    this.events = null;
    on?.close();
  }
}

export class ConsoleProcess {
  private child: ChildProcess | null = null;
  private ready = false;
  private waiting: Waiting[] = [];
  private readonly links = new Map<number, RemoteLink>();
  private readonly adopting = new Map<number, Opened>();
  private ops: ProcessOp[] = [];
  private flushQueued = false;
  private nextId = 1;
  private stopped = false;
  /** Times the process died under its consoles and a new one was started for the next. */
  private restarts = 0;
  private died = false;
  /** Set when the process could not be started: every console is then held in the hub's own process. */
  broken = false;

  constructor(private readonly maxPayload: number, private readonly log: Logger) {}

  /** True if `socket` can be handed over: plain TCP, and a process that starts. */
  canAdopt(socket: Duplex): socket is Socket {
    return !this.broken && !this.stopped && socket instanceof Socket && !(socket instanceof TLSSocket);
  }

  /**
   * Hands an authenticated upgrade over: `opened` is told of the console once its handshake is done;
   * `local` is called instead if the process could not be started (the socket is still here then).
   */
  adopt(req: IncomingMessage, socket: Socket, head: Buffer, opened: Opened, local: () => void): void {
    const id = this.nextId++;
    const go = (child: ChildProcess) => {
      this.flush();
      this.adopting.set(id, opened);
      const m: ToConsoleProcess = { t: 'adopt', id, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, head };
      child.send(m, socket, (err) => {
        if (!err) return;
        this.adopting.delete(id);
        socket.destroy();
      });
    };
    if (this.ready && this.child) go(this.child);
    else {
      this.waiting.push({ go, fail: local, drop: () => socket.destroy() });
      if (!this.child) this.start();
    }
  }

  /** One frame to many consoles, after what was queued before it. */
  frames(ids: number[], framed: Buffer): void {
    this.op(['f', ids, framed]);
  }

  op(o: ProcessOp): void {
    this.ops.push(o);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  /** Sends what is queued, in one message: at the end of each commit's changes, or of the current task. */
  flush(): void {
    this.flushQueued = false;
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    if (this.ready && this.child?.connected) this.child.send({ t: 'ops', ops } satisfies ToConsoleProcess);
  }

  /** For /healthz: `idle` until the first console, `running` (with its pid), or `failed` (consoles held by the hub). */
  status(): { state: 'idle' | 'starting' | 'running' | 'failed'; pid: number | null; consoles: number; restarts: number } {
    const state = this.broken ? 'failed' : !this.child ? 'idle' : this.ready ? 'running' : 'starting';
    return { state, pid: this.child?.pid ?? null, consoles: this.links.size, restarts: this.restarts };
  }

  /** Ends the process; its consoles are told nothing more (the hub is going, and its store with it). */
  stop(): void {
    this.stopped = true;
    this.flush();
    for (const l of this.links.values()) l.detach();
    this.links.clear();
    this.child?.kill();
    for (const w of this.waiting) w.drop();
    this.waiting = [];
  }

  private start(): void {
    let child: ChildProcess;
    try {
      child = fork(MAIN, [String(this.maxPayload)], { execArgv: ['--import', TSX], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    } catch (err) {
      return this.cannotStart(err as Error);
    }
    this.child = child;
    if (this.died) this.restarts++;
    child.on('message', (m: FromConsoleProcess) => this.heard(m));
    child.on('error', (err) => { if (!this.ready) this.cannotStart(err); });
    child.on('exit', (code, signal) => this.exited(child, code, signal));
  }

  private heard(m: FromConsoleProcess): void {
    if (m.t === 'ready') {
      this.ready = true;
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) w.go(this.child!);
      return;
    }
    if (m.t === 'open') {
      const opened = this.adopting.get(m.id);
      this.adopting.delete(m.id);
      const link = new RemoteLink(m.id, this);
      this.links.set(m.id, link);
      if (opened) opened(link);
      else link.terminate();
      return;
    }
    if (m.t === 'failed') { this.adopting.delete(m.id); return; }
    const link = this.links.get(m.id);
    if (!link) return;
    if (m.t === 'closed') {
      this.links.delete(m.id);
      link.gone();
    } else link.heard(m);
  }

  private cannotStart(err: Error): void {
    if (this.broken) return;
    this.broken = true;
    this.child = null;
    this.log.error({ err: err.message }, 'console process could not be started; consoles are served from the hub process');
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.fail();
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const wasReady = this.ready;
    this.child = null;
    this.ready = false;
    this.ops = [];
    this.adopting.clear();
    if (!wasReady) {
      if (!this.stopped) this.cannotStart(new Error(`exited with ${signal ?? code} before it was ready`));
      return;
    }
    this.died = true;
    if (!this.stopped) this.log.warn({ code, signal, consoles: this.links.size }, 'console process exited; its consoles will reconnect');
    const links = [...this.links.values()];
    this.links.clear();
    for (const l of links) l.gone();
  }
}
