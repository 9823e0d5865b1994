/**
 * Device protocol v1: topic names and payload shapes. This file is the one thing the
 * simulator shares with the gateway (names and types only, no codec), so that a codec
 * bug cannot cancel itself out in tests.
 */
export const TOPIC_ROOT = 'anxin/v1/dev';

export const EVENT_TYPES = ['press', 'cancel', 'test', 'checkin', 'fall', 'tamper', 'low_battery'] as const;
export type DeviceEventType = (typeof EVENT_TYPES)[number];

export const NOTIFY_STATUSES = ['received', 'help_coming', 'on_site', 'resolved', 'cancelled'] as const;
export type NotifyStatus = (typeof NOTIFY_STATUSES)[number];

export interface UpEventPayload { seq: number; type: DeviceEventType; ts?: number }
export interface HeartbeatPayload { battery?: number; rssi?: number; fw?: string }
export interface AckPayload { seq: number; alertId: string | null }
export interface NotifyPayload { alertId: string; status: NotifyStatus }

export type UpChannel = 'up/event' | 'up/heartbeat' | 'state';
export type DownChannel = 'down/ack' | 'down/notify';

export const topics = {
  upEvent: (id: string) => `${TOPIC_ROOT}/${id}/up/event`,
  heartbeat: (id: string) => `${TOPIC_ROOT}/${id}/up/heartbeat`,
  state: (id: string) => `${TOPIC_ROOT}/${id}/state`,
  ack: (id: string) => `${TOPIC_ROOT}/${id}/down/ack`,
  notify: (id: string) => `${TOPIC_ROOT}/${id}/down/notify`,
  downAll: (id: string) => `${TOPIC_ROOT}/${id}/down/#`,
};

/** Device ids: 1..64 chars of [A-Za-z0-9_.-]. Anything else cannot appear in a topic level. */
export const DEVICE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
