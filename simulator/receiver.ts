/**
 * Plays an RF receiver from another process: `npm run sim -- receiver`. It serves a TCP port
 * that the hub reaches as tcp://127.0.0.1:PORT (like a ser2net bridge), or writes into a
 * pseudo-terminal pair made by socat that the hub opens as a real serial device. It presses,
 * holds (repeats), cancels and test-presses codes, injects noise, and drops the link.
 * It has its own frame encoder: it shares no code with the gateway's parsers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, writeSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';

export type SimFraming = 'fd-df' | 'json-lines';
export interface SimReceiverOptions { framing?: SimFraming; repeatMs?: number; pulse?: number; keepaliveMs?: number }
export const KEYS = { press: 0x1, cancel: 0x2, test: 0x4 } as const;

/** One frame as a decoder module (fd-df) or rtl_433 -F json (json-lines) would write it. */
export function encodeFrame(framing: SimFraming, address: number, key: number, pulse?: number): Buffer {
  if (framing === 'json-lines') {
    return Buffer.from(`${JSON.stringify({ time: new Date().toISOString(), model: 'EV1527', id: address, cmd: key })}\n`);
  }
  const b = [0xfd, (address >>> 12) & 0xff, (address >>> 4) & 0xff, ((address & 0xf) << 4) | (key & 0xf)];
  if (pulse !== undefined) b.push(pulse);
  b.push(0xdf);
  return Buffer.from(b);
}

/** Where the receiver's bytes go: TCP clients, or the simulator's end of a pty pair. */
interface Outlet { write(b: Buffer): void; drop(): Promise<void>; up(): Promise<void>; connected(): number; close(): Promise<void>; where(): string }

class TcpOutlet implements Outlet {
  private server: Server | null = null;
  private clients = new Set<Socket>();
  constructor(private port: number, private readonly host = '127.0.0.1') {}
  where() { return `tcp://${this.host}:${this.port}`; }
  connected() { return this.clients.size; }
  write(b: Buffer) { for (const c of this.clients) c.write(b); }
  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((s) => {
      this.clients.add(s);
      s.on('close', () => this.clients.delete(s));
      s.on('error', () => {});
      s.on('data', () => {}); // the hub never writes; ignore anything that arrives
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.port, this.host, () => resolve()); });
    const a = server.address();
    if (typeof a === 'object' && a) this.port = a.port;
    this.server = server;
  }
  async drop(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
  close() { return this.drop(); }
}

