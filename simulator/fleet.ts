/**
 * A fleet of simulated devices: connects them (a bounded number at a time), heart-beats with
 * jitter, drains batteries, presses, cancels and tests at given rates, re-sends un-acked
 * events, reconnects with backoff and jitter, and records every event in a Tracker.
 */
import { SimDevice } from './sim-device.ts';
import { Tracker } from './tracker.ts';
import type { DeviceEventType } from '../gateway/protocol.ts';

export interface DeviceCred { id: string; secret: string }

export interface FleetOptions {
  url: string;
  devices: DeviceCred[];
  heartbeatS: number;
  heartbeatJitter: number;
  /** Fleet-wide rates, per minute (Poisson arrivals over random devices). */
  pressPerMin: number;
  cancelPerMin: number;
  testPerMin: number;
  /** Stop pressing after this many presses (0 = no limit). */
  maxPresses: number;
  resendMs: number;
  backoff: { baseMs: number; maxMs: number };
  connectParallel: number;
}

export const DEFAULT_FLEET: Omit<FleetOptions, 'url' | 'devices'> = {
  heartbeatS: 60, heartbeatJitter: 0.2, pressPerMin: 0, cancelPerMin: 0, testPerMin: 0, maxPresses: 0,
  resendMs: 3000, backoff: { baseMs: 500, maxMs: 30_000 }, connectParallel: 100,
};

export function demoDevices(n = 20, secret = 'demo-secret'): DeviceCred[] {
  return Array.from({ length: n }, (_, i) => ({ id: `demo-${String(i + 1).padStart(4, '0')}`, secret }));
}

export class Fleet {
  readonly devices = new Map<string, SimDevice>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  connectFailures = 0;
  pressesSent = 0;

  constructor(readonly opts: FleetOptions, readonly tracker = new Tracker()) {}

  /** Connects every device, `connectParallel` at a time. Failures are counted, not thrown. */
  async connect(): Promise<void> {
    const queue = [...this.opts.devices];
    const worker = async () => {
      for (let c = queue.shift(); c && !this.stopped; c = queue.shift()) await this.connectOne(c);
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.connectParallel, queue.length) }, worker));
  }

  private async connectOne(c: DeviceCred): Promise<void> {
    const dev = new SimDevice({
      url: this.opts.url, id: c.id, secret: c.secret, resendMs: this.opts.resendMs, backoff: this.opts.backoff,
      heartbeatMs: this.opts.heartbeatS > 0 ? this.opts.heartbeatS * 1000 : undefined, heartbeatJitter: this.opts.heartbeatJitter,
      battery: 60 + Math.floor(Math.random() * 40),
    });
    dev.on('notify', (n) => this.tracker.notify(n.alertId, n.status, performance.now()));
    dev.on('mqtt-error', () => { this.tracker.errors++; });
    this.devices.set(c.id, dev);
    try {
      await dev.connect();
    } catch {
      this.connectFailures++;
      this.tracker.errors++;
      this.devices.delete(c.id);
    }
  }

  /** Starts the random press / cancel / test processes and the battery drain. */
  startActivity(): void {
    const { pressPerMin, cancelPerMin, testPerMin } = this.opts;
    if (pressPerMin > 0) this.poisson(pressPerMin, () => {
      if (this.opts.maxPresses && this.pressesSent >= this.opts.maxPresses) return false;
      this.pressesSent++;
      this.send(this.randomDevice(), 'press');
      return !this.opts.maxPresses || this.pressesSent < this.opts.maxPresses;
    });
    if (cancelPerMin > 0) this.poisson(cancelPerMin, () => { this.send(this.randomDevice(), 'cancel'); return true; });
    if (testPerMin > 0) this.poisson(testPerMin, () => { this.send(this.randomDevice(), 'test'); return true; });
    this.every(60_000, () => { for (const d of this.devices.values()) d.opts.battery = Math.max(5, (d.opts.battery ?? 90) - (Math.random() < 0.05 ? 1 : 0)); });
  }

  private poisson(perMin: number, fire: () => boolean): void {
    const next = () => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (this.stopped) return;
        if (fire()) next();
      }, -Math.log(1 - Math.random()) * (60_000 / perMin));
      this.timers.add(t);
    };
    next();
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }

  private randomDevice(): SimDevice | undefined {
    const all = [...this.devices.values()];
    return all[Math.floor(Math.random() * all.length)];
  }

  /** Sends one event from a device and records it; resolves when acked (never, if it is lost). */
  send(dev: SimDevice | string | undefined, type: DeviceEventType = 'press'): Promise<string | null> {
    const d = typeof dev === 'string' ? this.devices.get(dev) : dev;
    if (!d) { this.tracker.errors++; return Promise.resolve(null); }
    const rec = this.tracker.sent(d.opts.id, type, performance.now());
    return d.send(type).then((r) => {
      this.tracker.acked(rec, r.alertId, rec.t0 + r.rttMs, r.sends);
      return r.alertId;
    });
  }

  /** Cuts the links of a fraction of devices for `forMs`; they come back with backoff. */
  dropLinks(fraction: number, forMs: number): string[] {
    const all = [...this.devices.values()].sort(() => Math.random() - 0.5);
    const hit = all.slice(0, Math.round(all.length * fraction));
    for (const d of hit) d.dropLink(forMs);
    return hit.map((d) => d.opts.id);
  }

  /** Every device drops its link and comes back at a random moment within `withinMs`. */
  reconnectStorm(withinMs: number): void {
    for (const d of this.devices.values()) d.dropLink(Math.random() * withinMs);
  }

  connectedCount(): number {
    let n = 0;
    for (const d of this.devices.values()) if (d.connected) n++;
    return n;
  }

  pendingCount(): number {
    let n = 0;
    for (const d of this.devices.values()) n += d.pendingCount();
    return n;
  }

  extra(): { devices: number; connected: number; reconnects: number } {
    let reconnects = 0;
    for (const d of this.devices.values()) reconnects += Math.max(0, d.connects - 1);
    return { devices: this.opts.devices.length, connected: this.connectedCount(), reconnects };
  }

  stopActivity(): void {
    for (const t of this.timers) { clearTimeout(t); clearInterval(t); }
    this.timers.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopActivity();
    const all = [...this.devices.values()];
    this.devices.clear();
    await Promise.all(all.map((d) => d.close(false).catch(() => {})));
  }
}
