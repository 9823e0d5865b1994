/**
 * Preloaded into the hub process by bench/memory-50k.ts (node --import tsx --import ./bench/loop-probe.ts
 * --import ./bench/memory-50k-probe.ts dispatcher/main.ts --demo), only when $BENCH_MEM_CTRL_FILE is set.
 * No change to the hub's code: it records the listening net.Servers (a wrapper around
 * net.Server.prototype.listen) and the aedes instance (around Aedes.prototype.listen), and serves a
 * small HTTP control API on 127.0.0.1 (its port is written to $BENCH_MEM_CTRL_FILE):
 *
 *   GET  /state              process.memoryUsage(), the MQTT port, aedes' clients and how many hold
 *                            their own anxin/v1/dev/<id>/down/# subscription
 *   POST /creds              [[id, secret], …]: the provisioned devices, kept for /connect
 *   POST /gc                 a full garbage collection (V8's gc, exposed at run time), then /state
 *   POST /connect?mode=M     connects every device over an in-memory stream, 100 at a time; answers
 *                            with the CONNACK rc 0 and SUBACK counts
 *
 * In-memory devices. Each device's connection is one MemSocket: a Duplex that stands in for the
 * net.Socket the hub would get from the kernel. Bytes the device sends are push()ed into it (the hub
 * reads them as 'data'); bytes the hub writes to it go to a per-device function (_write). The device
 * side writes CONNECT (its own id and secret, Will on its state topic, keepalive 1000 s, as
 * bench/mqtt-lite.ts does), reads CONNACK and checks rc 0, writes SUBSCRIBE to its down/# at QoS 1,
 * reads SUBACK and checks granted QoS 1; then its parser is replaced by a shared no-op, so the only
 * device-side state left is the MemSocket and its slot in `conns`. remoteAddress follows
 * bench/mqtt-lite.ts's localAddr (250 loopback sources), as the hub's login limiter keys on it.
 *   mode=hub      the MemSocket is emitted as a 'connection' on the hub's MQTT net.Server: the hub's
 *                 own listener (DeviceBroker.accept → GuardedConnection → aedes.handle, the real
 *                 authentication hook, Will, subscription ACL) handles it as it would a TCP socket.
 *   mode=harness  the same MemSockets and device side, but the server end only answers (a shared
 *                 function writes CONNACK and SUBACK): the harness's own cost, to subtract.
 */
import { isMainThread } from 'node:worker_threads';
import net from 'node:net';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { localAddr } from './mqtt-lite.ts';

type Broker = { clients: Record<string, { subscriptions?: Record<string, unknown> }>; connectedClients?: number };

const servers: net.Server[] = [];
let broker: Broker | null = null;

/** The server end of an in-memory connection, in place of a net.Socket. */
class MemSocket extends Duplex {
  readonly remotePort = 0;
  constructor(readonly remoteAddress: string, public device: (chunk: Buffer) => void) { super({ allowHalfOpen: false }); }
  setNoDelay(): this { return this; }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void { this.device(chunk); cb(); }
}

const ignore = (): void => {};
const CONNACK_OK = Buffer.from([0x20, 2, 0, 0]);
/** harness mode's server end: answers CONNECT and SUBSCRIBE, nothing else (one shared function). */
function answer(this: MemSocket, chunk: Buffer): void {
  const type = chunk[0] >> 4;
  if (type === 1) this.write(CONNACK_OK);
  else if (type === 8) this.write(Buffer.from([0x90, 3, chunk[2], chunk[3], 1]));
}

let creds: [string, string][] = [];
const conns: MemSocket[] = [];

interface Tally { connackOk: number; subackOk: number; failed: number; firstError: string | null }

