/**
 * All configured RF receivers. Codes from every receiver go through one repeat filter, so the
 * repeats of a held button and the same press heard by two receivers make one event. A known
 * code is committed through the same durable path as MQTT events (HubSink.commitEvent, seq
 * null); an unknown one is reported to the dispatcher, which lists it or enrols it.
 */
import type { Logger } from 'pino';
import type { HubSink, ReceiverSink, RfDirectory } from '../events.ts';
import type { ReceiverSpec } from './spec.ts';
import { ReceiverLink, type LinkStatus } from './link.ts';
import { RepeatFilter } from './repeat-filter.ts';
import { devicePresent, makeOpener, type Opener, type SerialFactory } from './transport.ts';
import { formatCode, type RfCode } from './types.ts';

export interface ReceiverSetDeps {
  sink: HubSink;
  directory: RfDirectory;
  observer: ReceiverSink;
  now: () => number;
  log: Logger;
  repeatWindowMs: number;
  /** For tests: open serial ports through another binding (e.g. @serialport/binding-mock). */
  serialFactory?: SerialFactory;
  opener?: Opener;
  present?: (path: string) => boolean;
  tickMs?: number;
}

export interface RfCounters { presses: number; repeats: number; unknown: number; commitFailures: number }

export class ReceiverSet {
  readonly links: ReceiverLink[];
  private readonly filter: RepeatFilter;
  readonly counters: RfCounters = { presses: 0, repeats: 0, unknown: 0, commitFailures: 0 };

  constructor(specs: ReceiverSpec[], private readonly deps: ReceiverSetDeps) {
    this.filter = new RepeatFilter(deps.repeatWindowMs);
    const opener = deps.opener ?? makeOpener(deps.serialFactory);
    this.links = specs.map((spec) => new ReceiverLink(spec, {
      opener, present: deps.present ?? devicePresent, now: deps.now, log: deps.log, tickMs: deps.tickMs,
      onCode: (code, receiver) => this.onCode(code, receiver),
      onStatus: (e) => this.report(() => deps.observer.observeReceiver(e)),
    }));
  }

  start(): void {
    for (const l of this.links) l.start();
  }

  stop(): void {
    for (const l of this.links) l.stop();
  }

  statuses(): LinkStatus[] {
    return this.links.map((l) => l.status());
  }

  private onCode(code: RfCode, receiver: string): void {
    if (!this.filter.fresh(code.address, code.key, performance.now())) {
      this.counters.repeats++;
      return;
    }
    const at = this.deps.now();
    let binding;
    try {
      binding = this.deps.directory.lookup(code.address, code.key);
    } catch (err) {
      this.filter.forget(code.address, code.key); // the next repeat tries again
      this.deps.log.error({ err, code: formatCode(code) }, 'RF code lookup failed');
      return;
    }
    if (!binding) {
      this.counters.unknown++;
      this.report(() => this.deps.observer.observeReceiver({ kind: 'rf-unknown', receiver, address: code.address, key: code.key, at }));
      return;
    }
    this.counters.presses++;
    const via = `rf:${receiver}`;
    this.deps.sink.commitEvent({ kind: 'device-event', deviceId: binding.deviceId, seq: null, type: binding.action, deviceTs: null, receivedAt: at, via })
      .catch((err: Error) => {
        // Not stored: let the button's next repeat (or the next press) count as new.
        this.counters.commitFailures++;
        this.filter.forget(code.address, code.key);
        this.deps.log.error({ err, deviceId: binding.deviceId, via }, 'RF event not committed');
      });
  }

  private report(fn: () => void): void {
    try { fn(); } catch (err) { this.deps.log.error({ err }, 'receiver observer failed'); }
  }
}
