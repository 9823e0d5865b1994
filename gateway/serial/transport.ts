/**
 * Opens a receiver's byte stream: a serial device through serialport, or a TCP connection
 * (a ser2net bridge, or the simulator). Each connection reports data and, exactly once, that
 * it went down and why. The serial side takes a port factory so tests can use the mock binding.
 */
import { connect as netConnect } from 'node:net';
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { ReceiverSpec } from './spec.ts';

export interface Conn { close(): void }
export interface ConnHandlers { data(b: Buffer): void; down(cause: string): void }
export type Opener = (spec: ReceiverSpec, h: ConnHandlers) => Promise<Conn>;

/** The part of a serialport stream the link uses (SerialPort and SerialPortMock both fit). */
export interface SerialLike {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  on(ev: 'data', fn: (b: Buffer) => void): unknown;
  on(ev: 'close' | 'error', fn: (err?: Error | null) => void): unknown;
  readonly isOpen: boolean;
}
export type SerialFactory = (o: { path: string; baudRate: number; autoOpen: false }) => SerialLike;

const realSerial: SerialFactory = (o) => new SerialPort(o) as unknown as SerialLike;

function once(h: ConnHandlers): (cause: string) => void {
  let done = false;
  return (cause) => {
    if (done) return;
    done = true;
    h.down(cause);
  };
}

export function openTcp(spec: ReceiverSpec, h: ConnHandlers, connectTimeoutMs = 5000): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: spec.host, port: spec.port });
    const down = once(h);
    let up = false;
    const timer = setTimeout(() => sock.destroy(new Error(`connect timed out after ${connectTimeoutMs} ms`)), connectTimeoutMs);
    timer.unref();
    sock.setNoDelay(true);
    sock.on('connect', () => {
      clearTimeout(timer);
      up = true;
      sock.setKeepAlive(true, 5000);
      resolve({ close: () => sock.destroy() });
    });
    sock.on('data', (b: Buffer) => h.data(b));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!up) reject(new Error(`${err.code ?? 'error'}: ${err.message}`));
      else down(`${err.code ?? 'error'}: ${err.message}`);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (up) down('connection closed by the bridge');
      else reject(new Error('connection closed before it opened'));
    });
  });
}

export function openSerial(spec: ReceiverSpec, h: ConnHandlers, factory: SerialFactory = realSerial): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let port: SerialLike;
    try {
      port = factory({ path: spec.path, baudRate: spec.baud, autoOpen: false });
    } catch (err) {
      reject(err as Error);
      return;
    }
    const down = once(h);
    let up = false;
    port.on('data', (b) => h.data(b));
    port.on('error', (err) => { if (up) down(`serial error: ${err?.message ?? 'unknown'}`); });
    port.on('close', (err) => { if (up) down(err ? `serial port closed: ${err.message}` : 'serial port closed'); });
    port.open((err) => {
      if (err) return reject(err);
      up = true;
      resolve({ close: () => { if (port.isOpen) port.close(() => {}); } });
    });
  });
}

export function makeOpener(serialFactory?: SerialFactory): Opener {
  return (spec, h) => (spec.kind === 'tcp' ? openTcp(spec, h) : openSerial(spec, h, serialFactory));
}

/** Whether a serial device node exists. Polled, because serialport does not always emit close on unplug. */
export function devicePresent(path: string): boolean {
  return existsSync(path);
}

/** The system's serial ports for diagnostics. SerialPort.list() needs udev tools; it may fail. */
export async function listSerialPorts(): Promise<{ ports: { path: string; manufacturer?: string }[]; error: string | null }> {
  try {
    const ports = await SerialPort.list();
    return { ports: ports.map((p) => ({ path: p.path, manufacturer: p.manufacturer })), error: null };
  } catch (err) {
    return { ports: [], error: `could not list serial ports: ${(err as Error).message}` };
  }
}
