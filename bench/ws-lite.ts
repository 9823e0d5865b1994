/**
 * A minimal WebSocket client for counting deliveries in benchmark 5, where the load generator
 * receives every frame on the same two cores as the hub. It does the RFC 6455 upgrade handshake
 * on a raw socket, then parses only frame headers and skips payloads, reading into one shared
 * buffer (`onread`: no Buffer, no stream event per read), optionally in batches (`batchMs`).
 * Measured in benchmark 5 (300 consoles, 1.5 KB frames), the generator's CPU per delivery was
 * ~8.7 µs with the `ws` client (a string decoded per frame), ~6–7 µs with this parser reading
 * at each frame (mostly kernel time: one read per frame) and ~2.5 µs reading every 20 ms.
 * It answers pings with a masked pong and a close with a close. Not for production: no
 * extensions, no UTF-8 validation, payloads are never delivered whole.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const acceptFor = (key: string): string => createHash('sha1').update(key + GUID).digest('base64');

/** A client frame: always masked (RFC 6455 5.3; servers close the connection on unmasked ones). */
export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new Error('maskedFrame: control-sized payloads only');
  const mask = randomBytes(4);
  const out = Buffer.allocUnsafe(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i] ^ mask[i & 3];
  return out;
}

/**
 * Server-to-client frame parser: a state machine fed arbitrary chunks (a frame split across
 * reads, or many frames in one read). Payloads of data frames are skipped, not copied, except
 * the first `peek` bytes when `onText` wants them; control payloads (≤ 125 bytes) are kept
 * so a ping can be echoed.
 */
export class FrameCounter {
  /** Complete text messages (a fragmented one counts once, at its final frame). */
  texts = 0;
  binaries = 0;
  /** Payload bytes of complete text messages. */
  textBytes = 0;
  /** When > 0, `onText` gets the first `peek` bytes of each text frame (fewer if it is shorter). */
  peek = 0;
  onText: ((head: Buffer, length: number) => void) | null = null;
  onPing: ((payload: Buffer) => void) | null = null;
  onClose: ((code: number | null, reason: string) => void) | null = null;
  error: Error | null = null;

  private readonly hdr = Buffer.alloc(14);
  private hdrLen = 0;
  private inBody = false;
  private opcode = 0;
  private fin = false;
  private length = 0;
  private left = 0;
  private msgBytes = 0;
  private msgOp = 0; // opcode of the data message in progress (1 text, 2 binary), for continuation frames
  private keep: Buffer | null = null; // control payload or peeked head being collected
  private kept = 0;

  push(d: Buffer): void {
    let p = 0;
    while (p < d.length && !this.error) {
      if (!this.inBody) {
        this.hdr[this.hdrLen++] = d[p++];
        if (this.hdrLen < 2) continue;
        const len7 = this.hdr[1] & 0x7f;
        if (this.hdr[1] & 0x80) { this.fail('masked frame from the server'); return; }
        const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
        if (this.hdrLen < need) continue;
        this.startFrame(len7);
        if (!this.error && this.left === 0) this.endFrame();
        continue;
      }
      const n = Math.min(this.left, d.length - p);
      if (this.keep && this.kept < this.keep.length) {
        const c = Math.min(n, this.keep.length - this.kept);
        d.copy(this.keep, this.kept, p, p + c);
        this.kept += c;
      }
      p += n;
      this.left -= n;
      if (this.left === 0) this.endFrame();
    }
  }

  private startFrame(len7: number): void {
    const h = this.hdr;
    this.fin = (h[0] & 0x80) !== 0;
    this.opcode = h[0] & 0x0f;
    // 64-bit lengths: the high word must be small enough for a JS number (no frame here is > 2^53).
    this.length = len7 === 126 ? h.readUInt16BE(2) : len7 === 127 ? h.readUInt32BE(2) * 2 ** 32 + h.readUInt32BE(6) : len7;
    this.left = this.length;
    this.hdrLen = 0;
    this.inBody = true;
    this.keep = null;
    this.kept = 0;
    if ((this.opcode > 2 && this.opcode < 8) || this.opcode > 10) { this.fail(`reserved opcode ${this.opcode}`); return; }
    if (this.opcode >= 8) {
      if (this.length > 125 || !this.fin) { this.fail('bad control frame'); return; }
      this.keep = Buffer.allocUnsafe(this.length);
    } else if (this.peek > 0 && this.onText && (this.opcode === 1 || (this.opcode === 0 && this.msgOp === 1))) {
      this.keep = Buffer.allocUnsafe(Math.min(this.peek, this.length));
    }
  }

  private endFrame(): void {
    this.inBody = false;
    const op = this.opcode;
    if (op <= 2) {
      if (op !== 0) { this.msgOp = op; this.msgBytes = 0; }
      this.msgBytes += this.length;
      if (this.keep) this.onText!(this.keep, this.length);
      if (this.fin) {
        if (this.msgOp === 1) { this.texts++; this.textBytes += this.msgBytes; } else if (this.msgOp === 2) this.binaries++;
        this.msgOp = 0;
      }
    } else if (op === 9) this.onPing?.(this.keep!);
    else if (op === 8) {
      const k = this.keep!;
      this.onClose?.(k.length >= 2 ? k.readUInt16BE(0) : null, k.length > 2 ? k.toString('utf8', 2) : '');
    } // 10 (pong): nothing to do.
    this.keep = null;
  }

