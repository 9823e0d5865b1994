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
  | { kind: 'presence'; deviceId: string; online: boolean; at: number; cause: string };

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

/** Commands the dispatcher sends to devices through the gateway. */
export type HubCommand = { kind: 'notify'; deviceId: string; alertId: string; status: NotifyStatus };
