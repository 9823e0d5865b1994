/**
 * The `json-lines` framing: one JSON object a line, as rtl_433 prints with `-F json`, so an
 * SDR receiver can feed the hub. A press is read from `id` + `cmd` (address and key), or from
 * `code` (24 bits: address << 4 | key, a number or a hex string). Any other JSON object (a
 * weather station, a stats line) shows the receiver is alive and counts as a keep-alive.
 *
 * Bounded: a line may hold at most MAX_LINE bytes. Past that, the parser keeps only the tail
 * from the last `{` (where a good object may have started) and counts the rest as an error.
 * A line that fails to parse is retried from each later `{`, so a line with no terminator
 * followed by a good object still yields the object.
 */
import { MAX_ADDRESS, MAX_KEY, type FrameParser, type Framing, type ParseResult, type RfCode } from './types.ts';

export const MAX_LINE = 4096;
const NL = 0x0a;
const BRACE = 0x7b;
const MAX_RETRIES = 16;

type Read = { code: RfCode } | { keepalive: true } | { error: string };

function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (/^0x[0-9a-f]{1,8}$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[0-9]{1,9}$/.test(s)) return parseInt(s, 10);
  return null;
}

function hexCode(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,6}$/.test(s) ? parseInt(s, 16) : null;
}

/** Reads one rtl_433 JSON object. */
export function readRtl433(o: Record<string, unknown>): Read {
  const model = typeof o.model === 'string' ? o.model.slice(0, 64) : undefined;
  let address: number | null = null;
  let key: number | null = null;
  if (o.code !== undefined) {
    const c = hexCode(o.code);
    if (c === null || c < 0 || c > 0xffffff) return { error: 'bad code field' };
    address = c >> 4;
    key = c & 0x0f;
  } else if (o.id !== undefined && o.cmd !== undefined) {
    address = num(o.id);
    key = num(o.cmd);
    if (address === null || key === null) return { error: 'id and cmd must be numbers' };
  } else {
    return { keepalive: true };
  }
  if (address < 0 || address > MAX_ADDRESS || key < 0 || key > MAX_KEY) return { error: 'address or key out of range' };
  if (address === 0 && key === 0) return { keepalive: true };
  return { code: model ? { address, key, model } : { address, key } };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

class JsonLinesParser implements FrameParser {
  readonly maxBuffer = MAX_LINE;
  private line = Buffer.alloc(MAX_LINE);
  private len = 0;
  private out: ParseResult[] = [];

  push(chunk: Uint8Array): ParseResult[] {
    this.out = [];
    let i = 0;
    while (i < chunk.length) {
      const nl = chunk.indexOf(NL, i);
      const end = nl === -1 ? chunk.length : nl;
      this.append(chunk.subarray(i, end));
      if (nl === -1) break;
      this.endLine();
      i = nl + 1;
    }
    return this.out;
  }

  buffered(): number {
    return this.len;
  }

  private append(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      if (this.len === MAX_LINE) this.trim();
      const n = Math.min(MAX_LINE - this.len, bytes.length - off);
      this.line.set(bytes.subarray(off, off + n), this.len);
      this.len += n;
      off += n;
    }
  }

  /** The line is full: keep the tail from the last `{` after the start, drop the rest. */
  private trim(): void {
    const last = this.line.subarray(1, this.len).lastIndexOf(BRACE);
    const keepFrom = last === -1 ? this.len : last + 1;
    this.out.push({ type: 'error', reason: 'line too long', bytes: keepFrom });
    this.line.copy(this.line, 0, keepFrom, this.len);
    this.len -= keepFrom;
  }

  private endLine(): void {
    const raw = this.line.subarray(0, this.len);
    this.len = 0;
    const whole = raw.toString('utf8').trim();
    if (whole === '') return;
    let text = whole;
    for (let tries = 0; tries < MAX_RETRIES; tries++) {
      const o = parseObject(text);
      if (o) {
        const r = readRtl433(o);
        if (tries > 0) this.out.push({ type: 'error', reason: 'garbage before a JSON object', bytes: Buffer.byteLength(whole) - Buffer.byteLength(text) });
        if ('code' in r) this.out.push({ type: 'code', code: r.code });
        else if ('keepalive' in r) this.out.push({ type: 'keepalive' });
        else this.out.push({ type: 'error', reason: r.error, bytes: Buffer.byteLength(text) });
        return;
      }
      const next = text.indexOf('{', 1);
      if (next === -1) break;
      text = text.slice(next);
    }
    this.out.push({ type: 'error', reason: 'not a JSON object', bytes: raw.length });
  }
}

export const jsonLines: Framing = {
  name: 'json-lines',
  describe: 'one JSON object a line, as rtl_433 -F json prints (model, id + cmd, or code)',
  create: () => new JsonLinesParser(),
};
