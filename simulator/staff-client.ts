/**
 * A staff member as the simulator plays one: logs in over HTTP, holds the console WebSocket
 * open (resuming with ?since= after a drop or a hub restart), and calls the alert actions.
 */
import WebSocket from 'ws';
import { EventEmitter } from 'node:events';

export interface AlertLike { id: string; kind: string; state: string; deviceId: string | null; notified?: number[]; presses?: number; [k: string]: unknown }
export interface StaffUser { id: number; username: string; role: string }

/** The hub answered with an error: its message and code, and what was asked. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: any, what = '') {
    const e = body?.error;
    super(`${what ? `${what}: ` : ''}${e?.message ?? (typeof body === 'string' && body ? body.slice(0, 200) : 'no message')} (HTTP ${status}${e?.code ? ` ${e.code}` : ''})`);
  }
}

export async function httpJson(base: string, method: string, path: string, token?: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a bad URL) is in its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`could not reach the hub's HTTP API at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`
      + ' (is the hub running? set its address with --http URL or ANXIN_HTTP_PORT)');
  }
  const text = await res.text();
  let parsed: any = text;
  try { parsed = JSON.parse(text); } catch { /* keep text */ }
  if (!res.ok) throw new HttpError(res.status, parsed, `${method} ${base}${path}`);
  return parsed;
}

/**
 * Emits 'alert' (view, receivedAt) for every alert in a snapshot or change, 'open' on each
 * (re)connect, 'down' when the socket drops.
 */
export class StaffClient extends EventEmitter {
  token: string | null = null;
  user: StaffUser | null = null;
  private ws: WebSocket | null = null;
  private seq: number | null = null;
  private epoch: string | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  /** No reconnect before this (performance.now()): a drop() that lasts. */
  private holdUntil = 0;
  connected = false;

  constructor(readonly httpUrl: string, readonly username: string, readonly password: string) {
    super();
  }

  async login(): Promise<void> {
    const r = await httpJson(this.httpUrl, 'POST', '/api/session', undefined, { username: this.username, password: this.password });
    this.token = r.token;
    this.user = r.user;
  }

  /** Logs in and opens the socket; resolves once the first snapshot has arrived. */
  async start(): Promise<void> {
    await this.login();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.username}: console socket not open within 10 s`)), 10_000);
      this.once('open', () => { clearTimeout(timer); resolve(); });
      this.open();
    });
  }

  private open(): void {
    if (this.stopped) return;
    const q = new URLSearchParams({ token: this.token! });
    if (this.seq !== null && this.epoch !== null) {
      q.set('since', String(this.seq));
      q.set('epoch', this.epoch);
    }
    const ws = new WebSocket(`${this.httpUrl.replace(/^http/, 'ws')}/ws?${q}`);
    this.ws = ws;
    ws.on('message', (data) => this.frame(data.toString(), performance.now()));
    ws.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 401) this.token = null; // session gone: log in again
      ws.terminate();
    });
    ws.on('error', () => { /* close follows */ });
    ws.on('close', () => {
      this.connected = false;
      if (this.ws === ws) this.ws = null;
      this.emit('down');
      this.reconnect();
    });
  }

  private reconnect(): void {
    if (this.stopped || this.retry) return;
    const wait = Math.max(300 + Math.random() * 700, this.holdUntil - performance.now());
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.token) return this.open();
      this.login().then(() => this.open(), () => this.reconnect());
    }, wait);
  }

  /** Drops the socket as a network failure would, and stays away `forMs` before reconnecting (with ?since=). */
  drop(forMs: number): void {
    this.holdUntil = performance.now() + forMs;
    this.ws?.terminate();
  }

  private frame(text: string, at: number): void {
    let f: any;
    try { f = JSON.parse(text); } catch { return; }
    if (f.type === 'hello' && typeof f.epoch === 'string') {
      if (f.epoch !== this.epoch) this.seq = null; // another epoch: its numbers mean nothing here
      this.epoch = f.epoch;
    }
    // A snapshot in pages counts only with its last page (dropped before it, ask for a new snapshot).
    if ((f.type === 'snapshot' || f.type === 'snapshot_page') && f.remaining > 0) this.seq = null;
    else if (typeof f.seq === 'number') this.seq = Math.max(this.seq ?? 0, f.seq);
    if (f.type === 'snapshot' || f.type === 'snapshot_page') {
      // A big snapshot comes in pages (docs/api.md): caught up with the last.
      for (const a of f.alerts ?? []) this.emit('alert', a, at);
      if (f.remaining) return;
      this.connected = true;
      this.emit('open');
    } else if (f.type === 'resumed') {
      this.connected = true;
      this.emit('open');
    } else if (f.type === 'change' && f.alert) {
      this.emit('alert', f.alert, at);
    }
  }

  act(alertId: string, action: 'ack' | 'arrive' | 'resolve' | 'confirm-cancel', body?: unknown): Promise<any> {
    return httpJson(this.httpUrl, 'POST', `/api/alerts/${encodeURIComponent(alertId)}/${action}`, this.token ?? undefined, body);
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.ws?.terminate();
  }
}
