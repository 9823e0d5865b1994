/**
 * The `fd-df` framing of common 433 MHz EV1527 decoder modules (9600 8N1):
 *   0xFD, A1, A2, A3|K, [pulse width], 0xDF
 * A1..A3 carry the 20-bit address (the high 20 of 24 bits), K the 4-bit key in the low nibble
 * of the third byte. The pulse-width byte is optional. The module repeats the frame while the
 * button is held. The all-zero code (FD 00 00 00 DF) is taken as a receiver keep-alive.
 *
 * Resync: after a bad frame the parser drops the start byte and rescans what it held, so a
 * good frame that began inside a broken one is still found. The buffer never exceeds 6 bytes.
 */
import type { FrameParser, Framing, ParseResult } from './types.ts';

const START = 0xfd;
const END = 0xdf;
const MAX_FRAME = 6;
/** A long run of garbage is reported in pieces (and at the end of each chunk) so a flood is visible while it lasts. */
const NOISE_REPORT_BYTES = 256;

export function decodeFdDfCode(b1: number, b2: number, b3: number): { address: number; key: number } {
  return { address: (b1 << 12) | (b2 << 4) | (b3 >> 4), key: b3 & 0x0f };
}

export function encodeFdDfFrame(address: number, key: number, pulse?: number): Buffer {
  const body = [START, (address >> 12) & 0xff, (address >> 4) & 0xff, ((address & 0x0f) << 4) | (key & 0x0f)];
  if (pulse !== undefined) body.push(pulse & 0xff);
  body.push(END);
  return Buffer.from(body);
}

class FdDfParser implements FrameParser {
  readonly maxBuffer = MAX_FRAME;
  private buf: number[] = [];
  /** After a 5-byte frame, one more 0xDF means the frame had a pulse-width byte equal to 0xDF. */
  private swallowEnd = false;
  private noise = 0;
  private noiseReason = 'noise';
  private out: ParseResult[] = [];

  push(chunk: Uint8Array): ParseResult[] {
    this.out = [];
    for (const b of chunk) this.step(b);
    this.flushNoise(); // report garbage now rather than at the next frame
    return this.out;
  }

  buffered(): number {
    return this.buf.length;
  }

  private step(b: number): void {
    if (this.buf.length === 0) {
      const swallow = this.swallowEnd;
      this.swallowEnd = false;
      if (swallow && b === END) return;
      if (b === START) {
        this.flushNoise();
        this.buf.push(b);
        return;
      }
      this.discard(1, 'noise');
      return;
    }
    this.buf.push(b);
    if (this.buf.length === 5 && b === END) return this.frame(undefined, true);
    if (this.buf.length === MAX_FRAME) {
      if (b === END) return this.frame(this.buf[4], false);
      // Not a frame: drop the start byte and rescan the rest, which may hold the next start.
      const rest = this.buf.slice(1);
      this.buf = [];
      this.discard(1, 'bad frame: no 0xDF terminator');
      for (const r of rest) this.step(r);
    }
  }

  private frame(pulse: number | undefined, short: boolean): void {
    const [, b1, b2, b3] = this.buf;
    this.buf = [];
    this.swallowEnd = short;
    const { address, key } = decodeFdDfCode(b1, b2, b3);
    if (address === 0 && key === 0) this.out.push({ type: 'keepalive' });
    else this.out.push({ type: 'code', code: pulse === undefined ? { address, key } : { address, key, pulse } });
  }

  private discard(n: number, reason: string): void {
    if (this.noise === 0) this.noiseReason = reason;
    this.noise += n;
    if (this.noise >= NOISE_REPORT_BYTES) this.flushNoise();
  }

  private flushNoise(): void {
    if (this.noise === 0) return;
    this.out.push({ type: 'error', reason: this.noiseReason, bytes: this.noise });
    this.noise = 0;
  }
}

export const fdDf: Framing = {
  name: 'fd-df',
  describe: 'binary 0xFD A1 A2 A3|key [pulse] 0xDF frames of EV1527 decoder modules (9600 8N1)',
  create: () => new FdDfParser(),
};