function connectOne(i: number, mode: 'hub' | 'harness', mqtt: net.Server | undefined, tally: Tally): Promise<void> {
  const [id, secret] = creds[i];
  return new Promise((resolve) => {
    let buf: Buffer | null = null;
    let phase = 0;
    const fail = (why: string): void => {
      tally.failed++;
      tally.firstError ??= `${id}: ${why}`;
      sock.device = ignore;
      sock.off('close', onClose);
      resolve();
    };
    const onClose = (): void => fail(`closed in phase ${phase}`);
    const sock = new MemSocket(localAddr(i), (chunk) => {
      buf = buf ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        if (buf[1] & 0x80) return fail(`unexpected packet type ${buf[0] >> 4}`);
        const end = 2 + buf[1];
        if (buf.length < end) return;
        const p = buf.subarray(0, end);
        buf = buf.subarray(end);
        const type = p[0] >> 4;
        if (phase === 0 && type === 2) {
          if (p[3] !== 0) return fail(`CONNACK rc ${p[3]}`);
          tally.connackOk++;
          phase = 1;
          sock.push(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `anxin/v1/dev/${id}/down/#`, qos: 1 }] }));
        } else if (phase === 1 && type === 9) {
          if (p[4] !== 1) return fail(`SUBACK granted ${p[4]}`);
          tally.subackOk++;
          sock.device = ignore; // the device's parser and its closure are released
          sock.off('close', onClose);
          return resolve();
        } else return fail(`unexpected packet type ${type} in phase ${phase}`);
      }
    });
    sock.once('close', onClose);
    conns.push(sock);
    if (mode === 'hub') mqtt!.emit('connection', sock);
    else sock.on('data', answer);
    sock.push(mqttPacket.generate({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 1000, clientId: id,
      username: id, password: Buffer.from(secret), will: { topic: `anxin/v1/dev/${id}/state`, payload: Buffer.from('offline'), qos: 1, retain: true },
    }));
  });
}

async function connectAll(mode: 'hub' | 'harness', parallel: number): Promise<Tally & { devices: number; ms: number }> {
  const mqtt = servers.find((s) => s.constructor === net.Server && s.listening);
  if (mode === 'hub' && !mqtt) throw new Error('no MQTT server found');
  const tally: Tally = { connackOk: 0, subackOk: 0, failed: 0, firstError: null };
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => { while (next < creds.length) await connectOne(next++, mode, mqtt, tally); };
  await Promise.all(Array.from({ length: Math.min(parallel, creds.length) }, worker));
  return { devices: creds.length, ms: Math.round(performance.now() - start), ...tally };
}

function state(): Record<string, unknown> {
  const mem = process.memoryUsage(); // first: the walk below allocates
  const mqtt = servers.find((s) => s.constructor === net.Server && s.listening);
  const addr = mqtt?.address();
  let aedesClients = 0, subscribedDown = 0;
  for (const id in broker?.clients ?? {}) {
    aedesClients++;
    if (broker!.clients[id].subscriptions?.[`anxin/v1/dev/${id}/down/#`] !== undefined) subscribedDown++;
  }
  return { mem, mqttPort: typeof addr === 'object' && addr ? addr.port : null, aedesClients, subscribedDown, connectedClients: broker?.connectedClients ?? null, inMemory: conns.length };
}

async function body(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

const ctrlFile = process.env.BENCH_MEM_CTRL_FILE;
if (ctrlFile && isMainThread) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    servers.push(this);
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;
  const aedesListen = Aedes.prototype.listen;
  Aedes.prototype.listen = function (this: Aedes) {
    broker = this as unknown as Broker;
    return aedesListen.call(this);
  };
  const ctrl = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = (v: unknown, code = 200): void => { res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(v)); };
    (async () => {
      if (req.method === 'GET' && url.pathname === '/state') return reply(state());
      if (req.method === 'POST' && url.pathname === '/creds') { creds = JSON.parse(await body(req)); return reply({ n: creds.length }); }
      if (req.method === 'POST' && url.pathname === '/gc') {
        setFlagsFromString('--expose-gc');
        (runInNewContext('gc') as () => void)();
        return reply(state());
      }
      if (req.method === 'POST' && url.pathname === '/connect') {
        const mode = url.searchParams.get('mode') === 'harness' ? 'harness' : 'hub';
        return reply(await connectAll(mode, Number(url.searchParams.get('parallel') ?? 100)));
      }
      reply({ error: 'not found' }, 404);
    })().catch((err: Error) => reply({ error: err.message }, 500));
  });
  ctrl.listen(0, '127.0.0.1', () => writeFileSync(ctrlFile, String((ctrl.address() as net.AddressInfo).port)));
}
