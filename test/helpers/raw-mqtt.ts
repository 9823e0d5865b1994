/**
 * Hand-built MQTT 3.1.1 bytes over a raw TCP (or TLS) socket, for hostile-input and conformance
 * tests. Nothing here uses mqtt.js or mqtt-packet: the bytes are written out field by field,
 * so a test can send exactly the malformed packet it means to.
 */
import { connect as netConnect, type Socket } from 'node:net';

export const PT = { CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7, SUBSCRIBE: 8, SUBACK: 9, UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14 } as const;

export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/** A length-prefixed MQTT string; a Buffer is written as-is (for invalid UTF-8). */
export function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

export interface ConnectOpts {
  clientId: string | Buffer;
  username?: string | Buffer;
  password?: string | Buffer;
  clean?: boolean;
  keepalive?: number;
  protocolName?: string;
  level?: number;
  will?: { topic: string; payload: string; qos?: number; retain?: boolean };
  reservedFlag?: boolean;
}

export function connectPacket(o: ConnectOpts): Buffer {
  let flags = 0;
  if (o.clean ?? true) flags |= 0x02;
  if (o.will) flags |= 0x04 | ((o.will.qos ?? 0) << 3) | (o.will.retain ? 0x20 : 0);
  if (o.password !== undefined) flags |= 0x40;
  if (o.username !== undefined) flags |= 0x80;
  if (o.reservedFlag) flags |= 0x01;
  const parts = [str(o.protocolName ?? 'MQTT'), Buffer.from([o.level ?? 4, flags]), u16(o.keepalive ?? 60), str(o.clientId)];
  if (o.will) parts.push(str(o.will.topic), str(o.will.payload));
  if (o.username !== undefined) parts.push(str(o.username));
  if (o.password !== undefined) parts.push(str(o.password));
  return packet(0x10, Buffer.concat(parts));
}

export function publishPacket(topic: string | Buffer, payload: string | Buffer, o: { qos?: number; id?: number; retain?: boolean; dup?: boolean; flags?: number } = {}): Buffer {
  const qos = o.qos ?? 0;
  const first = 0x30 | (o.flags ?? ((o.dup ? 0x08 : 0) | (qos << 1) | (o.retain ? 1 : 0)));
  const parts = [str(topic)];
  if (qos > 0) parts.push(u16(o.id ?? 1));
  parts.push(typeof payload === 'string' ? Buffer.from(payload) : payload);
  return packet(first, Buffer.concat(parts));
}

export function subscribePacket(id: number, filters: { topic: string; qos: number }[]): Buffer {
  return packet(0x82, Buffer.concat([u16(id), ...filters.flatMap((f) => [str(f.topic), Buffer.from([f.qos])])]));
}

export const pubrel = (id: number) => packet(0x62, u16(id));
export const puback = (id: number) => packet(0x40, u16(id));
export const pubrec = (id: number) => packet(0x50, u16(id));
export const pubcomp = (id: number) => packet(0x70, u16(id));
export const pingreq = () => Buffer.from([0xc0, 0x00]);
export const disconnect = () => Buffer.from([0xe0, 0x00]);

export interface RawPacket { type: number; flags: number; body: Buffer }

/** A raw client: writes bytes, parses what comes back into packets, and notices the close. */
export class RawClient {
  readonly packets: RawPacket[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); this.wake(); });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => { /* the close handler records it */ });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ port, host }, () => { s.off('error', reject); resolve(new RawClient(s)); });
      s.once('error', reject);
    });
  }

  send(b: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(b);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      let len = 0, mult = 1, i = 1;
      for (;;) {
        if (i >= this.buf.length) return;
        const b = this.buf[i++];
        len += (b & 0x7f) * mult;
        mult *= 128;
        if (!(b & 0x80)) break;
      }
      if (this.buf.length < i + len) return;
      this.packets.push({ type: this.buf[0] >> 4, flags: this.buf[0] & 0x0f, body: this.buf.subarray(i, i + len) });
      this.buf = this.buf.subarray(i + len);
    }
  }

  /** Waits for a packet of this type (consumed from the front of unread ones), or null if the socket closes. */
  async next(type: number, timeoutMs = 5000): Promise<RawPacket | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const idx = this.packets.findIndex((p) => p.type === type);
      if (idx >= 0) return this.packets.splice(idx, 1)[0];
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no packet of type ${type} within ${timeoutMs} ms (got ${this.packets.map((p) => p.type).join(',') || 'nothing'})`);
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  /** Resolves true once the server has closed the connection, false on timeout. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
    return true;
  }

  /** CONNECT, then the CONNACK return code (null if the server closed without one). */
  async connect(o: ConnectOpts, timeoutMs = 5000): Promise<number | null> {
    this.send(connectPacket(o));
    const p = await this.next(PT.CONNACK, timeoutMs);
    return p ? p.body[1] : null;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens a raw client and logs in as a demo device. */
export async function rawDevice(port: number, id: string, secret = 'demo-secret', extra: Partial<ConnectOpts> = {}): Promise<RawClient> {
  const c = await RawClient.open(port);
  const rc = await c.connect({ clientId: id, username: id, password: secret, ...extra });
  if (rc !== 0) throw new Error(`${id}: CONNACK ${rc}`);
  return c;
}
