/**
 * One drill: a fleet, a watching console (the measuring point for "press → console"), and
 * optionally virtual responders. The `fleet` command and the scenario runner both use it.
 */
import { Fleet, type FleetOptions } from './fleet.ts';
import { Responders, type ResponderOptions } from './responders.ts';
import { StaffClient, type AlertLike } from './staff-client.ts';
import { Tracker, type Report } from './tracker.ts';
import { progressLine } from './report-format.ts';

export interface DrillOptions {
  fleet: FleetOptions;
  httpUrl: string;
  /** The staff login whose console measures press → console (null: do not watch). */
  watch: { user: string; password: string } | null;
  responders: ResponderOptions | null;
  progress?: (line: string) => void;
  progressMs?: number;
}

export class Drill {
  readonly tracker = new Tracker();
  readonly fleet: Fleet;
  watcher: StaffClient | null = null;
  responders: Responders | null = null;
  /** Latest known state of each alert, from the watching console. */
  readonly states = new Map<string, AlertLike>();
  private ticker: NodeJS.Timeout | null = null;
  private readonly t0 = Date.now();

  constructor(readonly opts: DrillOptions) {
    this.fleet = new Fleet(opts.fleet, this.tracker);
  }

  async start(): Promise<void> {
    if (this.opts.watch) {
      const w = new StaffClient(this.opts.httpUrl, this.opts.watch.user, this.opts.watch.password);
      w.on('alert', (a: AlertLike, at: number) => {
        this.states.set(a.id, a);
        this.tracker.console(a.id, at);
      });
      await w.start();
      this.watcher = w;
    }
    if (this.opts.responders) {
      this.responders = new Responders(this.opts.responders);
      await this.responders.start();
    }
    if (this.opts.progress) {
      this.ticker = setInterval(() => this.opts.progress!(this.progressLine()), this.opts.progressMs ?? 1000);
    }
    await this.fleet.connect();
  }

  /** Every console the drill holds open: the watcher's and the responders'. */
  consoles(): StaffClient[] {
    return [...(this.watcher ? [this.watcher] : []), ...(this.responders?.clients ?? [])];
  }

  progressLine(): string {
    return progressLine(this.tracker.counts(this.fleet.extra()), (Date.now() - this.t0) / 1000);
  }

  /** Resolves once every sent event is acked and every acked call was seen, or after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = this.tracker.report(this.fleet.extra(), Date.now(), !!this.watcher);
      if (r.losses.neverAcked === 0 && r.losses.neverOnConsole === 0) return true;
      if (Date.now() > end) return false;
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  report(): Report {
    const r = this.tracker.report(this.fleet.extra(), Date.now(), !!this.watcher);
    if (!this.watcher) r.notes.push('no console was watched: press → console and console losses not measured');
    if (!this.responders) r.notes.push('no responders ran: press → help_coming not measured');
    if (this.responders) {
      const s = this.responders.stats;
      r.notes.push(`responders: accepted ${s.accepted}, arrived ${s.arrived}, resolved ${s.resolved}, cancels confirmed ${s.confirmedCancels}, conflicts ${s.conflicts}, errors ${s.errors}`);
    }
    if (this.fleet.connectFailures) r.notes.push(`${this.fleet.connectFailures} devices could not connect at the start`);
    return r;
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.responders?.stop();
    this.watcher?.stop();
    await this.fleet.stop();
  }
}
