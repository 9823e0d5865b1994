/**
 * A minimal MQTT 3.1.1 client for load generation: CONNECT (with Will), SUBSCRIBE, PUBLISH
 * QoS 0/1, PUBACK both ways. mqtt.js costs too much CPU per client to drive 10,000 devices
 * from the same 2 cores as the hub, so the benchmarks use this instead. Not for production.
 */
import { connect as netConnect, type Socket } from 'node:net';

function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  const out = Buffer.allocUnsafe(2 + b.length);
  out.writeUInt16BE(b.length, 0);
  b.copy(out, 2);
  return out;
}

function packet(type: number, flags: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 128; len.push(d); } while (n > 0);
  return Buffer.concat([Buffer.from([(type << 4) | flags, ...len]), body]);
}

export interface LiteOptions {
  host: string; port: number; clientId: string; username?: string; password?: string;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
  localAddress?: string; timeoutMs?: number;
}

export class LiteClient {
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly inflight = new Map<number, () => void>();
  onMessage: ((topic: string, payload: Buffer) => void) | null = null;
  onClose: (() => void) | null = null;
  closed = false;

  private constructor(readonly sock: Socket) {}

  static connect(o: LiteOptions): Promise<LiteClient> {
    return new Promise((resolve, reject) => {
      const sock = netConnect({ host: o.host, port: o.port, localAddress: o.localAddress });
      sock.setNoDelay(true);
      const c = new LiteClient(sock);
      const timer = setTimeout(() => { sock.destroy(); reject(new Error('connect timeout')); }, o.timeoutMs ?? 15_000);
      let flags = 0x02; // clean session
      const parts: Buffer[] = [str('MQTT'), Buffer.from([4])];
      if (o.will) flags |= 0x04 | (o.will.qos << 3) | (o.will.retain ? 0x20 : 0);
      if (o.username !== undefined) flags |= 0x80;
      if (o.password !== undefined) flags |= 0x40;
      parts.push(Buffer.from([flags, 0x03, 0xe8]), str(o.clientId)); // keepalive 1000 s (aedes refuses 0 above its limit); runs are shorter, so no PINGREQ
      if (o.will) parts.push(str(o.will.topic), str(o.will.payload));
      if (o.username !== undefined) parts.push(str(o.username));
      if (o.password !== undefined) parts.push(str(o.password));
      let settled = false;
      c.connack = (rc) => {
        settled = true;
        clearTimeout(timer);
        if (rc === 0) resolve(c);
        else { sock.destroy(); reject(new Error(`CONNACK ${rc}`)); }
      };
      sock.on('data', (d) => c.data(d));
      sock.on('error', (err) => { if (!settled) { settled = true; clearTimeout(timer); reject(err); } });
      sock.on('close', () => {
        c.closed = true;
        if (!settled) { settled = true; clearTimeout(timer); reject(new Error('closed before CONNACK')); }
        c.onClose?.();
      });
      sock.write(packet(1, 0, Buffer.concat(parts)));
    });
  }

  private connack: (rc: number) => void = () => {};

  private data(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      let len = 0, mul = 1, i = 1, byte: number;
      do {
        if (i >= this.buf.length) return;
        byte = this.buf[i++];
        len += (byte & 127) * mul;
        mul *= 128;
      } while (byte & 128);
      if (this.buf.length < i + len) return;
      const head = this.buf[0];
      const body = this.buf.subarray(i, i + len);
      this.buf = this.buf.subarray(i + len);
      this.handle(head >> 4, head & 15, body);
    }
  }

  private handle(type: number, flags: number, body: Buffer): void {
    if (type === 2) this.connack(body[1]);
    else if (type === 4) {
      const id = body.readUInt16BE(0);
      const cb = this.inflight.get(id);
      this.inflight.delete(id);
      cb?.();
    } else if (type === 3) {
      const tl = body.readUInt16BE(0);
      const topic = body.toString('utf8', 2, 2 + tl);
      const qos = (flags >> 1) & 3;
      let off = 2 + tl;
      if (qos > 0) {
        const id = body.readUInt16BE(off);
        off += 2;
        this.sock.write(Buffer.from([0x40, 2, id >> 8, id & 255]));
      }
      this.onMessage?.(topic, body.subarray(off));
    }
  }

  private id(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 65535 ? 1 : this.nextId + 1;
    return id;
  }

  subscribe(filter: string, qos: 0 | 1 = 1): void {
    const id = this.id();
    this.sock.write(packet(8, 2, Buffer.concat([Buffer.from([id >> 8, id & 255]), str(filter), Buffer.from([qos])])));
  }

  /** QoS 1: `onAck` runs at the PUBACK. */
  publish(topic: string, payload: Buffer | string, qos: 0 | 1 = 0, onAck?: () => void, retain = false): void {
    if (this.closed) return;
    const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (qos === 0) { this.sock.write(packet(3, retain ? 1 : 0, Buffer.concat([str(topic), p]))); return; }
    const id = this.id();
    if (onAck) this.inflight.set(id, onAck);
    this.sock.write(packet(3, 2 | (retain ? 1 : 0), Buffer.concat([str(topic), Buffer.from([id >> 8, id & 255]), p])));
  }

  /** Gone without DISCONNECT (the broker publishes the Will). */
  destroy(): void {
    this.sock.destroy();
  }

  end(): void {
    if (!this.closed) this.sock.end(Buffer.from([0xe0, 0]));
  }
}

/**
 * Spreads connections over the source addresses 127.0.0.2–127.0.0.251, one in 250 on each.
 * Binding a source address makes the kernel choose the port at bind(), and that search walks
 * the ports already taken on that address (TIME_WAIT included) while the event loop waits. With
 * 20,000 connections per address, as before, a 10,000-device storm spent 37 of 40 s in the kernel
 * and no device got back; at 40 per address the bind is free. (Not binding at all would put every
 * connection on one address pair, whose ~28,000 ephemeral ports the larger runs would exhaust.)
 */
export const localAddr = (i: number): string => `127.0.0.${2 + (i % 250)}`;
