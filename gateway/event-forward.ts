/**
 * A device's up/event is for the hub, which commits it inside authorizePublish (device-hooks.ts),
 * not for other clients: a device may subscribe only to its own down/ topics (acl.ts checkSubscribe)
 * and the hub subscribes to nothing. aedes still forwarded every event after writing its PUBACK:
 * a Packet, the lookup of offline sessions that might queue it, a topic match over every
 * subscription, the `published` hook and the 'publish' event, each through a promise or a callback
 * chain, and none of it reaching anyone (about 4 % of the hub's time per alarm in benchmark 1's
 * profile). This skips that forward for a device's own up/event while nothing could observe it: no
 * listener on the broker's 'publish' event (the conformance tests listen) and the default
 * `published` hook. Everything else (heartbeats, state, Wills, the hub's own publishes) goes
 * through aedes unchanged.
 */
import type { Aedes } from 'aedes';

type Done = (err?: Error | null) => void;
type Publish = (packet: { topic: string }, client?: unknown, done?: Done) => void;

const EVENT_SUFFIX = '/up/event';

export function skipUnreadEventForwards(broker: Aedes): void {
  const b = broker as unknown as { publish: Publish; published: unknown };
  const forward = b.publish.bind(broker) as Publish;
  const defaultPublished = b.published;
  b.publish = (packet, client, done) => {
    // Only a client's own publish reaches here with a client object: aedes' handlers call
    // publish(packet, client, done) after authorizePublish accepted it (device-hooks.ts: a device
    // may publish up/event only on its own topic); the hub's own publishes pass (packet, done).
    if (client != null && typeof client === 'object' && packet.topic.endsWith(EVENT_SUFFIX)
      && b.published === defaultPublished && broker.listenerCount('publish') === 0) {
      done?.();
      return;
    }
    forward(packet, client, done);
  };
}
