/**
 * Receiver technical alerts: "receiver offline" and "receiver degraded", raised on the grid
 * node the receiver serves (its staff and admins see them) and cleared when the receiver is
 * back. Reconciles the reported state with the open alerts, so repeating a status is harmless.
 */
import type { Logger } from 'pino';
import type { ReceiverStatusEvent } from '../../gateway/events.ts';
import type { Store } from '../store/store.ts';
import type { AlertService } from '../alerts/alert-service.ts';

export const receiverDeviceId = (name: string): string => `rx:${name}`;

export class ReceiverAlerts {
  constructor(private readonly store: Store, private readonly alerts: AlertService, private readonly log: Logger) {}

  reconcile(e: ReceiverStatusEvent, now: number): void {
    const deviceId = receiverDeviceId(e.receiver);
    this.alerts.unit(() => {
      this.ensure(deviceId, 'receiver_offline', !e.online, e, now);
      this.ensure(deviceId, 'receiver_degraded', e.online && e.degraded, e, now);
    });
  }

  private ensure(deviceId: string, reason: string, wanted: boolean, e: ReceiverStatusEvent, now: number): void {
    const open = this.store.alerts.openForDevice(deviceId, 'technical', reason);
    if (wanted && !open) {
      this.alerts.raise({ kind: 'technical', reason, deviceId, householdId: null, gridId: this.gridFor(e), detail: e.detail, via: `rf:${e.receiver}`,
        data: { receiver: e.receiver, recentErrors: e.recentErrors } }, now);
    } else if (!wanted && open) {
      this.alerts.apply(open, { type: 'clear' }, now);
    }
  }

  private gridFor(e: ReceiverStatusEvent): number {
    if (e.nodeId !== null && this.store.grid.find(e.nodeId)) return e.nodeId;
    const root = this.store.grid.root();
    if (!root) throw new Error('no grid tree: create the grid before configuring receivers');
    if (e.nodeId !== null) this.log.warn({ receiver: e.receiver, node: e.nodeId }, 'receiver node does not exist: its alerts go to the root node');
    return root.id;
  }
}
