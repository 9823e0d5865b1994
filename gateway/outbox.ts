/**
 * Paces what the hub publishes to devices through the broker (notifies; acks are written
 * directly, see DeviceBroker.sendAck).
 *
 * Two holes this closes, both found by test/hostile-mqtt-load.test.ts:
 * - A burst of thousands of publishes in one tick overflowed the stack: aedes' mqemitter
 *   queues messages past its concurrency and releases them recursively. Here at most
 *   `maxInflight` (below that concurrency) are handed to the broker at a time, and the rest
 *   continue on a later tick.
 * - A device that stops reading holds its messages until its socket drains (or the drain
 *   timeout ends it). Each device may hold at most `perDevice` slots, so one stalled device
 *   cannot delay the acks of all the others. Its own backlog is capped (oldest dropped and
 *   counted): a device re-sends an un-acked event, and notifies are repeated on each change.
 *
 * One ordering rule: a device's messages of one QoS may be in flight together, but a message of
 * the other QoS waits until they are done. aedes (1.x) drops, as a duplicate, a message that
 * reaches a client after a later-published one, and its QoS 1 path is slower than its QoS 0
 * path: a QoS 1 notify followed at once by a QoS 0 ack lost the notify (hub-core test).
 */
export interface OutboxLimits { maxInflight: number; perDevice: number; maxQueuedPerDevice: number }
export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxInflight: 256, perDevice: 8, maxQueuedPerDevice: 200 };

interface Msg { topic: string; payload: Buffer; qos: 0 | 1 }
interface Lane { queue: Msg[]; inflight: number; ready: boolean; qos: 0 | 1 }

export type BrokerSend = (topic: string, payload: Buffer, qos: 0 | 1, done: () => void) => void;

export class Outbox {
  private readonly lanes = new Map<string, Lane>();
  private readonly ready: string[] = [];
  private inflight = 0;
  private scheduled = false;
  dropped = 0;

  constructor(private readonly send: BrokerSend, private readonly limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS) {}

  push(deviceId: string, topic: string, payload: Buffer, qos: 0 | 1 = 1): void {
    let lane = this.lanes.get(deviceId);
    if (!lane) {
      lane = { queue: [], inflight: 0, ready: false, qos: 1 };
      this.lanes.set(deviceId, lane);
    }
    lane.queue.push({ topic, payload, qos });
    if (lane.queue.length > this.limits.maxQueuedPerDevice) {
      lane.queue.shift();
      this.dropped++;
    }
    this.markReady(deviceId, lane);
    this.schedule();
  }

  /** Messages waiting (not yet handed to the broker). */
  queued(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.queue.length;
    return n;
  }

  private markReady(id: string, lane: Lane): void {
    if (!lane.ready && lane.queue.length > 0 && lane.inflight < this.limits.perDevice && (lane.inflight === 0 || lane.queue[0].qos === lane.qos)) {
      lane.ready = true;
      this.ready.push(id);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => { this.scheduled = false; this.pump(); });
  }

  private pump(): void {
    let budget = this.limits.maxInflight * 4; // bounded work per tick, even if sends complete synchronously
    while (this.inflight < this.limits.maxInflight && this.ready.length > 0 && budget-- > 0) {
      const id = this.ready.shift()!;
      const lane = this.lanes.get(id)!;
      lane.ready = false;
      const msg = lane.queue.shift();
      if (!msg) continue;
      lane.qos = msg.qos;
      lane.inflight++;
      this.inflight++;
      let finished = false;
      this.send(msg.topic, msg.payload, msg.qos, () => {
        if (finished) return;
        finished = true;
        lane.inflight--;
        this.inflight--;
        if (lane.queue.length === 0 && lane.inflight === 0) this.lanes.delete(id);
        else this.markReady(id, lane);
        this.schedule();
      });
      this.markReady(id, lane); // round robin: back of the line if it has more
    }
    if (this.ready.length > 0 && this.inflight < this.limits.maxInflight) this.schedule();
  }
}
