/**
 * Guards an MQTT byte stream before aedes parses it. aedes (mqtt-packet) buffers a whole
 * packet of any declared length, so a hostile "256 MB" header would be held in memory.
 * The scanner reads only fixed headers and rejects a packet whose declared remaining
 * length exceeds the limit, or a malformed remaining-length field, before buffering it.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

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

/** A duplex that forwards a socket's bytes through a FrameScanner. aedes talks to this. */
export class GuardedConnection extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  private readonly scanner: FrameScanner;
  private corked = false;

  constructor(private readonly socket: Socket, maxRemaining: number, private readonly onReject: (reason: string) => void) {
    super({ allowHalfOpen: false });
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.scanner = new FrameScanner(maxRemaining);
    socket.on('data', (chunk: Buffer) => {
      const reason = this.scanner.feed(chunk);
      if (reason) {
        this.onReject(reason);
        socket.destroy();
        this.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.destroyed) return cb();
    // Packets written in the same tick (PUBACK, down/ack, down/notify) leave in one syscall.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (this.socket.write(chunk)) return cb();
    // Respect the socket's backpressure so a device that stops reading cannot grow our buffers.
    this.socket.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}
