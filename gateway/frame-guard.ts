/**
 * Guards an MQTT byte stream before aedes parses it. aedes (mqtt-packet) buffers a whole
 * packet of any declared length, so a hostile "256 MB" header would be held in memory.
 * The scanner reads only fixed headers and rejects a packet whose declared remaining
 * length exceeds the limit, or a malformed remaining-length field, before buffering it.
 * guardSocket() puts it on the socket aedes is given.
 */
import type { Duplex } from 'node:stream';

export class FrameScanner {
  private state: 'type' | 'len' | 'body' = 'type';
  private len = 0;
  private mult = 1;
  private lenBytes = 0;
  private left = 0;
  packets = 0;

  constructor(private readonly maxRemaining: number) {}

  /** Returns null while the stream is acceptable, or the reason to drop it. */
  feed(chunk: Buffer): string | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        const type = chunk[i] >> 4;
        if (this.packets === 0 && type !== 1) return 'first packet is not CONNECT';
        if (type === 0 || type === 15) return `reserved packet type ${type}`;
        this.state = 'len';
        this.len = 0; this.mult = 1; this.lenBytes = 0;
        i++;
      } else if (this.state === 'len') {
        const b = chunk[i++];
        this.len += (b & 0x7f) * this.mult;
        this.mult *= 128;
        this.lenBytes++;
        if (b & 0x80) {
          if (this.lenBytes >= 4) return 'malformed remaining length';
          continue;
        }
        if (this.len > this.maxRemaining) return `packet of ${this.len} bytes exceeds the ${this.maxRemaining}-byte limit`;
        this.packets++;
        this.left = this.len;
        this.state = this.left === 0 ? 'type' : 'body';
      } else {
        const take = Math.min(this.left, chunk.length - i);
        this.left -= take;
        i += take;
        if (this.left === 0) this.state = 'type';
      }
    }
    return null;
  }
}

/**
 * Puts a FrameScanner on a socket that aedes then reads and writes itself. Every chunk the socket
 * receives is scanned in its push(), where net.Socket, tls.TLSSocket (and bench/memory-50k-probe.ts's
 * in-memory sockets) hand in what they read, before it is buffered for aedes; a chunk that breaks
 * the limits is not buffered, and the socket is destroyed.
 *
 * Until 2026-12-03 a Duplex stood between the socket and aedes (the socket's 'data' scanned and
 * pushed into the Duplex, aedes' writes going through the Duplex's _write into the socket, corked
 * per tick): every packet in and out went through two streams' buffers and callbacks. aedes'
 * writes now reach the socket directly; mqtt-packet corks it for the tick of each packet it writes,
 * so a PUBACK and its down/ack still leave in one write.
 */
export function guardSocket<S extends Duplex>(socket: S, maxRemaining: number, onReject: (reason: string) => void): S {
  const scanner = new FrameScanner(maxRemaining);
  const push = socket.push;
  socket.push = function guardedPush(this: S, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null && chunk !== undefined) {
      const reason = scanner.feed(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding));
      if (reason) {
        onReject(reason);
        socket.destroy();
        return false;
      }
    }
    return push.call(this, chunk, encoding);
  };
  return socket;
}
