/**
 * Virtual duty staff: each logs in, holds a console open, and answers the calls it is
 * notified of: accept after a delay, arrive after another, resolve after a third. Cancelled
 * calls are confirmed. Several responders in one process share their claims, so a call is
 * taken by one of them (the hub still arbitrates: a 409 means somebody else was faster).
 */
import { EventEmitter } from 'node:events';
import { HttpError, StaffClient, type AlertLike } from './staff-client.ts';

export interface ResponderOptions {
  httpUrl: string;
  users: string[];
  password: string;
  acceptAfterMs: number;
  arriveAfterMs: number;
  resolveAfterMs: number;
  /** Each delay is drawn from delay × (1 ± jitter). */
  jitter: number;
  /** Act on every visible call, not only the ones this user was notified of. */
  anyVisible?: boolean;
}

export const DEFAULT_RESPONDERS: Omit<ResponderOptions, 'httpUrl'> = {
  users: ['grid1', 'grid2', 'community', 'admin'], password: 'demo-pass',
  acceptAfterMs: 2000, arriveAfterMs: 5000, resolveAfterMs: 3000, jitter: 0.3,
};

export class Responders extends EventEmitter {
  readonly clients: StaffClient[] = [];
  private readonly claimed = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  stats = { accepted: 0, arrived: 0, resolved: 0, confirmedCancels: 0, conflicts: 0, errors: 0 };

  constructor(readonly opts: ResponderOptions) {
    super();
  }

  async start(): Promise<void> {
    for (const u of this.opts.users) {
      const c = new StaffClient(this.opts.httpUrl, u, this.opts.password);
      await c.start();
      c.on('alert', (a: AlertLike) => this.consider(c, a));
      this.clients.push(c);
    }
  }

  private later(ms: number, fn: () => void): void {
    const j = this.opts.jitter;
    const t = setTimeout(() => { this.timers.delete(t); if (!this.stopped) fn(); }, Math.max(0, ms * (1 + (Math.random() * 2 - 1) * j)));
    this.timers.add(t);
  }

  private consider(c: StaffClient, a: AlertLike): void {
    if (a.kind !== 'call' || this.claimed.has(a.id)) return;
    const mine = this.opts.anyVisible || !a.notified || a.notified.includes(c.user!.id);
    if (!mine) return;
    if (a.state === 'raised') {
      this.claimed.add(a.id);
      this.later(this.opts.acceptAfterMs, () => this.step(c, a.id, 'ack'));
    } else if (a.state === 'cancelled') {
      this.claimed.add(a.id);
      this.later(this.opts.acceptAfterMs, () => this.step(c, a.id, 'confirm-cancel'));
    }
  }

  private step(c: StaffClient, alertId: string, action: 'ack' | 'arrive' | 'resolve' | 'confirm-cancel'): void {
    const body = action === 'resolve' ? { outcome: 'assisted', note: 'simulated responder' } : undefined;
    c.act(alertId, action, body).then(() => {
      this.emit('action', c.username, action, alertId);
      if (action === 'ack') { this.stats.accepted++; this.later(this.opts.arriveAfterMs, () => this.step(c, alertId, 'arrive')); }
      else if (action === 'arrive') { this.stats.arrived++; this.later(this.opts.resolveAfterMs, () => this.step(c, alertId, 'resolve')); }
      else if (action === 'resolve') { this.stats.resolved++; this.claimed.delete(alertId); }
      else { this.stats.confirmedCancels++; this.claimed.delete(alertId); }
    }, (err) => {
      // 409: someone else took it, or the resident cancelled meanwhile; let the next change decide.
      if (err instanceof HttpError && err.status === 409) this.stats.conflicts++;
      else this.stats.errors++;
      this.claimed.delete(alertId);
      if (!(err instanceof HttpError)) this.later(1000, () => this.retryLater(c, alertId));
    });
  }

  /** After a network error (hub restarting): look at the alert again. */
  private retryLater(c: StaffClient, alertId: string): void {
    c.act(alertId, 'ack').then(() => { this.stats.accepted++; this.claimed.add(alertId); this.later(this.opts.arriveAfterMs, () => this.step(c, alertId, 'arrive')); },
      (err) => { if (!(err instanceof HttpError)) this.later(1000, () => this.retryLater(c, alertId)); });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.clients) c.stop();
  }
}
