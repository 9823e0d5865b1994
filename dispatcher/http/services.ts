/** What the HTTP routes may use: the hub's services, passed in (no globals). */
import type { Store } from '../store/store.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Clock } from '../clock.ts';
import type { HubConfig } from '../config.ts';
import type { RfService } from '../rf/rf-service.ts';
import type { LoginRateLimiter } from '../security/rate-limiter.ts';
import type { ReportRunner } from '../reports/report-runner.ts';
import type { TimeSlicer } from '../time-slicer.ts';

export interface HubServices {
  store: Store;
  alerts: AlertService;
  clock: Clock;
  config: HubConfig;
  health(): Record<string, unknown>;
  /** Closes open console sockets: 4001 (default) for logout, password or account disabled; 4002 to reconnect with a changed scope. */
  closeSockets(match: { token?: string; staffId?: number; exceptToken?: string }, reason: string, code?: 4001 | 4002): number;
  /** Closes a device's live MQTT connection. */
  disconnectDevice(deviceId: string): void;
  /** Re-reads deadlines after an action. */
  rearm(): void;
  /** A roster, grid node or staff account changed, inside `area` (a grid path; null: anywhere): open duty pages there are told (push/duty-hint.ts). */
  dutyChanged(area: string | null): void;
  /** RF buttons and receivers (issue 5). */
  rf?: RfService;
  /** Brute-force limiters for staff (HTTP) and device (MQTT) logins; absent means unlimited. */
  limits?: { staff: LoginRateLimiter; devices: LoginRateLimiter };
  /** Builds report figures off the event loop. */
  reports: ReportRunner;
  /** Runs long lists a few milliseconds per turn of the event loop. */
  slicer: TimeSlicer;
}
