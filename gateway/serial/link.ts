/**
 * One receiver: keeps its link open (re-opening with backoff), feeds bytes to its framing,
 * counts errors, and decides whether it is online and whether it is degraded. It reports a
 * status only when that changes. Offline means: the link has been down for longer than the
 * grace period, the device node vanished (serialport does not always emit close on unplug),
 * or no valid frame arrived within the supervision interval (when one is configured).
 */
import type { Logger } from 'pino';
import type { ReceiverStatusEvent } from '../events.ts';
import type { ReceiverSpec } from './spec.ts';
import type { Conn, Opener } from './transport.ts';
import { getFraming } from './framing.ts';
import type { FrameParser, RfCode } from './types.ts';

export interface LinkDeps {
  opener: Opener;
  /** Whether a serial device node exists (polled). */
  present: (path: string) => boolean;
  /** Wall-clock time for reported timestamps. */
  now: () => number;
  onCode: (code: RfCode, receiver: string) => void;
  onStatus: (e: ReceiverStatusEvent) => void;
  log: Logger;
  tickMs?: number;
}

export interface LinkStatus {
  name: string; source: string; kind: 'serial' | 'tcp'; framing: string; nodeId: number | null; superviseS: number;
  link: 'connecting' | 'open' | 'down' | 'stopped'; online: boolean | null; degraded: boolean;
  errorsTotal: number; recentErrors: number; degradeAfter: number; lastError: string | null; bytesIn: number; frames: number;
  lastFrameAt: number | null; reconnects: number; buffered: number; maxBuffer: number;
}

const MINUTE = 60_000;
const MAX_ERROR_TIMES = 10_000;

export class ReceiverLink {
  private conn: Conn | null = null;
  private parser: FrameParser;
  private state: LinkStatus['link'] = 'connecting';
  private online: boolean | null = null;
  private degraded = false;
  private downSince = Date.now();
  private lastFrameMono = 0;
  private lastFrameAt: number | null = null;
  private attempts = 0;
  private reconnects = 0;
  private errorTimes: number[] = [];
  private errorsTotal = 0;
  private bytesIn = 0;
  private frames = 0;
  private lastError: string | null = null;
  private tick: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(readonly spec: ReceiverSpec, private readonly deps: LinkDeps) {
    this.parser = getFraming(spec.framing)!.create();
  }

  start(): void {
    this.stopped = false;
    this.downSince = Date.now();
    this.tick = setInterval(() => this.onTick(), this.deps.tickMs ?? 500);
    this.tick.unref();
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.state = 'stopped';
    if (this.tick) clearInterval(this.tick);
    if (this.retry) clearTimeout(this.retry);
    this.tick = this.retry = null;
    this.conn?.close();
    this.conn = null;
  }

  status(): LinkStatus {
    const s = this.spec;
    return {
      name: s.name, source: s.source, kind: s.kind, framing: s.framing, nodeId: s.nodeId, superviseS: s.superviseS,
      link: this.state, online: this.online, degraded: this.degraded, errorsTotal: this.errorsTotal, recentErrors: this.recentErrors(Date.now()),
      degradeAfter: s.degradeAfter, lastError: this.lastError, bytesIn: this.bytesIn, frames: this.frames, lastFrameAt: this.lastFrameAt,
      reconnects: this.reconnects, buffered: this.parser.buffered(), maxBuffer: this.parser.maxBuffer,
    };
  }

