/** Issue 6: a small fleet run against a real hub ends with 0 losses; bulk provisioning; drill bookkeeping. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { Drill } from '../simulator/drill.ts';
import { DEFAULT_FLEET } from '../simulator/fleet.ts';
import { Tracker } from '../simulator/tracker.ts';
import { distribution } from '../simulator/stats.ts';
import { reportHtml, reportText } from '../simulator/report-format.ts';

let t: TestHub;
let admin: string;
beforeAll(async () => {
  t = await startTestHub();
  admin = await t.login('admin');
});
afterAll(async () => { await t.stop(); });

describe('bulk provisioning', () => {
  it('refuses non-admins, bad bodies, unknown grids and duplicates', async () => {
    const grid1 = await t.login('grid1');
    expect((await t.api('POST', '/api/devices/bulk', grid1, { prefix: 'x-', count: 2, gridId: 4 })).status).toBe(403);
    expect((await t.api('POST', '/api/devices/bulk', undefined, { prefix: 'x-', count: 2, gridId: 4 })).status).toBe(401);
    const both = await t.api('POST', '/api/devices/bulk', admin, { prefix: 'x-', count: 2, gridId: 4, householdIds: [1] });
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('E_VALIDATION');
    expect((await t.api('POST', '/api/devices/bulk', admin, { prefix: 'x-', count: 0, gridId: 4 })).status).toBe(400);
    expect((await t.api('POST', '/api/devices/bulk', admin, { prefix: 'bad/prefix', count: 1, gridId: 4 })).status).toBe(400);
    expect((await t.api('POST', '/api/devices/bulk', admin, { prefix: 'x-', count: 1, gridId: 9999 })).status).toBe(404);
    expect((await t.api('POST', '/api/devices/bulk', admin, { prefix: 'demo-', count: 1, householdIds: [1] })).status).toBe(409);
  });

  it('creates devices with secrets that the gateway accepts', async () => {
    const grid = (await t.api('GET', '/api/grid', admin)).body.nodes.find((n: any) => n.name === '第一网格');
    const r = await t.api('POST', '/api/devices/bulk', admin, { prefix: 'p-', count: 3, householdIds: [1, 2] });
    expect(r.status).toBe(201);
    expect(r.body.devices.map((d: any) => d.id)).toEqual(['p-0001', 'p-0002', 'p-0003']);
    expect(r.body.devices.map((d: any) => d.householdId)).toEqual([1, 2, 1]);
    const dev = await t.device('p-0002', r.body.devices[1].secret);
    expect((await dev.send('press')).alertId).toBeTruthy();
    await expect(t.device('p-0003', 'wrong-secret')).rejects.toThrow();
    expect(grid).toBeTruthy();
  });

  it('writes in chunks, and a device id taken meanwhile undoes the whole request: 409, nothing left behind', async () => {
    const store = (t.hub as any).store;
    const households = store.households.count();
    // 600 devices are three chunks. Between the first chunk and the second, another path creates the 400th id.
    const tx = store.tx;
    let chunks = 0;
    store.tx = function <T>(this: unknown, fn: () => T): T {
      const out = tx.call(store, fn) as T;
      if (++chunks === 1) store.devices.create({ id: 'chunk-0400', kind: 'mqtt-button', householdId: 1 }, null, Date.now());
      return out;
    };
    const r = await t.api('POST', '/api/devices/bulk', admin, { prefix: 'chunk-', count: 600, gridId: 4 }).finally(() => { store.tx = tx; });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('E_CONFLICT');
    expect(store.db.prepare("SELECT id FROM devices WHERE id LIKE 'chunk-%'").all()).toEqual([{ id: 'chunk-0400' }]);
    expect(store.households.count()).toBe(households);
    // Then the same request without the conflict goes through whole.
    const ok = await t.api('POST', '/api/devices/bulk', admin, { prefix: 'chunk2-', count: 600, gridId: 4 });
    expect(ok.status).toBe(201);
    expect(new Set(ok.body.devices.map((d: any) => d.householdId)).size).toBe(600);
  });
});

describe('fleet', () => {
  it('50 devices, 100 presses: every press acked and seen on a console', async () => {
    const grid = (await t.api('GET', '/api/grid', admin)).body.nodes.find((n: any) => n.name === '第二网格');
    const prov = await t.api('POST', '/api/devices/bulk', admin, { prefix: 'fleet-', count: 50, gridId: grid.id });
    expect(prov.status).toBe(201);
    const drill = new Drill({
      httpUrl: t.httpUrl, watch: { user: 'admin', password: 'demo-pass' }, responders: null,
      fleet: { ...DEFAULT_FLEET, url: t.mqttUrl, devices: prov.body.devices, heartbeatS: 5, resendMs: 2000 },
    });
    try {
      await drill.start();
      expect(drill.fleet.connectedCount()).toBe(50);
      const ids = [...drill.fleet.devices.keys()];
      const acks: Promise<string | null>[] = [];
      for (let i = 0; i < 100; i++) {
        acks.push(drill.fleet.send(ids[i % 50], 'press'));
        if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all(acks);
      expect(await drill.settle(20_000)).toBe(true);
      const rep = drill.report();
      expect(rep.counts.presses).toBe(100);
      expect(rep.counts.acked).toBe(100);
      expect(rep.losses).toMatchObject({ neverAcked: 0, neverOnConsole: 0 });
      // 50 calls (a second press repeats the open call) + the p-0002 call above + the "no duty staff online"
      // technical alert that call raised, as nobody was connected then (issue 7)
      expect(rep.counts.alertsSeen).toBe(52);
      expect(rep.latency.pressToAck.n).toBe(100);
      expect(rep.latency.pressToConsole.n).toBe(100);
      expect(reportText(rep)).toContain('events never acked: 0');
      expect(reportHtml(rep)).toContain('<svg');
    } finally {
      await drill.stop();
    }
  }, 40_000);
});

describe('drill bookkeeping (pure)', () => {
  it('counts a press as lost until acked, and as unseen until a console shows its alert after the press', () => {
    const tr = new Tracker(0);
    const a = tr.sent('d1', 'press', 100);
    const b = tr.sent('d2', 'press', 110);
    tr.sent('d3', 'test', 120);
    tr.console('A1', 90); // an older change of the same alert does not count
    tr.acked(a, 'A1', 105, 1);
    let r = tr.report({ devices: 3, connected: 3, reconnects: 0 }, 1000);
    expect(r.losses).toMatchObject({ neverAcked: 2, neverOnConsole: 1 });
    tr.console('A1', 107);
    tr.acked(b, 'A2', 130, 2);
    tr.console('A2', 125); // the console may be faster than the ack
    tr.notify('A1', 'help_coming', 3100);
    r = tr.report({ devices: 3, connected: 3, reconnects: 0 }, 1000);
    expect(r.losses).toMatchObject({ neverAcked: 1, neverOnConsole: 0 });
    expect(r.latency.pressToConsole.max).toBe(15);
    expect(r.latency.pressToHelpComing.p50).toBe(3000);
    expect(r.counts.resends).toBe(1);
  });

  it('percentiles and bins', () => {
    const d = distribution(Array.from({ length: 100 }, (_, i) => i + 1));
    expect([d.p50, d.p90, d.p99, d.max]).toEqual([50, 90, 99, 100]);
    expect(d.bins.reduce((s, b) => s + b.count, 0)).toBe(100);
    expect(distribution([]).n).toBe(0);
  });
});
