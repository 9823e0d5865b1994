/**
 * Hostile MQTT load over raw sockets: huge declared lengths, connections that never CONNECT,
 * a QoS 2 flood without PUBREL, a subscriber that stops reading, and 10,000 connect/disconnect
 * cycles. Each case runs beside a legitimate 10/s press stream (0 loss, ack p99 < 2 s) and
 * within a 20 MB memory budget. The connect timeout is 2 s here (ANXIN_MQTT_CONNECT_TIMEOUT_MS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCase, printFigures, startHostileHub, memSample, type HostileHub } from './helpers/hostile-harness.ts';
import { RawClient, rawDevice, PT, publishPacket, subscribePacket, connectPacket, disconnect } from './helpers/raw-mqtt.ts';

let h: HostileHub;
let port = 0;
const pending = () => (h.t.hub.broker as unknown as { pending: number }).pending;
const clientCount = () => Object.keys((h.t.hub.broker as unknown as { aedes: { clients: object } }).aedes.clients).length;

beforeAll(async () => {
  h = await startHostileHub({ ANXIN_MQTT_CONNECT_TIMEOUT_MS: '2000' }, 60);
  port = h.t.hub.ports.mqtt;
}, 60_000);

afterAll(async () => {
  printFigures('hostile MQTT load');
  await h?.t.stop();
});

/** Opens n raw sockets, 50 at a time with a short pause (the attacker shares this process's event loop). */
async function openMany(n: number, batch = 50): Promise<RawClient[]> {
  const out: RawClient[] = [];
  for (let i = 0; i < n; i += batch) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => RawClient.open(port)))));
    await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}

async function allClosed(cs: RawClient[], timeoutMs: number): Promise<boolean> {
  const r = await Promise.all(cs.map((c) => c.waitClosed(timeoutMs)));
  return r.every(Boolean);
}

describe('hostile MQTT load (raw sockets)', () => {
  it('a 256 MB declared length before auth on 50 sockets is cut off at the header', async () => {
    await hostileCase(h, '256 MB declared length before auth x50', async () => {
      const before = h.t.hub.broker.rejectedFrames;
      const cs = await openMany(50);
      for (const c of cs) c.send(Buffer.concat([Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(1024, 0x41)]));
      expect(await allClosed(cs, 5000)).toBe(true);
      expect(h.t.hub.broker.rejectedFrames - before).toBe(50);
    });
  });

  it('a 256 MB declared length after auth on 50 sockets is cut off and flagged, not buffered', async () => {
    await hostileCase(h, '256 MB declared length after auth x50', async () => {
      const cs = await Promise.all(h.spare.slice(0, 50).map((d) => rawDevice(port, d.id, d.secret)));
      for (const c of cs) c.send(Buffer.concat([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(4096, 0x42)]));
      expect(await allClosed(cs, 5000)).toBe(true);
      expect(cs.some((c) => c.packets.some((p) => p.type === PT.PUBACK))).toBe(false);
    });
  });

  it('1,000 sockets that never send CONNECT are closed by the connect timeout; devices still get in', async () => {
    await hostileCase(h, '1,000 sockets that never CONNECT', async () => {
      const base = pending();
      let peak = 0;
      const watch = setInterval(() => { peak = Math.max(peak, pending() - base); }, 20);
      const cs = await openMany(1000);
      await expect.poll(() => peak, { timeout: 5000 }).toBeGreaterThan(100); // they were held as pending, not refused
      clearInterval(watch);
      const d = h.spare[55];
      const ok = await rawDevice(port, d.id, d.secret); // a real device is not starved meanwhile
      ok.destroy();
      expect(await allClosed(cs, 15_000)).toBe(true); // closed by the hub: the test never closes them
      expect(cs.every((c) => c.packets.length === 0)).toBe(true);
      await expect.poll(pending, { timeout: 5000 }).toBe(base);
    });
  });

  it('a QoS 2 flood that never sends PUBREL is bounded', async () => {
    await hostileCase(h, 'QoS 2 flood without PUBREL', async () => {
      const d = h.spare[51];
      const c = await rawDevice(port, d.id, d.secret);
      const body = JSON.stringify({ battery: 80, rssi: -60, fw: 'x'.repeat(200) });
      const chunk: Buffer[] = [];
      for (let id = 1; id <= 5000; id++) chunk.push(publishPacket(`anxin/v1/dev/${d.id}/up/heartbeat`, body, { qos: 2, id: ((id - 1) % 65_535) + 1 }));
      c.send(Buffer.concat(chunk));
      await new Promise((r) => setTimeout(r, 2000));
      const pubrecs = c.packets.filter((p) => p.type === PT.PUBREC).length;
      // aedes holds at most maxInflightInbound (1000) un-released QoS 2 messages, then drops the client.
      expect(pubrecs).toBeLessThanOrEqual(1000);
      expect(await c.waitClosed(5000)).toBe(true);
    });
  });

  it('a subscriber that stops reading cannot grow the hub\'s memory', async () => {
    await hostileCase(h, 'subscriber that stops reading', async () => {
      const d = h.spare[52];
      const c = await rawDevice(port, d.id, d.secret);
      c.send(subscribePacket(1, [{ topic: `anxin/v1/dev/${d.id}/down/#`, qos: 1 }]));
      expect((await c.next(PT.SUBACK))!.body[2]).toBe(1);
      c.socket.pause(); // stops reading: the kernel buffers fill, then the hub must hold back
      const memBefore = await memSample();
      const dropped = h.t.hub.broker.outbox.dropped;
      // 20,000 notifies of ~170 bytes to the stalled device in one tick, and 20,000 more spread
      // over 2,000 other devices (a burst like this overflowed aedes' stack before the outbox).
      for (let i = 0; i < 20_000; i++) h.t.hub.broker.send({ kind: 'notify', deviceId: d.id, alertId: `a-${i}-${'z'.repeat(100)}`, status: 'received' });
      for (let i = 0; i < 20_000; i++) h.t.hub.broker.send({ kind: 'notify', deviceId: `ghost-${i % 2000}`, alertId: `b-${i}`, status: 'received' });
      await new Promise((r) => setTimeout(r, 1500));
      const memAfter = await memSample();
      expect(memAfter.heap - memBefore.heap).toBeLessThan(20 * 1024 * 1024);
      expect(h.t.hub.broker.outbox.dropped - dropped).toBeGreaterThan(19_000); // the stalled device's backlog is capped
      await expect.poll(() => h.t.hub.broker.outbox.queued(), { timeout: 10_000 }).toBeLessThanOrEqual(200);
      c.destroy();
    });
  });

  it('10,000 connect/disconnect cycles leave no clients, pending slots or memory behind', async () => {
    await hostileCase(h, '10,000 connect/disconnect cycles', async () => {
      const baseClients = clientCount();
      const basePending = pending();
      const workers = h.spare.slice(0, 25);
      const per = 400;
      const t0 = Date.now();
      await Promise.all(workers.map(async (d) => {
        for (let i = 0; i < per; i++) {
          const c = await RawClient.open(port);
          c.send(connectPacket({ clientId: d.id, username: d.id, password: d.secret }));
          const ack = await c.next(PT.CONNACK, 10_000);
          expect(ack?.body[1]).toBe(0);
          c.send(disconnect());
          await c.waitClosed(10_000);
        }
      }));
      // eslint-disable-next-line no-console
      console.log(`10,000 cycles in ${Date.now() - t0} ms`);
      await expect.poll(clientCount, { timeout: 5000 }).toBe(baseClients);
      await expect.poll(pending, { timeout: 5000 }).toBe(basePending);
    });
  }, 180_000);
});
