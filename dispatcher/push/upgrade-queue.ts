/**
 * Console WebSocket upgrades, taken a few milliseconds' worth per turn of the event loop.
 *
 * Each upgrade costs the hub about 0.1–0.25 ms (the session lookup, the handshake's hash and
 * write, the hello). After a hub restart or a street office's network blip, hundreds of consoles
 * upgrade in the same poll phase; handled as they came, they held the loop 46–119 ms, and every
 * press waiting for its commit waited as long. Queued, they are taken oldest first for at most
 * `budgetMs` per turn, and presses, acks and the consoles' catch-ups run between the turns.
 *
 * A socket waiting here has no 'error' listener of Node's any more (the HTTP server drops its own
 * at the upgrade), so one is added that destroys it: a client that resets while it waits must not
 * become an uncaught exception. A client that left while it waited is skipped. With `maxQueued`
 * waiting, a new upgrade is refused with 503 and Retry-After; consoles retry with jitter.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { TimeSlicer, type SlicedJob } from '../time-slicer.ts';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeQueueOptions { budgetMs: number; maxQueued: number }
export const DEFAULT_UPGRADE_QUEUE: UpgradeQueueOptions = { budgetMs: 3, maxQueued: 2_000 };

interface Waiting { req: IncomingMessage; socket: Duplex; head: Buffer }

export interface UpgradeQueueStats {
  /** Upgrades handled (accepted or refused by the handler). */
  handled: number;
  /** Waiting now, and the most that ever waited at once. */
  queued: number;
  maxQueued: number;
  /** Clients that left before their turn came. */
  gone: number;
  /** Refused with 503 because `maxQueued` were already waiting. */
  refusedFull: number;
}

export class UpgradeQueue {
  private waiting: Waiting[] = [];
  private head = 0;
  private draining = false;
  /** Its own slicer, not the catch-ups': an upgrade must not wait for other consoles' snapshots. */
  private readonly slicer: TimeSlicer;
  private stopped = false;
  readonly stats: UpgradeQueueStats = { handled: 0, queued: 0, maxQueued: 0, gone: 0, refusedFull: 0 };

  constructor(
    private readonly handle: UpgradeHandler,
    /** Told of what the handler threw; the socket is then destroyed and the queue goes on. */
    private readonly onError: (err: unknown) => void,
    private readonly opts: UpgradeQueueOptions = DEFAULT_UPGRADE_QUEUE,
  ) {
    this.slicer = new TimeSlicer(opts.budgetMs);
  }

  offer(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.stopped) { socket.destroy(); return; }
    if (this.stats.queued >= this.opts.maxQueued) {
      this.stats.refusedFull++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ntoo many consoles connecting at once; try again in a second\n');
      return;
    }
    this.waiting.push({ req, socket, head });
    this.stats.queued++;
    if (this.stats.queued > this.stats.maxQueued) this.stats.maxQueued = this.stats.queued;
    if (!this.draining) { this.draining = true; this.slicer.run(this.drain()); }
  }

  /** Drops every waiting upgrade (the hub is stopping). */
  stop(): void {
    this.stopped = true;
    for (let i = this.head; i < this.waiting.length; i++) this.waiting[i].socket.destroy();
    this.waiting = [];
    this.head = 0;
    this.stats.queued = 0;
  }

  /** Hands the waiting upgrades to the handler one per step of a sliced job, until none is left. */
  private *drain(): SlicedJob {
    while (this.head < this.waiting.length) {
      const w = this.waiting[this.head++];
      this.stats.queued--;
      if (this.head > 1024) { this.waiting = this.waiting.slice(this.head); this.head = 0; }
      if (w.socket.destroyed || !w.socket.writable) { this.stats.gone++; w.socket.destroy(); continue; }
      this.stats.handled++;
      try {
        this.handle(w.req, w.socket, w.head);
      } catch (err) { // a hostile upgrade request must never become an uncaught exception
        this.onError(err);
        w.socket.destroy();
      }
      yield;
    }
    this.waiting = [];
    this.head = 0;
    this.draining = false;
  }
}
