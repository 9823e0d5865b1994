/**
 * The consoles' WebSocket at /ws. On connect: a hello and a snapshot of the open alerts the
 * user may see (or, given ?since=N&epoch=E, the current state of each alert changed after N), built
 * in slices between the hub's other work (console-catch-up.ts). Then every change as a numbered
 * frame, serialized once and shared by all clients that may see it.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Staff } from '../store/staff-repo.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Change, ChangeFeed } from '../alerts/change-feed.ts';
import type { DutyDesk } from '../alerts/duty.ts';
import type { Clock } from '../clock.ts';
import type { AlertView } from '../alerts/alert-view.ts';
import { staffView } from '../http/staff-view.ts';
import { CommitCork, textFrame } from './framed-broadcast.ts';
import { LocalLink, type ConsoleLink } from './console-link.ts';
import { ConsoleProcess, RemoteLink } from './console-process.ts';
import { DUTY_EDIT_FRAME, DUTY_HINT_FRAME } from './duty-hint.ts';
import { changeEpoch } from './change-epoch.ts';
import { catchUp, type CatchUpClient, type CatchUpDeps } from './console-catch-up.ts';
import type { TimeSlicer } from '../time-slicer.ts';
import { DEFAULT_UPGRADE_QUEUE, UpgradeQueue, type UpgradeQueueOptions } from './upgrade-queue.ts';

interface Client extends CatchUpClient { token: string; alive: boolean; msgs: number; windowStart: number }

/** `ownProcess`: consoles' sockets held by the console process (console-process.ts) rather than this one. */
export interface ConsoleSocketOptions { maxPayload: number; pingMs: number; maxMsgsPerMinute: number; upgrades: UpgradeQueueOptions; ownProcess: boolean }
export { MAX_RESUME_CHANGES } from './console-catch-up.ts';

export const DEFAULT_SOCKET_OPTIONS: ConsoleSocketOptions = { maxPayload: 4096, pingMs: 30_000, maxMsgsPerMinute: 600, upgrades: DEFAULT_UPGRADE_QUEUE, ownProcess: true };