class PtyOutlet implements Outlet {
  private socat: ChildProcess | null = null;
  private fd: number | null = null;
  constructor(private readonly hubPath: string, private readonly socatBin = '/usr/bin/socat') {}
  where() { return this.hubPath; }
  connected() { return this.fd === null ? 0 : 1; }
  write(b: Buffer) {
    if (this.fd === null) return;
    try { writeSync(this.fd, b); } catch { /* the pair is gone */ }
  }
  async up(): Promise<void> {
    if (this.socat) return;
    const simPath = `${this.hubPath}.sim`;
    const p = spawn(this.socatBin, [`pty,raw,echo=0,link=${this.hubPath}`, `pty,raw,echo=0,link=${simPath}`], { stdio: 'ignore' });
    this.socat = p;
    p.on('exit', () => { if (this.socat === p) this.socat = null; });
    const end = Date.now() + 5000;
    while (!(existsSync(this.hubPath) && existsSync(simPath))) {
      if (Date.now() > end || this.socat !== p) throw new Error(`socat did not create ${this.hubPath} and ${simPath}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    this.fd = openSync(simPath, 'r+');
  }
  async drop(): Promise<void> {
    if (this.fd !== null) { try { closeSync(this.fd); } catch { /* already gone */ } }
    this.fd = null;
    const p = this.socat;
    this.socat = null;
    if (p && p.exitCode === null) await new Promise<void>((r) => { p.once('exit', () => r()); p.kill('SIGTERM'); });
    const end = Date.now() + 2000;
    while (existsSync(this.hubPath) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }
  close() { return this.drop(); }
}

export class SimReceiver {
  readonly framing: SimFraming;
  private readonly repeatMs: number;
  private keepalive: NodeJS.Timeout | null = null;

  private constructor(private readonly outlet: Outlet, private readonly opts: SimReceiverOptions) {
    this.framing = opts.framing ?? 'fd-df';
    this.repeatMs = opts.repeatMs ?? 100;
  }

  /** A TCP receiver on `port` (0 picks one); the hub connects as tcp://127.0.0.1:PORT. */
  static async tcp(port = 0, opts: SimReceiverOptions = {}): Promise<SimReceiver> {
    return new SimReceiver(new TcpOutlet(port), opts).start();
  }

  /** A pty pair via socat: the hub opens `hubPath` as a serial device. */
  static async pty(hubPath: string, opts: SimReceiverOptions = {}): Promise<SimReceiver> {
    return new SimReceiver(new PtyOutlet(hubPath), opts).start();
  }

  private async start(): Promise<this> {
    await this.outlet.up();
    if (this.opts.keepaliveMs) {
      this.keepalive = setInterval(() => this.outlet.write(this.framing === 'fd-df' ? encodeFrame('fd-df', 0, 0) : Buffer.from('{"model":"keepalive"}\n')), this.opts.keepaliveMs);
    }
    return this;
  }

  where(): string { return this.outlet.where(); }
  connected(): number { return this.outlet.connected(); }

  async waitConnected(timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.outlet.connected() === 0) {
      if (Date.now() > end) throw new Error(`nobody connected to ${this.where()} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends one frame now. */
  frame(address: number, key: number): void {
    this.outlet.write(encodeFrame(this.framing, address, key, this.opts.pulse));
  }

  /** Holds a key: the module repeats the frame every repeatMs for `ms`. Resolves when released. */
  async hold(address: number, key: number, ms: number): Promise<number> {
    let n = 0;
    const end = Date.now() + ms;
    do {
      this.frame(address, key);
      n++;
      await new Promise((r) => setTimeout(r, this.repeatMs));
    } while (Date.now() < end);
    return n;
  }

  press(address: number, key: number = KEYS.press): Promise<number> { return this.hold(address, key, 300); }
  cancel(address: number): Promise<number> { return this.press(address, KEYS.cancel); }
  test(address: number): Promise<number> { return this.press(address, KEYS.test); }

  /** Random bytes, a flood of 0x00, or a cut frame / line with no terminator. */
  noise(bytes: number): void { this.outlet.write(randomBytes(bytes)); }
  zeros(bytes: number): void { this.outlet.write(Buffer.alloc(bytes)); }
  cut(): void {
    this.outlet.write(this.framing === 'fd-df' ? Buffer.from([0xfd, 0x10, 0x00]) : Buffer.from('{"model":"EV1527","id":65537,"cm'));
  }
  raw(b: Buffer): void { this.outlet.write(b); }

  /** Drops the link: disconnects the hub and stops listening (or ends the pty pair). */
  drop(): Promise<void> { return this.outlet.drop(); }
  up(): Promise<void> { return this.outlet.up(); }

  async stop(): Promise<void> {
    if (this.keepalive) clearInterval(this.keepalive);
    await this.outlet.close();
  }
}

export const RECEIVER_HELP = `  receiver            play an RF receiver: --port P serves tcp://127.0.0.1:P for the hub
                      (ANXIN_SERIAL=tcp://127.0.0.1:P), or --pty PATH makes a socat pty
                      pair whose PATH the hub opens as a serial device; then type commands
                      (press CODE, hold CODE S, cancel CODE, test CODE, noise N, zeros N,
                      cut, drop [S], up, quit) or pass them with --do "press 0x10001; wait 2"
                      options: --framing fd-df|json-lines, --keepalive S, --repeat-ms N
`;

function parseCode(s: string | undefined): number {
  const n = s === undefined ? NaN : /^0x[0-9a-f]+$/i.test(s) ? parseInt(s.slice(2), 16) : Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 0xfffff) throw new Error(`code must be a 20-bit address such as 0x10001, got ${s}`);
  return n;
}

/** Runs one command line; returns false on quit. */
export async function runReceiverCommand(rx: SimReceiver, line: string, out: (s: string) => void): Promise<boolean> {
  const [cmd, a, b, c] = line.trim().split(/\s+/);
  if (!cmd) return true;
  const num = (s: string | undefined, def: number) => (s === undefined ? def : Number(s));
  switch (cmd) {
    case 'press': case 'cancel': case 'test': {
      const key = cmd === 'press' && b !== undefined ? num(b, 1) : KEYS[cmd];
      const n = await rx.hold(parseCode(a), key, 300);
      out(`${cmd} ${a} key ${key}: ${n} frames`);
      break;
    }
    case 'hold': {
      const n = await rx.hold(parseCode(a), num(c, 1), num(b, 2) * 1000);
      out(`held ${a} for ${num(b, 2)} s: ${n} frames`);
      break;
    }
    case 'noise': rx.noise(num(a, 512)); out(`sent ${num(a, 512)} random bytes`); break;
    case 'zeros': rx.zeros(num(a, 4096)); out(`sent ${num(a, 4096)} zero bytes`); break;
    case 'cut': rx.cut(); out('sent a frame with no terminator'); break;
    case 'wait': await new Promise((r) => setTimeout(r, num(a, 1) * 1000)); break;
    case 'drop': {
      await rx.drop();
      out('link dropped');
      if (a !== undefined) { await new Promise((r) => setTimeout(r, num(a, 5) * 1000)); await rx.up(); out(`link back at ${rx.where()}`); }
      break;
    }
    case 'up': await rx.up(); out(`link up at ${rx.where()}`); break;
    case 'status': out(`${rx.where()} framing ${rx.framing}, ${rx.connected()} connected`); break;
    case 'quit': case 'exit': return false;
    default: out(`unknown command ${cmd}: press CODE [KEY], hold CODE S [KEY], cancel CODE, test CODE, noise N, zeros N, cut, wait S, drop [S], up, status, quit`);
  }
  return true;
}

export async function receiverMain(argv: string[], out = (s: string) => process.stdout.write(`${s}\n`)): Promise<void> {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ args: argv, options: {
    port: { type: 'string' }, pty: { type: 'string' }, framing: { type: 'string' }, keepalive: { type: 'string' },
    'repeat-ms': { type: 'string' }, do: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } });
  if (values.help) { out(RECEIVER_HELP); return; }
  const framing = (values.framing ?? 'fd-df') as SimFraming;
  if (framing !== 'fd-df' && framing !== 'json-lines') throw new Error('--framing must be fd-df or json-lines');
  const opts: SimReceiverOptions = { framing, repeatMs: Number(values['repeat-ms'] ?? 100), keepaliveMs: values.keepalive ? Number(values.keepalive) * 1000 : undefined };
  const rx = values.pty ? await SimReceiver.pty(values.pty, opts) : await SimReceiver.tcp(Number(values.port ?? 0), opts);
  out(`receiver (${framing}) ready: point the hub at ANXIN_SERIAL=${rx.where()}${framing === 'fd-df' ? '' : '?framing=json-lines'}`);
  const stop = async () => { await rx.stop(); process.exit(0); };
  process.on('SIGINT', () => void stop());
  if (values.do) {
    await rx.waitConnected(30_000).catch(() => out('warning: no hub connected yet'));
    for (const line of values.do.split(';')) if (!(await runReceiverCommand(rx, line, out))) break;
    return stop();
  }
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    try {
      if (!(await runReceiverCommand(rx, line, out))) break;
    } catch (err) { out(`error: ${(err as Error).message}`); }
  }
  await stop();
}
