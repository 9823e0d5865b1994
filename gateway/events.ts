/**
 * The typed boundary between gateway and dispatcher. The gateway turns everything devices
 * say into HubEvents and hands them to a HubSink; the dispatcher implements the sink.
 * The gateway never imports the dispatcher.
 */
import type { DeviceEventType, HeartbeatPayload, NotifyStatus } from './protocol.ts';

export type HubEvent =
  | { kind: 'device-event'; deviceId: string; seq: number; type: DeviceEventType; deviceTs: number | null; receivedAt: number; via: string }
  | { kind: 'unreadable-event'; deviceId: string; seq: number | null; reason: string; raw: string; receivedAt: number; via: string }
  | { kind: 'heartbeat'; deviceId: string; at: number; data: HeartbeatPayload }
  | { kind: 'presence'; deviceId: string; online: boolean; at: number; cause: string }
  /** A press heard by an RF receiver: no sequence number; the gateway's repeat window de-duplicates. */
  | { kind: 'device-event'; deviceId: string; seq: null; type: RfAction; deviceTs: null; receivedAt: number; via: string }
  | RfUnknownEvent
  | ReceiverStatusEvent;

export type DeviceEventInput = Extract<HubEvent, { kind: 'device-event' | 'unreadable-event' }>;

/** Result of committing a device event: the alert it belongs to (null for non-call events). */
export interface CommitResult { alertId: string | null; duplicate: boolean }

export interface HubSink {
  /** Commits the event durably; resolves only after the store has it. Rejects on storage failure. */
  commitEvent(e: DeviceEventInput): Promise<CommitResult>;
  /** Fire-and-forget observations (heartbeats, presence). */
  observe(e: Extract<HubEvent, { kind: 'heartbeat' | 'presence' }>): void;
}

/** What the gateway needs to know about devices, provided by the dispatcher's store. */
export interface DeviceDirectory {
  verifySecret(deviceId: string, secret: Buffer): Promise<boolean>;
}

/**
 * Brute-force guard for device logins, provided by the dispatcher: the gateway asks before
 * verifying a secret and reports the outcome. `source` is the remote IP, `account` the device id.
 */
export interface AuthLimiter {
  check(source: string, account: string): { ok: true } | { ok: false; retryAfterMs: number; reason: string };
  failure(source: string, account: string): void;
  success(source: string, account: string): void;
}

/** Commands the dispatcher sends to devices through the gateway. */
export type HubCommand = { kind: 'notify'; deviceId: string; alertId: string; status: NotifyStatus };

/** RF receivers (gateway/serial): what a code means, as the dispatcher's store knows it. */
export type RfAction = 'press' | 'cancel' | 'test';
export interface RfBinding { deviceId: string; action: RfAction }
export interface RfDirectory {
  /** The device and action bound to an RF code, or null when the code is unknown. Synchronous. */
  lookup(address: number, key: number): RfBinding | null;
}

/** A code heard that no device is bound to (one per press, after de-duplication). */
export interface RfUnknownEvent { kind: 'rf-unknown'; receiver: string; address: number; key: number; at: number }

/** A receiver's link state, reported when it changes. */
export interface ReceiverStatusEvent {
  kind: 'receiver-status';
  receiver: string;
  /** The grid node the receiver serves (null: the root). */
  nodeId: number | null;
  online: boolean;
  degraded: boolean;
  /** Errors counted in the last minute. */
  recentErrors: number;
  detail: string;
  at: number;
}

/** The dispatcher's side for receiver observations (fire and forget). */
export interface ReceiverSink {
  observeReceiver(e: RfUnknownEvent | ReceiverStatusEvent): void;
}