export function tokenFrom(req: IncomingMessage): string | null {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return null;
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export class ConsoleSocket {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private pinger: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Each console's frames from one commit in one write (framed-broadcast.ts). */
  private readonly cork = new CommitCork();
  /** Holds the consoles' sockets and writes their frames, off this thread; null: this process holds them. */
  private readonly port: ConsoleProcess | null;
  /** What every console's catch-up reads from. */
  private readonly catchUpDeps: CatchUpDeps;
  delivered = 0;
  /** Alerts that live only in memory (the storage fault alert while the store is failing). */
  volatile: () => AlertView[] = () => [];
  /** Told about refused upgrades other than 404 (the audit log). */
  onDenied: (status: string, why: string, ip: string) => void = () => {};
  /** A client resumes with ?since= only if it also gives this epoch (change-epoch.ts). */
  epoch = changeEpoch();
  /** Upgrades wait here and are taken a few milliseconds' worth per turn of the event loop. */
  readonly upgrades: UpgradeQueue;

  constructor(
    private readonly store: Store,
    private readonly alerts: AlertService,
    private readonly duty: DutyDesk,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Runs the catch-ups of connecting consoles, a few milliseconds per turn of the event loop. */
    private readonly slicer: TimeSlicer,
    private readonly opts: ConsoleSocketOptions = DEFAULT_SOCKET_OPTIONS,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload, perMessageDeflate: false });
    this.upgrades = new UpgradeQueue((req, socket, head) => this.upgrade(req, socket, head),
      (err) => this.log.warn({ err: (err as Error).message }, 'bad WebSocket upgrade request'), opts.upgrades);
    this.port = opts.ownProcess ? new ConsoleProcess(opts.maxPayload, log.child({ part: 'console-process' })) : null;
    this.catchUpDeps = { store, feed, canSee: (s, p) => alerts.canSee(s, p), scopeOf: (s) => alerts.scopeOf(s), volatile: () => this.volatile(), log };
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.upgrades.offer(req, socket, head));
    this.unsubscribe = this.feed.subscribe((c) => this.broadcast(c), () => { this.cork.release(); this.port?.flush(); });
    this.pinger = setInterval(() => this.ping(), this.opts.pingMs);
    this.pinger.unref();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const reject = (status: string, why: string) => {
      if (!status.startsWith('404')) this.onDenied(status, why, req.socket.remoteAddress ?? '-');
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}\n`);
    };
    if (path !== '/ws') return reject('404 Not Found', 'no such endpoint');
    const origin = req.headers.origin;
    // `new URL()` throws on "null" (sandboxed pages, file://) and junk: that used to be an uncaught exception.
    if (origin !== undefined && (!req.headers.host || originHost(origin) !== req.headers.host)) return reject('403 Forbidden', 'foreign origin');
    const token = tokenFrom(req);
    const staff = token ? this.store.staff.sessionStaff(token, this.clock.now()) : undefined;
    if (!token || !staff) return reject('401 Unauthorized', 'missing, expired or unknown token');
    const opened = (link: ConsoleLink) => this.connected(link, staff, token, req);
    const here = () => this.wss.handleUpgrade(req, socket, head, (ws) => opened(new LocalLink(ws, this.cork)));
    if (this.port?.canAdopt(socket)) this.port.adopt(req, socket, head, opened, here);
    else here();
  }

  private connected(link: ConsoleLink, staff: Staff, token: string, req: IncomingMessage): void {
    // Live frames are held from here until the catch-up has been sent.
    const client: Client = { link, staff, token, alive: true, msgs: 0, windowStart: this.clock.now(), held: [] };
    this.clients.add(client);
    this.duty.consoleDelta(staff.id, 1);
    link.listen({
      pong: () => { client.alive = true; },
      message: (data, isBinary) => this.message(client, data, isBinary),
      close: () => {
        this.clients.delete(client);
        this.duty.consoleDelta(staff.id, -1);
      },
    });
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const since = Number(q.get('since') ?? NaN);
    link.send(JSON.stringify({ type: 'hello', user: staffView(staff), serverTime: this.clock.now(), epoch: this.epoch }));
    // A number from another epoch may have been handed out and then lost with the machine: a snapshot instead.
    const from = Number.isSafeInteger(since) && since >= 0 && q.get('epoch') === this.epoch ? since : null;
    this.slicer.run(catchUp(this.catchUpDeps, client, from));
  }

  /** Sends now, or after the client's catch-up if it is still catching up. */
  private sendOrHold(c: Client, send: () => void): void {
    if (c.held) c.held.push(send);
    else send();
  }

  private message(c: Client, data: Buffer, isBinary: boolean): void {
    const now = this.clock.now();
    if (now - c.windowStart > 60_000) { c.windowStart = now; c.msgs = 0; }
    if (++c.msgs > this.opts.maxMsgsPerMinute) {
      c.link.close(1008, 'too many messages');
      return;
    }
    let msg: { type?: unknown } | null = null;
    if (!isBinary) {
      try { msg = JSON.parse(data.toString('utf8')) as { type?: unknown }; } catch { msg = null; }
    }
    if (!msg || typeof msg !== 'object') return this.reply(c, { type: 'error', code: 'E_BAD_REQUEST', message: 'messages must be JSON objects' });
    if (msg.type === 'ping') return this.reply(c, { type: 'pong', serverTime: now });
    this.reply(c, { type: 'error', code: 'E_BAD_REQUEST', message: `unknown message type ${JSON.stringify(msg.type)}` });
  }

  private reply(c: Client, body: unknown): void {
    if (c.link.open) c.link.send(JSON.stringify(body));
  }

  private broadcast(ch: Change): void {
    let frame: { data: Buffer; framed: Buffer } | null = null;
    let remote: number[] | null = null; // consoles held by the console process: one op for all of them
    for (const c of this.clients) {
      if (!c.link.open || !this.alerts.canSee(c.staff, ch.gridPath)) continue;
      // Built, encoded and framed once, for the first client that may see it; the same bytes go to every
      // other one (framed-broadcast.ts). With nobody to see it, the view is never built.
      if (!frame) {
        const data = this.feed.frameOf(ch);
        if (data === null) return;
        frame = { data, framed: textFrame(data) };
      }
      if (c.held) {
        const f = frame;
        c.held.push(() => c.link.sendFrame(f.data, f.framed));
      } else if (c.link instanceof RemoteLink) (remote ??= []).push(c.link.id);
      else c.link.sendFrame(frame.data, frame.framed);
      this.delivered++;
    }
    if (remote && frame) this.port!.frames(remote, frame.framed);
  }

  /**
   * The duty board changed (duty-hint.ts): one small frame, the same bytes, to each open console whose
   * area is on, above or below one of `areas` (grid paths; null: every console); `edited` when a
   * roster, node or account changed, not only presence. Returns how many.
   */
  pushDutyHint(areas: readonly string[] | null = null, edited = false): number {
    const frame = edited ? DUTY_EDIT_FRAME : DUTY_HINT_FRAME;
    let told = 0;
    for (const c of this.clients) {
      if (!c.link.open) continue;
      const scope = this.alerts.scopeOf(c.staff);
      if (scope === undefined) continue; // sees nothing
      if (areas !== null && scope !== null && !areas.some((a) => a.startsWith(scope) || scope.startsWith(a))) continue;
      this.sendOrHold(c, () => c.link.send(frame));
      told++;
    }
    return told;
  }

  /** Pushes an in-memory, hub-wide alert to every console, numbered with the last stored change (so no cursor moves). */
  pushVolatile(view: AlertView): void {
    let seq = 0;
    try { seq = this.store.alerts.lastChangeSeq(); } catch { /* the store is failing: 0 never moves a console's cursor */ }
    const frame = JSON.stringify({ type: 'change', seq, alert: view });
    for (const c of this.clients) if (c.link.open) this.sendOrHold(c, () => c.link.send(frame));
  }

  private ping(): void {
    const now = this.clock.now();
    for (const c of this.clients) {
      if (!c.alive) { c.link.terminate(); continue; }
      // A session that expired or was ended (logout elsewhere, password change, account disabled) closes its sockets.
      if (!this.store.staff.sessionStaff(c.token, now)) { c.link.close(4001, 'session expired'); continue; }
      c.alive = false;
      c.link.ping();
    }
  }

  /** Closes the sockets opened with a token (logout) or by a staff member (disabled, password change). */
  /**
   * Closes matching consoles: code 4001 sends them to the login page, 4002 makes them reconnect (the account's
   * scope changed). `exceptToken` spares the session that asked (a password changed from this console).
   */
  closeFor(match: { token?: string; staffId?: number; exceptToken?: string }, reason: string, code: 4001 | 4002 = 4001): number {
    let n = 0;
    for (const c of this.clients) {
      if (match.exceptToken !== undefined && c.token === match.exceptToken) continue;
      if ((match.token && c.token === match.token) || (match.staffId !== undefined && c.staff.id === match.staffId)) {
        c.link.close(code, reason);
        n++;
      }
    }
    return n;
  }

  /** Consoles whose catch-up is still being built. */
  catchingUp(): number {
    let n = 0;
    for (const c of this.clients) if (c.held) n++;
    return n;
  }

  /** The console process (console-process.ts), or `off` when this process holds the consoles. */
  consoleProcess(): ReturnType<ConsoleProcess['status']> | 'off' {
    return this.port?.status() ?? 'off';
  }

  connectedCount(): number {
    return this.clients.size;
  }

  stop(): void {
    this.upgrades.stop();
    this.unsubscribe?.();
    if (this.pinger) clearInterval(this.pinger);
    for (const c of this.clients) c.link.terminate();
    this.clients.clear();
    this.port?.stop();
    this.wss.close();
  }
}
