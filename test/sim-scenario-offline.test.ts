/**
 * Issue 6: a scenario's link drop as the duty console sees it. The buttons cut off are shown offline once
 * the hub's rule says so (2 x their heartbeat interval + the grace, then the next health sweep), and cleared
 * once they are back; the expectations say how many were shown and when. A real hub on port 0, a real
 * fleet and watching console; the heartbeat interval is shortened in the store so the drill takes seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { parseScenario } from '../simulator/scenario-schema.ts';
import { runScenario } from '../simulator/scenario.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ env: { ANXIN_HEARTBEAT_GRACE_S: '0' } });
  t.hub.store.db.prepare("UPDATE devices SET heartbeat_s = 2 WHERE id LIKE 'demo-%'").run(); // offline after 4 s of silence
});
afterAll(async () => { await t.stop(); });

describe('offline expectations after a link drop', () => {
  it('are refused after any other step', () => {
    for (const k of ['offlineOnConsoleWithinS', 'offlineClearedWithinS']) {
      expect(() => parseScenario(`name: x\ndurationS: 5\ntimeline: [{at: 1, press: demo-0001, expect: {${k}: 10}}]`)).toThrow(new RegExp(`${k} can only follow a dropLinks step`));
    }
  });

  it('the buttons cut off are shown offline on the watching console, then cleared once their links are back', async () => {
    const out = await runScenario(parseScenario(JSON.stringify({
      name: 'building power cut', durationS: 17, settleS: 5, hub: { mqtt: t.mqttUrl, http: t.httpUrl },
      fleet: { heartbeatS: 1, pressPerMin: 0 },
      timeline: [{ at: 1, label: 'power cut', dropLinks: { percent: 25, forS: 15 }, expect: { offlineOnConsoleWithinS: 14.5, offlineClearedWithinS: 12, allConnectedWithinS: 30 } }],
    })));
    expect(out.checks.filter((c) => !c.ok)).toEqual([]);
    const shown = out.checks.find((c) => c.label === 'power cut 5 devices cut off offline on a console within 14.5 s');
    const cleared = out.checks.find((c) => c.label === 'power cut 5 devices cut off cleared on a console within 12 s of their links coming back');
    expect(shown?.detail).toMatch(/^after \d/); // due 4 s after the last heartbeat, then the next sweep (every 5 s)
    expect(cleared?.detail).toMatch(/^after \d/);
    // In the store as on the console: five offline alerts raised, all cleared, none open.
    const offline = t.hub.store.db.prepare("SELECT state, outcome FROM alerts WHERE kind = 'technical' AND reason = 'offline'").all();
    expect(offline).toHaveLength(5);
    expect(offline.every((a) => (a as { state: string }).state === 'resolved')).toBe(true);
  }, 60_000);

  it('fail, saying why, when the drop cut no device off', async () => {
    const out = await runScenario(parseScenario(JSON.stringify({
      name: 'nothing cut', durationS: 0.5, settleS: 1, hub: { mqtt: t.mqttUrl, http: t.httpUrl }, devices: { demo: 2 },
      fleet: { heartbeatS: 1, pressPerMin: 0 },
      timeline: [{ at: 0.1, label: 'tiny drop', dropLinks: { percent: 10, forS: 1 }, expect: { offlineOnConsoleWithinS: 1 } }],
    })));
    expect(out.ok).toBe(false);
    expect(out.checks.filter((c) => !c.ok)).toEqual([{ label: 'tiny drop devices offline on a console', ok: false, detail: 'no device was cut off (the percent is too small for the fleet)' }]);
  }, 30_000);
});
