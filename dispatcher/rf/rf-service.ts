/**
 * The dispatcher's side of RF receivers: resolves codes to devices (RfDirectory), records
 * unknown transmitters or enrols one in learn mode, and turns receiver status into technical
 * alerts (ReceiverSink). Admin operations for the HTTP routes live here too.
 */
import type { Logger } from 'pino';
import type { ReceiverSink, ReceiverStatusEvent, RfAction, RfBinding, RfDirectory, RfUnknownEvent } from '../../gateway/events.ts';
import type { Store } from '../store/store.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Clock } from '../clock.ts';
import { HubError } from '../errors.ts';
import { RfRepo, type LearnSession } from './rf-repo.ts';
import { ReceiverAlerts } from './receiver-alerts.ts';
import type { LinkStatus } from '../../gateway/serial/link.ts';
import type { RfCounters } from '../../gateway/serial/receivers.ts';

export interface ReceiverView { statuses: LinkStatus[]; counters: RfCounters | null }

export const LEARN_WINDOW_MS = 60_000;
/** The default key layout of a 4-key EV1527 panic button; the key heard in learn mode is always press. */
export const DEFAULT_KEYS: Record<number, RfAction> = { 0x1: 'press', 0x2: 'cancel', 0x4: 'test' };

export const hexAddress = (a: number): string => `0x${a.toString(16).padStart(5, '0')}`;

export class RfService implements RfDirectory, ReceiverSink {
  readonly repo: RfRepo;
  private readonly receiverAlerts: ReceiverAlerts;
  /** Last reported status per receiver (the gateway reports only changes). */
  readonly lastStatus = new Map<string, ReceiverStatusEvent>();
  /** The live receivers, set by the hub once they exist. */
  receivers: () => ReceiverView = () => ({ statuses: [], counters: null });

  constructor(private readonly store: Store, alerts: AlertService, private readonly clock: Clock, private readonly log: Logger) {
    this.repo = new RfRepo(store.db);
    this.receiverAlerts = new ReceiverAlerts(store, alerts, log);
  }

  lookup(address: number, key: number): RfBinding | null {
    return this.repo.lookup(address, key);
  }

  observeReceiver(e: RfUnknownEvent | ReceiverStatusEvent): void {
    if (e.kind === 'receiver-status') {
      this.lastStatus.set(e.receiver, e);
      this.receiverAlerts.reconcile(e, this.clock.now());
      return;
    }
    const bound = this.store.tx(() => {
      const session = this.repo.currentLearn(e.at);
      if (!session) {
        this.repo.recordUnknown(e.receiver, e.address, e.key, e.at);
        return null;
      }
      return this.enrol(session, e);
    });
    if (bound) this.log.info({ deviceId: bound, code: `${hexAddress(e.address)}/${e.key}`, receiver: e.receiver }, 'RF button enrolled in learn mode');
    else this.log.warn({ code: `${hexAddress(e.address)}/${e.key}`, receiver: e.receiver }, `unknown transmitter heard on receiver ${e.receiver}`);
  }

  /** Inside a transaction: binds the code's address to a new rf-button in the session's household. */
  private enrol(s: LearnSession, e: RfUnknownEvent): string {
    const id = this.addButton(s.householdId, e.address, e.key, e.at);
    this.repo.closeLearn(s.id, 'bound', e.at, { deviceId: id, address: e.address, key: e.key, receiver: e.receiver });
    return id;
  }

  /** Inside a transaction: a new rf-button; `pressKey` is press, the default layout fills the free keys. */
  private addButton(householdId: number, address: number, pressKey: number, now: number, wantedId?: string): string {
    const base = wantedId ?? `rf-${address.toString(16).padStart(5, '0')}`;
    let id = base;
    if (wantedId && this.store.devices.get(id)) throw new HubError('E_CONFLICT', `device ${id} already exists`);
    for (let n = 2; this.store.devices.get(id); n++) id = `${base}-${n}`;
    this.store.devices.create({ id, kind: 'rf-button', householdId }, null, now);
    this.repo.bind({ address, key: pressKey, deviceId: id, action: 'press' }, now);
    for (const [k, action] of Object.entries(DEFAULT_KEYS)) {
      if (Number(k) !== pressKey) this.repo.bind({ address, key: Number(k), deviceId: id, action }, now, false);
    }
    this.repo.forgetUnknown(address);
    return id;
  }

  /** An installer adds a button whose address is known (printed on it, or read from the unknown list). */
  createButton(householdId: number, address: number, pressKey = 0x1, id?: string): string {
    const now = this.clock.now();
    return this.store.tx(() => {
      if (!this.store.households.get(householdId)) throw new HubError('E_NOT_FOUND', `household ${householdId} does not exist`);
      const taken = this.repo.lookup(address, pressKey);
      if (taken) throw new HubError('E_CONFLICT', `code ${hexAddress(address)}/${pressKey} is already bound to ${taken.deviceId}`);
      return this.addButton(householdId, address, pressKey, now, id);
    });
  }

  openLearn(householdId: number, staffId: number): LearnSession {
    const now = this.clock.now();
    return this.store.tx(() => {
      if (!this.store.households.get(householdId)) throw new HubError('E_NOT_FOUND', `household ${householdId} does not exist`);
      const cur = this.repo.currentLearn(now);
      if (cur && cur.householdId !== householdId) {
        throw new HubError('E_CONFLICT', `learn mode is already open for household ${cur.householdId} until ${new Date(cur.expiresAt).toISOString()}: cancel it first`);
      }
      if (cur) this.repo.closeLearn(cur.id, 'cancelled', now); // re-opening restarts the 60 s
      return this.repo.openLearn(householdId, staffId, now, LEARN_WINDOW_MS);
    });
  }

  cancelLearn(): boolean {
    const now = this.clock.now();
    return this.store.tx(() => {
      const cur = this.repo.currentLearn(now);
      if (cur) this.repo.closeLearn(cur.id, 'cancelled', now);
      return !!cur;
    });
  }

  learnState(): { open: LearnSession | null; last: LearnSession | null } {
    const open = this.store.tx(() => this.repo.currentLearn(this.clock.now()));
    return { open, last: this.repo.lastLearn() };
  }

  /** Binds one code by hand (a button model with another key layout). */
  bindCode(deviceId: string, address: number, key: number, action: RfAction): void {
    const d = this.store.devices.get(deviceId);
    if (!d) throw new HubError('E_NOT_FOUND', `device ${deviceId} does not exist`);
    if (d.kind !== 'rf-button') throw new HubError('E_VALIDATION', `device ${deviceId} is a ${d.kind}, not an rf-button`);
    this.store.tx(() => {
      this.repo.bind({ address, key, deviceId, action }, this.clock.now());
      this.repo.forgetUnknown(address);
    });
  }
}