  private fail(why: string): void {
    this.error = new Error(`ws-lite: ${why}`);
  }
}

/**
 * One read buffer for every connection (`onread`): no Buffer and no stream events per read. Each
 * read is parsed before the next, and only copies of what is kept (headers, peeked bytes,
 * control payloads) leave it.
 */
const READ_BUF = Buffer.allocUnsafe(65_536);

/**
 * Connections whose reading is paused until the next batch, by batch interval. Reading every
 * few ms instead of at each frame turns many one-frame reads (a syscall, a wake-up and a window
 * update each) into one read of all the frames that arrived meanwhile.
 */
const parked = new Map<number, Set<Socket>>();

function park(sock: Socket, ms: number): void {
  let set = parked.get(ms);
  if (!set) {
    parked.set(ms, (set = new Set()));
    setTimeout(() => {
      parked.delete(ms);
      for (const s of set!) if (!s.destroyed) s.resume();
    }, ms);
  }
  set.add(sock);
}

export interface WsLiteOptions {
  timeoutMs?: number; headers?: Record<string, string>;
  /**
   * Read at most every `batchMs` ms (0: as data arrives). Frames wait in the kernel meanwhile and
   * counts are unchanged, but a batch reads at most 64 KB, so a connection carries at most 64 KB
   * per `batchMs`.
   */
  batchMs?: number;
  /** Runs before the first frame is parsed (frames may arrive in the same read as the 101): set `peek`/`onText` here. */
  prepare?: (c: WsLite) => void;
}

/** One client connection: `connect` resolves after a valid 101 with the right Sec-WebSocket-Accept. */
export class WsLite {
  readonly frames = new FrameCounter();
  /** Called once, when the connection is gone (server close, error or `terminate`). */
  onGone: ((why: string) => void) | null = null;
  closeCode: number | null = null;
  pongsSent = 0;
  private closeSent = false;
  private gone = false;

  private constructor(readonly sock: Socket) {
    this.frames.onPing = (payload) => { this.sock.write(maskedFrame(10, payload)); this.pongsSent++; };
    this.frames.onClose = (code) => {
      this.closeCode = code;
      // Echo the close (RFC 6455 5.5.1), then let the server close the TCP connection.
      if (!this.closeSent) this.send(8, code === null ? Buffer.alloc(0) : Buffer.from([code >> 8, code & 255]));
      this.sock.end();
    };
  }

  static connect(url: string, o: WsLiteOptions = {}): Promise<WsLite> {
    const u = new URL(url);
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const batchMs = o.batchMs ?? 0;
      let head: Buffer | null = Buffer.alloc(0);
      const onBytes = (d: Buffer): boolean => {
        if (head) { handshake(d); return true; }
        c.frames.push(d);
        if (c.frames.error) { c.terminate(c.frames.error.message); return true; }
        if (batchMs <= 0) return true;
        park(sock, batchMs);
        return false; // pauses reading until the batch timer resumes it
      };
      const sock = netConnect({ host: u.hostname, port: Number(u.port || 80), onread: { buffer: READ_BUF, callback: (n) => onBytes(READ_BUF.subarray(0, n)) } });
      sock.setNoDelay(true);
      const c = new WsLite(sock);
      o.prepare?.(c);
      const timer = setTimeout(() => fail(new Error('ws-lite: handshake timeout')), o.timeoutMs ?? 10_000);
      const fail = (err: Error) => { clearTimeout(timer); sock.destroy(); reject(err); };
      const handshake = (d: Buffer) => {
        head = Buffer.concat([head!, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) { if (head.length > 16_384) fail(new Error('ws-lite: response header too long')); return; }
        const lines = head.toString('latin1', 0, end).split('\r\n');
        const rest = head.subarray(end + 4);
        head = null;
        if (!/^HTTP\/1\.1 101 /.test(lines[0])) return fail(new Error(`ws-lite: upgrade refused: ${lines[0]}`));
        const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.slice(21).trim();
        if (accept !== acceptFor(key)) return fail(new Error('ws-lite: wrong Sec-WebSocket-Accept'));
        clearTimeout(timer);
        if (rest.length) c.frames.push(rest);
        if (c.frames.error) return fail(c.frames.error);
        resolve(c);
      };
      sock.on('error', (err) => { if (head) fail(err); else c.lost(err.message); });
      sock.on('close', () => { if (head) fail(new Error('ws-lite: closed during the handshake')); else c.lost('closed'); });
      const extra = Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      sock.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    });
  }

  private send(opcode: number, payload: Buffer): void {
    if (this.gone || this.sock.destroyed) return;
    if (opcode === 8) this.closeSent = true;
    this.sock.write(maskedFrame(opcode, payload));
  }

  /** A clean close: close frame with `code`, then wait for the server's close. */
  close(code = 1000): void {
    this.send(8, Buffer.from([code >> 8, code & 255]));
  }

  terminate(why = 'terminated'): void {
    this.sock.destroy();
    this.lost(why);
  }

  private lost(why: string): void {
    if (this.gone) return;
    this.gone = true;
    this.onGone?.(why);
  }
}
