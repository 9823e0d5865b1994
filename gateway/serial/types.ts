/**
 * Receiver framings: pure parsers that turn a receiver's byte stream into RF codes. A parser
 * is fed chunks as they arrive (a frame may be split anywhere), keeps a bounded buffer,
 * resyncs on the next good frame after garbage, and reports errors instead of throwing.
 */

/** An EV1527-style code: 20-bit transmitter address and 4-bit key. */
export interface RfCode { address: number; key: number; model?: string; pulse?: number }

export type ParseResult =
  | { type: 'code'; code: RfCode }
  /** A valid frame that carries no button press (a receiver's periodic keep-alive). */
  | { type: 'keepalive' }
  /** Bytes that were discarded; `bytes` is how many. One result per discarded run. */
  | { type: 'error'; reason: string; bytes: number };

export interface FrameParser {
  push(chunk: Uint8Array): ParseResult[];
  /** Bytes held while waiting for the rest of a frame (always <= maxBuffer). */
  buffered(): number;
  readonly maxBuffer: number;
}

export interface Framing {
  name: string;
  describe: string;
  create(): FrameParser;
}

export const MAX_ADDRESS = 0xfffff;
export const MAX_KEY = 0xf;

export function formatCode(c: { address: number; key: number }): string {
  return `0x${c.address.toString(16).padStart(5, '0')}/0x${c.key.toString(16)}`;
}
