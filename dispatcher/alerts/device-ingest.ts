/**
 * The dispatcher's side of the gateway boundary: commits device events (group commit: all
 * events that arrive in one turn of the event loop share one transaction) and turns them
 * into calls, repeat presses, cancels, tests and technical alerts. A promise resolves only
 * after its event is committed and the commit is on disk, so the gateway acks only what the
 * store holds.
 */
import type { Logger } from 'pino';
import type { CommitResult, DeviceEventInput, HubSink, HubEvent } from '../../gateway/events.ts';
import type { Store } from '../store/store.ts';
import type { AlertService } from './alert-service.ts';
import type { PresenceTracker } from './presence.ts';
import { isStorageFault } from './storage-fault.ts';

interface Pending { e: DeviceEventInput; resolve: (r: CommitResult) => void; reject: (err: Error) => void }

const CALL_TYPES = new Set(['press', 'fall']);
const MAX_BATCH = 2000;

export class DeviceIngest implements HubSink {
  private queue: Pending[] = [];
  private scheduled = false;
  /** While held (store/checkpointer.ts: the log being handed over), events queue and nothing commits. */
  private held = false;
  committed = 0;
  storageFaults = 0;
  /** Told about refused and committed batches (the storage fault alert, storage-fault.ts). */
  faults: { fault(err: unknown, events: number): void; ok(): void } | null = null;

  constructor(
    private readonly store: Store,
    private readonly alerts: AlertService,
    private readonly presence: PresenceTracker,
    private readonly log: Logger,
    private readonly onCommitted: () => void = () => {},
  ) {}

  commitEvent(e: DeviceEventInput): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ e, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  observe(e: Extract<HubEvent, { kind: 'heartbeat' | 'presence' }>): void {
    this.presence.observe(e);
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    if (this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.held) return; // release() flushes what queued meanwhile
    while (this.queue.length) this.commitBatch(this.queue.splice(0, MAX_BATCH));
    this.onCommitted();
  }

  /** One transaction for the batch; its promises settle once the commit is on disk (store/wal-sync.ts). */
  private commitBatch(batch: Pending[]): void {
    const durable = (results: (CommitResult | Error)[]) => batch.forEach((p, i) => {
      const r = results[i];
      if (r instanceof Error) p.reject(r);
      else p.resolve(r);
    });
    const refused = (err: Error) => this.refuse(batch, err, 'batch committed but its fsync failed');
    try {
      try {
        // Fast path: the whole batch in one transaction, no savepoint per event.
        this.alerts.unitUnsynced(() => batch.map((p) => this.commitOne(p.e)), durable, refused);
      } catch (err) {
        if (isStorageFault(err)) throw err;
        // One event failed for a reason of its own: the batch rolled back; redo it with a
        // savepoint per event, so only that event is refused and the rest commit.
        this.alerts.unitUnsynced(() => batch.map((p) => {
          try {
            return this.alerts.savepoint(() => this.commitOne(p.e));
          } catch (e) {
            if (isStorageFault(e)) throw e;
            this.log.error({ err: e, deviceId: p.e.deviceId }, 'device event could not be processed');
            return e as Error;
          }
        }), durable, refused);
      }
    } catch (err) {
      this.refuse(batch, err as Error, 'batch not committed');
      return;
    }
    this.committed += batch.length;
    this.faults?.ok();
  }

  /** Not committed, or not made durable: no ack, and the devices re-send. */
  private refuse(batch: Pending[], err: Error, what: string): void {
    this.storageFaults++;
    this.log.error({ err, events: batch.length }, `storage fault: ${what}, devices will re-send`);
    for (const p of batch) p.reject(err);
    this.faults?.fault(err, batch.length);
  }

  /** Inside the transaction. */
  private commitOne(e: DeviceEventInput): CommitResult {
    const at = e.receivedAt;
    if (e.seq !== null) {
      const seen = this.store.alerts.deviceEventAlert(e.deviceId, e.seq);
      if (seen) return { alertId: seen.alertId, duplicate: true };
    }
    this.presence.heard(e.deviceId, at);
    const householdId = this.store.devices.householdOf(e.deviceId);
    const hh = householdId != null ? this.store.households.get(householdId) : undefined;
    const gridId = hh?.gridId ?? this.rootGridId();
    const type = e.kind === 'device-event' ? e.type : 'unreadable';
    let alertId: string | null = null;

    if (e.kind === 'unreadable-event' || CALL_TYPES.has(type)) {
      const reason = e.kind === 'unreadable-event' ? 'unreadable' : type;
      const open = this.store.alerts.openForDevice(e.deviceId, 'call', reason);
      if (open) {
        this.alerts.apply(open, { type: 'repeat_press' }, at);
        alertId = open.id;
      } else {
        const detail = e.kind === 'unreadable-event' ? `unreadable call from device ${e.deviceId}: ${e.reason}` : hh ? '' : `device ${e.deviceId} has no household`;
        alertId = this.alerts.raise({ kind: 'call', reason, deviceId: e.deviceId, householdId: hh?.id ?? null, gridId, detail, via: e.via }, at).id;
      }
    } else if (type === 'cancel') {
      const open = this.store.alerts.openForDevice(e.deviceId, 'call', 'press') ?? this.store.alerts.openForDevice(e.deviceId, 'call', 'fall');
      if (open) {
        this.alerts.apply(open, { type: 'resident_cancel' }, at);
        alertId = open.id;
      }
    } else if (type === 'test') {
      this.store.devices.markTest(e.deviceId, at);
      // The test ends the reminder: cleared now, in the same commit, rather than by the next full health sweep.
      const reminder = this.store.alerts.openForDevice(e.deviceId, 'technical', 'test_overdue');
      if (reminder && (reminder.state === 'raised' || reminder.state === 'accepted')) this.alerts.apply(reminder, { type: 'clear' }, at);
    } else if (type === 'tamper' || type === 'low_battery') {
      const open = this.store.alerts.openForDevice(e.deviceId, 'technical', type);
      alertId = open?.id ?? this.alerts.raise({ kind: 'technical', reason: type, deviceId: e.deviceId, householdId: hh?.id ?? null, gridId, via: e.via }, at).id;
    }
    this.store.alerts.insertDeviceEvent({
      deviceId: e.deviceId, seq: e.seq, type, deviceTs: e.kind === 'device-event' ? e.deviceTs : null, receivedAt: at, via: e.via, alertId,
      detail: e.kind === 'unreadable-event' ? `${e.reason}: ${e.raw}` : null,
    });
    return { alertId, duplicate: false };
  }

  private rootGridId(): number {
    const root = this.store.grid.root();
    if (!root) throw new Error('no grid tree: create the grid before connecting devices');
    return root.id;
  }
}
