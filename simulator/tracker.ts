/**
 * Bookkeeping for a drill: every event a simulated device sends, when the hub acked it, when
 * its alert first showed on a console, and when the device heard "help is coming". Pure
 * (times come in as arguments), so the loss and latency rules are testable on their own.
 */
import { distribution, type Distribution } from './stats.ts';

export interface PressRecord {
  deviceId: string; type: string; t0: number;
  ackAt: number | null; alertId: string | null; consoleAt: number | null; sends: number;
}

export interface Counts {
  devices: number; connected: number; reconnects: number;
  sent: number; acked: number; presses: number; cancels: number; tests: number;
  alertsSeen: number; helpComing: number; errors: number; resends: number;
}

export interface Report {
  startedAt: string; durationS: number; counts: Counts;
  losses: { neverAcked: number; neverOnConsole: number; neverAckedIds: string[]; neverOnConsoleIds: string[] };
  latency: { pressToAck: Distribution; pressToConsole: Distribution; pressToHelpComing: Distribution };
  notes: string[];
}

const CALLS = new Set(['press', 'fall']);

export class Tracker {
  readonly records: PressRecord[] = [];
  private readonly consoleTimes = new Map<string, number[]>();
  private readonly awaitingConsole = new Map<string, PressRecord[]>();
  private readonly firstPress = new Map<string, number>();
  private readonly helpAt = new Map<string, number>();
  errors = 0;
  notes: string[] = [];

  constructor(readonly startedAt = Date.now()) {}

  sent(deviceId: string, type: string, t0: number): PressRecord {
    const r: PressRecord = { deviceId, type, t0, ackAt: null, alertId: null, consoleAt: null, sends: 0 };
    this.records.push(r);
    return r;
  }

  acked(r: PressRecord, alertId: string | null, at: number, sends: number): void {
    r.ackAt = at;
    r.alertId = alertId;
    r.sends = sends;
    if (!alertId || !CALLS.has(r.type)) return;
    const first = this.firstPress.get(alertId);
    if (first === undefined || r.t0 < first) this.firstPress.set(alertId, r.t0);
    const seen = this.consoleTimes.get(alertId)?.find((t) => t >= r.t0);
    if (seen !== undefined) r.consoleAt = seen;
    else {
      const list = this.awaitingConsole.get(alertId) ?? [];
      list.push(r);
      this.awaitingConsole.set(alertId, list);
    }
  }

  /** A console received a change (or snapshot entry) for this alert. */
  console(alertId: string, at: number): void {
    const times = this.consoleTimes.get(alertId) ?? [];
    times.push(at);
    this.consoleTimes.set(alertId, times);
    const waiting = this.awaitingConsole.get(alertId);
    if (!waiting) return;
    const still = waiting.filter((r) => {
      if (r.t0 <= at) { r.consoleAt = at; return false; }
      return true;
    });
    if (still.length) this.awaitingConsole.set(alertId, still);
    else this.awaitingConsole.delete(alertId);
  }

  notify(alertId: string, status: string, at: number): void {
    if (status === 'help_coming' && !this.helpAt.has(alertId)) this.helpAt.set(alertId, at);
  }

  helpComingAt(alertId: string): number | undefined {
    return this.helpAt.get(alertId);
  }

  /** When a console first showed this alert at or after `t0`. */
  consoleAfter(alertId: string, t0: number): number | undefined {
    return this.consoleTimes.get(alertId)?.find((t) => t >= t0);
  }

  alertsSeen(): number {
    return this.consoleTimes.size;
  }

  counts(extra: { devices: number; connected: number; reconnects: number }): Counts {
    let acked = 0, presses = 0, cancels = 0, tests = 0, resends = 0;
    for (const r of this.records) {
      if (r.ackAt !== null) acked++;
      if (CALLS.has(r.type)) presses++;
      else if (r.type === 'cancel') cancels++;
      else if (r.type === 'test') tests++;
      resends += Math.max(0, r.sends - 1);
    }
    return { ...extra, sent: this.records.length, acked, presses, cancels, tests, alertsSeen: this.consoleTimes.size, helpComing: this.helpAt.size, errors: this.errors, resends };
  }

  report(extra: { devices: number; connected: number; reconnects: number }, endedAt = Date.now(), watchedConsole = true): Report {
    const neverAcked = this.records.filter((r) => r.ackAt === null);
    const neverOnConsole = watchedConsole ? this.records.filter((r) => r.alertId && CALLS.has(r.type) && r.consoleAt === null) : [];
    const help: number[] = [];
    for (const [alertId, t] of this.helpAt) {
      const t0 = this.firstPress.get(alertId);
      if (t0 !== undefined) help.push(t - t0);
    }
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      durationS: (endedAt - this.startedAt) / 1000,
      counts: this.counts(extra),
      losses: {
        neverAcked: neverAcked.length, neverOnConsole: neverOnConsole.length,
        neverAckedIds: neverAcked.slice(0, 20).map((r) => `${r.deviceId}:${r.type}`),
        neverOnConsoleIds: [...new Set(neverOnConsole.map((r) => r.alertId!))].slice(0, 20),
      },
      latency: {
        pressToAck: distribution(this.records.filter((r) => r.ackAt !== null).map((r) => r.ackAt! - r.t0)),
        pressToConsole: distribution(this.records.filter((r) => r.consoleAt !== null).map((r) => r.consoleAt! - r.t0)),
        pressToHelpComing: distribution(help),
      },
      notes: this.notes,
    };
  }
}
