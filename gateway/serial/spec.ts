/**
 * Receiver specs from ANXIN_SERIAL: a comma-separated list, each a serial device path or
 * tcp://host:port (a ser2net bridge), with per-receiver options as a query string:
 *   /dev/ttyUSB0?baud=9600&framing=fd-df&supervise_s=60&node=4&name=office
 * Pure: returns every problem it finds, with the entry it belongs to.
 */
import { framingNames, getFraming } from './framing.ts';

export interface ReceiverSpec {
  /** Short name; the receiver's technical alerts use device id `rx:<name>`. */
  name: string;
  kind: 'serial' | 'tcp';
  /** Serial device path, or host:port for tcp. */
  path: string;
  host: string;
  port: number;
  baud: number;
  framing: string;
  /** Offline when no valid frame for this long; 0 = off (modules without a periodic frame). */
  superviseS: number;
  /** The grid node whose staff get this receiver's technical alerts; null = the root node. */
  nodeId: number | null;
  /** Reconnect backoff: first retry after retryMs, doubling up to retryMaxMs. */
  retryMs: number;
  retryMaxMs: number;
  /** A link that is down for longer than this counts as offline (a short glitch does not). */
  graceMs: number;
  /** Errors within a minute at or above which the receiver is "degraded". */
  degradeAfter: number;
  source: string;
}

const BAUDS = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,47}$/;
const KNOWN = new Set(['baud', 'framing', 'supervise_s', 'node', 'name', 'retry_ms', 'retry_max_ms', 'grace_ms', 'degrade_after']);

function int(v: string | null, def: number, min: number, max: number, what: string, problems: string[]): number {
  if (v === null || v === '') return def;
  if (!/^\d+$/.test(v)) { problems.push(`${what}=${v} must be a whole number`); return def; }
  const n = Number(v);
  if (n < min || n > max) problems.push(`${what}=${v} must be ${min}..${max}`);
  return n;
}

export function parseReceiverSpec(entry: string): { spec?: ReceiverSpec; problems: string[] } {
  const problems: string[] = [];
  const q = entry.indexOf('?');
  const target = (q === -1 ? entry : entry.slice(0, q)).trim();
  const params = new URLSearchParams(q === -1 ? '' : entry.slice(q + 1));
  for (const k of params.keys()) if (!KNOWN.has(k)) problems.push(`unknown option ${k} (known: ${[...KNOWN].join(', ')})`);
  let kind: 'serial' | 'tcp';
  let host = '';
  let port = 0;
  let defName: string;
  if (target.startsWith('tcp://')) {
    kind = 'tcp';
    const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(target);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) problems.push(`${target} must look like tcp://host:port`);
    host = m ? m[1].replace(/^\[|\]$/g, '') : '';
    port = m ? Number(m[2]) : 0;
    defName = m ? `${host}:${port}` : 'tcp';
  } else if (target.startsWith('/')) {
    kind = 'serial';
    defName = target.split('/').pop() || 'serial';
  } else {
    problems.push(`${target || '(empty)'} is neither a device path (/dev/ttyUSB0) nor tcp://host:port`);
    return { problems };
  }
  const baud = int(params.get('baud'), 9600, 1, 4_000_000, 'baud', problems);
  if (!BAUDS.includes(baud)) problems.push(`baud=${baud} is not a standard rate (${BAUDS.join(', ')})`);
  const framing = params.get('framing') || 'fd-df';
  if (!getFraming(framing)) problems.push(`framing=${framing} is unknown (known: ${framingNames().join(', ')})`);
  const nodeRaw = params.get('node');
  const nodeId = nodeRaw === null || nodeRaw === '' ? null : int(nodeRaw, 0, 1, 2 ** 31, 'node', problems);
  const name = params.get('name') || defName;
  if (!NAME_RE.test(name)) problems.push(`name=${name} must be 1-48 letters, digits, _ . : -`);
  const retryMs = int(params.get('retry_ms'), 1000, 10, 60_000, 'retry_ms', problems);
  const retryMaxMs = int(params.get('retry_max_ms'), 8000, 10, 300_000, 'retry_max_ms', problems);
  if (retryMaxMs < retryMs) problems.push('retry_max_ms must not be below retry_ms');
  const spec: ReceiverSpec = {
    name, kind, path: kind === 'serial' ? target : `${host}:${port}`, host, port, baud, framing,
    superviseS: int(params.get('supervise_s'), 0, 0, 86_400, 'supervise_s', problems),
    nodeId, retryMs, retryMaxMs,
    graceMs: int(params.get('grace_ms'), 2000, 0, 8000, 'grace_ms', problems),
    degradeAfter: int(params.get('degrade_after'), 20, 1, 100_000, 'degrade_after', problems),
    source: entry.trim(),
  };
  return problems.length ? { problems } : { spec, problems };
}

/** Parses the whole ANXIN_SERIAL value. Problems name the entry they belong to. */
export function parseReceiverList(value: string): { specs: ReceiverSpec[]; problems: string[] } {
  const specs: ReceiverSpec[] = [];
  const problems: string[] = [];
  const entries = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const e of entries) {
    const r = parseReceiverSpec(e);
    for (const p of r.problems) problems.push(`receiver "${e}": ${p}`);
    if (r.spec) specs.push(r.spec);
  }
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(s.name)) problems.push(`two receivers are named ${s.name}: give one a name=… option`);
    names.add(s.name);
  }
  return { specs, problems };
}
