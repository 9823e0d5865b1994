/**
 * The live WebSocket to the hub. Connects with the token; on a drop it reconnects with
 * backoff and resumes with ?since=<last seq seen>&epoch=<the hub's epoch>, so nothing is
 * missed (from another epoch the hub sends a snapshot instead). A heartbeat (ping
 * every 15 s, give up after 40 s of silence) notices a half-dead connection. Before each
 * retry it asks /api/me: a rejected token means "go back to login", not "retry forever".
 */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export class LiveFeed {
  /**
   * @param {{ token: () => string|null, onFrame: (f: any) => void, onStatus: (s: {state: string, retryAt?: number, attempt?: number}) => void, onAuthLost: () => void }} h
   */
  constructor(h) {
    this.h = h;
    this.ws = null;
    this.lastSeq = null;
    this.epoch = null;
    this.attempt = 0;
    this.timer = null;
    this.beat = null;
    this.lastHeard = 0;
    this.stopped = true;
    this.holdUntil = 0;
    this.connects = 0;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.beat);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
      this.ws = null;
    }
  }

  /** Closes the socket as a network failure would (used by tests and the "reconnect now" button). */
  kill(holdMs = 0) {
    this.holdUntil = Date.now() + holdMs;
    if (this.ws) this.ws.close();
  }

  retryNow() {
    if (this.ws || this.stopped) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    this.holdUntil = 0;
    this.connect();
  }

  connect() {
    const token = this.h.token();
    if (!token) return this.h.onAuthLost();
    const q = new URLSearchParams({ token });
    if (this.lastSeq !== null && this.epoch !== null) {
      q.set('since', String(this.lastSeq));
      q.set('epoch', this.epoch);
    }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.h.onStatus({ state: 'connecting', attempt: this.attempt });
    const ws = new WebSocket(`${proto}//${location.host}/ws?${q}`);
    this.ws = ws;
    this.connects++;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      clearInterval(this.beat);
      this.beat = setInterval(() => this.heartbeat(), 15000);
    };
    ws.onmessage = (ev) => {
      this.lastHeard = Date.now();
      let f;
      try { f = JSON.parse(ev.data); } catch { return; }
      if (f.type === 'hello' && typeof f.epoch === 'string') {
        // Numbers from another epoch mean nothing here: start over from this hub's snapshot.
        if (f.epoch !== this.epoch) this.lastSeq = null;
        this.epoch = f.epoch;
      }
      // A snapshot in pages counts only with its last page: dropped before that, the page must not
      // resume from its number (it would never get the pages it missed), so it asks for a new snapshot.
      if ((f.type === 'snapshot' || f.type === 'snapshot_page') && f.remaining > 0) this.lastSeq = null;
      else if (typeof f.seq === 'number') this.lastSeq = Math.max(this.lastSeq ?? 0, f.seq);
      if (f.type === 'snapshot' || f.type === 'resumed') {
        this.attempt = 0;
        this.h.onStatus({ state: 'live' });
      }
      this.h.onFrame(f);
    };
    ws.onclose = (ev) => {
      clearInterval(this.beat);
      if (this.ws === ws) this.ws = null;
      if (this.stopped) return;
      if (ev.code === 4001) return this.h.onAuthLost();
      this.scheduleRetry();
    };
  }

  heartbeat() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > 40000) return ws.close();
    ws.send('{"type":"ping"}');
  }

  scheduleRetry() {
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delay = Math.max(base * (0.8 + Math.random() * 0.4), this.holdUntil - Date.now());
    this.attempt++;
    const retryAt = Date.now() + delay;
    this.h.onStatus({ state: 'down', retryAt, attempt: this.attempt });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.retry(), delay);
  }

  async retry() {
    if (this.stopped) return;
    // A refused upgrade gives the page no status code, so ask the API whether the token still works.
    const token = this.h.token();
    try {
      const res = await fetch('/api/me', { headers: { authorization: `Bearer ${token}` } });
      if (res.status === 401) return this.h.onAuthLost();
    } catch {
      return this.scheduleRetry(); // hub unreachable: keep trying
    }
    if (!this.stopped && !this.ws) this.connect();
  }
}