  private connect(): void {
    this.retry = null;
    if (this.stopped) return;
    this.state = 'connecting';
    this.deps.opener(this.spec, { data: (b) => this.onData(b), down: (cause) => this.onDown(cause) }).then((conn) => {
      if (this.stopped) return conn.close();
      this.conn = conn;
      this.state = 'open';
      if (this.attempts > 0 || this.reconnects > 0 || this.frames > 0) this.reconnects++;
      this.attempts = 0;
      this.parser = getFraming(this.spec.framing)!.create();
      this.lastFrameMono = performance.now();
      this.deps.log.info({ receiver: this.spec.name, source: this.spec.source }, 'receiver link open');
      this.evaluate();
    }, (err: Error) => {
      this.lastError = `cannot open ${this.spec.kind === 'tcp' ? 'tcp://' : ''}${this.spec.path}: ${err.message}`;
      this.scheduleRetry();
      this.evaluate();
    });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return;
    const delay = Math.min(this.spec.retryMs * 2 ** Math.min(this.attempts, 20), this.spec.retryMaxMs);
    this.attempts++;
    this.retry = setTimeout(() => this.connect(), delay);
    this.retry.unref();
  }

  private onDown(cause: string): void {
    if (this.stopped) return;
    this.conn = null;
    this.state = 'down';
    this.downSince = Date.now();
    this.lastError = cause;
    this.deps.log.warn({ receiver: this.spec.name, cause }, 'receiver link down');
    this.scheduleRetry();
    this.evaluate();
  }

  private onData(b: Buffer): void {
    if (this.stopped) return;
    this.bytesIn += b.length;
    const t = Date.now();
    for (const r of this.parser.push(b)) {
      if (r.type === 'error') {
        this.errorsTotal++;
        this.lastError = `${r.reason} (${r.bytes} bytes)`;
        this.errorTimes.push(t);
        if (this.errorTimes.length > MAX_ERROR_TIMES) this.errorTimes.splice(0, this.errorTimes.length - MAX_ERROR_TIMES);
        continue;
      }
      this.lastFrameMono = performance.now();
      this.lastFrameAt = this.deps.now();
      if (r.type === 'code') {
        this.frames++;
        this.deps.onCode(r.code, this.spec.name);
      }
    }
    if (this.online !== true || this.degraded !== (this.recentErrors(t) >= this.spec.degradeAfter)) this.evaluate();
  }

  private onTick(): void {
    if (this.state === 'open' && this.spec.kind === 'serial' && !this.deps.present(this.spec.path)) {
      const c = this.conn;
      this.conn = null;
      c?.close();
      this.onDown(`device ${this.spec.path} disappeared (unplugged?)`);
      return;
    }
    this.evaluate();
  }

  private recentErrors(t: number): number {
    let i = 0;
    while (i < this.errorTimes.length && t - this.errorTimes[i] > MINUTE) i++;
    if (i) this.errorTimes.splice(0, i);
    return this.errorTimes.length;
  }

  private evaluate(): void {
    if (this.stopped) return;
    const t = Date.now();
    let online: boolean | null;
    let cause = '';
    if (this.state === 'open') {
      const silentMs = performance.now() - this.lastFrameMono;
      online = !(this.spec.superviseS > 0 && silentMs > this.spec.superviseS * 1000);
      if (!online) cause = `no frame for ${Math.round(silentMs / 1000)} s (supervision interval ${this.spec.superviseS} s)`;
    } else {
      online = t - this.downSince >= this.spec.graceMs ? false : this.online;
      cause = this.lastError ?? 'link down';
    }
    const recent = this.recentErrors(t);
    const degraded = online === true && recent >= this.spec.degradeAfter;
    if (online === this.online && degraded === this.degraded) return;
    this.online = online;
    this.degraded = degraded;
    if (online === null) return;
    const detail = !online ? `receiver ${this.spec.name} offline: ${cause}`
      : degraded ? `receiver ${this.spec.name} degraded: ${recent} bad frames in the last minute (last: ${this.lastError})`
        : `receiver ${this.spec.name} online`;
    this.deps.log.info({ receiver: this.spec.name, online, degraded }, detail);
    this.deps.onStatus({ kind: 'receiver-status', receiver: this.spec.name, nodeId: this.spec.nodeId, online, degraded, recentErrors: recent, detail, at: this.deps.now() });
  }
}
