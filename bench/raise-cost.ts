/**
 * `npx tsx bench/raise-cost.ts`: what a new call costs inside the hub, step by step. A hub in this
 * process, started as the tests start one (test/helpers/hub-harness.ts), so its methods can be
 * wrapped (demo community, 3,000 devices provisioned in 第一网格, one admin console open) takes
 * 1,500 presses from distinct devices, one at a time, twice; each store and service step the call
 * goes through is timed (µs: mean, p50, p99) around the real methods. The admin console is on duty
 * at the top only, so every call skips the levels below (the path benchmark 2 measures).
 */
import { startTestHub } from '../test/helpers/hub-harness.ts';
const t = await startTestHub({ env: { ANXIN_ESCALATE_AFTER_S: '3600' } });
const token = await t.login('admin');
const grid = (await t.api('GET', '/api/grid', token)).body.nodes.find((n: any) => n.name === '第一网格');
const r = await t.api('POST', '/api/devices/bulk', token, { prefix: 'b-', count: 3000, start: 1, width: 6, gridId: grid.id });
const ids: string[] = r.body.devices.map((d: any) => d.id);
const hub = t.hub as any;
const acc: Record<string, number[]> = {};
const wrap = (obj: any, name: string, label: string) => {
  const orig = obj[name].bind(obj);
  obj[name] = (...a: any[]) => { const s = performance.now(); try { return orig(...a); } finally { (acc[label] ??= []).push(performance.now() - s); } };
};
wrap(hub.alerts, 'raise', 'raise');
wrap(hub.store, 'txUnsynced', 'txUnsynced(total)');
wrap(hub.feed, 'seal', 'seal');
wrap(hub.feed, 'frameOf', 'frameOf(view)');
wrap(hub.duty, 'onDuty', 'duty.onDuty');
wrap(hub.store.alerts, 'insertDeviceEvent', 'insertDeviceEvent');
wrap(hub.store.alerts, 'appendEvent', 'appendEvent');
wrap(hub.store.alerts, 'insert', 'alerts.insert');
wrap(hub.store.alerts, 'get', 'alerts.get');
wrap(hub.store.alerts, 'save', 'alerts.save');
wrap(hub.store.alerts, 'openForDevice', 'openForDevice');
wrap(hub.feed, 'deliver', 'feed.deliver');
const cons = await t.console('admin');
let seq = 1;
for (let round = 0; round < 2; round++) {
  for (const k of Object.keys(acc)) acc[k] = [];
  const t0 = performance.now();
  for (let i = round * 1500; i < round * 1500 + 1500; i++) {
    await hub.ingest.commitEvent({ kind: 'device-event', deviceId: ids[i], seq: seq++, type: 'press', deviceTs: null, receivedAt: Date.now(), via: 'mqtt' });
    await new Promise((r) => setTimeout(r, 2));
  }
  console.log('round', round, 'wall', (performance.now() - t0).toFixed(0));
  for (const [k, v] of Object.entries(acc)) {
    v.sort((a, b) => a - b);
    const sum = v.reduce((a, b) => a + b, 0);
    console.log(k.padEnd(20), 'n', v.length, 'mean µs', (1000 * sum / v.length).toFixed(1), 'p50', (1000 * v[v.length >> 1]).toFixed(1), 'p99', (1000 * v[Math.floor(v.length * 0.99)]).toFixed(1));
  }
}
await t.stop();
process.exit(0);
