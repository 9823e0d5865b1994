/**
 * One WebSocket text frame, built once per change and written as-is to every console socket.
 *
 * `ws.send` builds a frame header and issues a corked two-part write for every socket; with
 * 1,000 consoles that per-socket work saturated the hub's event loop at about 93,500
 * deliveries/s (issue 6, benchmark 5). Server-to-client frames are unmasked, so the same
 * bytes suit every client. This writes them straight to the socket only when `ws` has
 * nothing queued for it and no extension is in use (the hub turns permessage-deflate off);
 * otherwise it falls back to `ws.send`, so the frame order on each socket is kept.
 * It relies on ws 8's `_socket`, `_sender` and `_extensions` fields; test/console-frames.test.ts
 * checks the bytes against what `ws.send` writes, so an upgrade that changes them fails there.
 * CommitCork (below) then gathers a commit's frames into one write per console socket.
 */
import type { WebSocket } from 'ws';

interface RawSocket { write(b: Buffer): boolean; cork(): void; uncork(): void; destroyed?: boolean }
interface WsInternals { _socket?: RawSocket; _sender?: { _state?: number; _queue?: unknown[] }; _extensions?: Record<string, unknown> }

/** A FIN text frame (opcode 1), unmasked, with the 7-, 16- or 64-bit payload length. */
export function textFrame(payload: Buffer): Buffer {
  const out = textFrameFor(payload.length);
  payload.copy(out, out.length - payload.length);
  return out;
}

/** A text frame for a payload of `n` bytes with only its header written: the payload goes at `length - n`. */
export function textFrameFor(n: number): Buffer {
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x81;
  if (n < 126) out[1] = n;
  else if (n < 65536) { out[1] = 126; out.writeUInt16BE(n, 2); }
  else { out[1] = 127; out.writeBigUInt64BE(BigInt(n), 2); }
  return out;
}

/** The payload of a frame built by textFrame / textFrameFor: the bytes after its 2-, 4- or 10-byte header. */
export function payloadOf(framed: Buffer): Buffer {
  const len7 = framed[1] & 0x7f;
  return framed.subarray(len7 < 126 ? 2 : len7 === 126 ? 4 : 10);
}

/** True for an object without own enumerable keys, without building the keys' array (per socket and frame). */
function noKeys(o: Record<string, unknown>): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}

/** Sends a prepared frame (`frame` = textFrame(payload)); `ws.send(payload)` when a direct write could break the order. */
export function sendFramed(ws: WebSocket, payload: Buffer, frame: Buffer): void {
  const w = ws as unknown as WsInternals;
  const sender = w._sender;
  const idle = sender !== undefined && sender._state === 0 && (sender._queue?.length ?? 0) === 0;
  const plain = !w._extensions || noKeys(w._extensions);
  if (idle && plain && w._socket && !w._socket.destroyed) w._socket.write(frame);
  else ws.send(payload, { binary: false });
}

/**
 * Gathers the frames a console socket gets from one commit into as few writes as possible. A commit
 * of ten calls to twenty consoles was two hundred socket writes of about 18 µs each (bench README
 * item 23). The first frame of a commit goes to each socket at once (the usual commit carries one
 * change: a cork and uncork of a single frame only cost a writev's bookkeeping, about 0.5 KB of
 * garbage per socket and change, item 72); a second frame corks the socket, and the rest of the
 * commit's frames leave in one write when the console socket releases it: as soon as the commit's
 * changes are all written (ChangeFeed's batch-done), or else when the task's synchronous work is done.
 */
export class CommitCork {
  /**
   * Each socket's state in the current round (one round per release): `round` once it got its first frame,
   * `-round` once corked. A number per socket, not Sets cleared at every release: a long-lived Set's
   * clear() and regrowth allocate its new tables in the old generation, about 0.9 KB of old-generation
   * garbage per press with 20 consoles (benchmark 2, bench/README.md item 75).
   */
  private readonly marks = new WeakMap<RawSocket, number>();
  private round = 1;
  private readonly held: (RawSocket | undefined)[] = [];
  private heldCount = 0;
  private releaseQueued = false;

  /** Call before each frame written to `ws`: the first since the last release goes at once, the next ones wait for release(). */
  hold(ws: WebSocket): void {
    const s = (ws as unknown as WsInternals)._socket;
    if (!s || s.destroyed) return;
    const mark = this.marks.get(s);
    if (mark === -this.round) return;
    if (mark !== this.round) {
      if (!this.releaseQueued) { this.releaseQueued = true; queueMicrotask(() => this.release()); }
      this.marks.set(s, this.round);
      return;
    }
    s.cork();
    this.marks.set(s, -this.round);
    this.held[this.heldCount++] = s;
  }

  /** Uncorks every socket held: their frames go out now. */
  release(): void {
    for (let i = 0; i < this.heldCount; i++) {
      this.held[i]!.uncork();
      this.held[i] = undefined;
    }
    this.heldCount = 0;
    this.releaseQueued = false;
    // Small integers stay unboxed; a wrap after a billion rounds at worst corks one socket for one round.
    this.round = this.round >= 0x3fffffff ? 1 : this.round + 1;
  }
}
