/**
 * Runs a scenario: starts (or reaches) a hub, a fleet, a watching console and responders,
 * plays the timeline in real time, checks each expectation, then waits for the drill to
 * settle and checks the end expectations. The outcome says which expectations failed.
 */
import { Drill } from './drill.ts';
import { DEFAULT_FLEET, demoDevices, type DeviceCred } from './fleet.ts';
import { DEFAULT_RESPONDERS } from './responders.ts';
import { HubProcess } from './hub-process.ts';
import { httpJson } from './staff-client.ts';
import type { Scenario, Step } from './scenario-schema.ts';
import type { Report } from './tracker.ts';
import { expectBattery, expectOffline, type CheckFn } from './scenario-health.ts';
import { sleep, until } from './poll.ts';

export interface Check { label: string; ok: boolean; detail: string }
export interface ScenarioOutcome { name: string; ok: boolean; checks: Check[]; report: Report; log: string[] }
export interface RunOptions { mqttUrl?: string; httpUrl?: string; progress?: (line: string) => void; say?: (line: string) => void }


async function provision(httpUrl: string, p: { prefix: string; count: number; gridId: number }): Promise<DeviceCred[]> {
  const { token } = await httpJson(httpUrl, 'POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' });
  const existing = await httpJson(httpUrl, 'GET', '/api/devices', token);
  if (existing.devices.some((d: { id: string }) => d.id.startsWith(p.prefix))) throw new Error(`devices with prefix ${p.prefix} exist already: use a fresh prefix or a fresh hub`);
  const r = await httpJson(httpUrl, 'POST', '/api/devices/bulk', token, { prefix: p.prefix, count: p.count, gridId: p.gridId });
  return r.devices.map((d: { id: string; secret: string }) => ({ id: d.id, secret: d.secret }));
}

export async function runScenario(sc: Scenario, opts: RunOptions = {}): Promise<ScenarioOutcome> {
  const log: string[] = [];
  const say = (s: string) => { log.push(s); opts.say?.(s); };
  const checks: Check[] = [];
  const pending: Promise<void>[] = [];
  const check = (label: string, ok: boolean, detail: string) => { checks.push({ label, ok, detail }); say(`${ok ? 'PASS' : 'FAIL'} ${label}: ${detail}`); };

  const external = opts.mqttUrl && opts.httpUrl ? { mqtt: opts.mqttUrl, http: opts.httpUrl } : 'mqtt' in sc.hub ? sc.hub : null;
  if (external && sc.timeline.some((s) => s.restartHub)) throw new Error('restartHub needs a hub that the scenario runner starts itself (hub: {spawn: true}, no --mqtt/--http)');
  const hub = external ? null : await HubProcess.start({ env: 'env' in sc.hub ? sc.hub.env : undefined });
  const mqttUrl = external?.mqtt ?? hub!.mqttUrl;
  const httpUrl = external?.http ?? hub!.httpUrl;
  if (hub) say(`hub started as pid ${hub.pid}: ${mqttUrl}, ${httpUrl}, db ${hub.dbPath}`);

  let drill: Drill | null = null;
  try {
    const devices = sc.devices === 'demo' ? demoDevices() : 'demo' in sc.devices ? demoDevices(sc.devices.demo) : await provision(httpUrl, sc.devices.provision);
    const f = sc.fleet;
    const r = sc.responders;
    drill = new Drill({
      httpUrl,
      fleet: {
        ...DEFAULT_FLEET, url: mqttUrl, devices,
        heartbeatS: f.heartbeatS ?? DEFAULT_FLEET.heartbeatS, pressPerMin: f.pressPerMin ?? 0, cancelPerMin: f.cancelPerMin ?? 0,
        testPerMin: f.testPerMin ?? 0, maxPresses: f.maxPresses ?? 0, resendMs: (f.resendS ?? 3) * 1000,
        connectParallel: f.connectParallel ?? DEFAULT_FLEET.connectParallel,
      },
      watch: sc.watch === false ? null : sc.watch,
      responders: r === false ? null : {
        httpUrl, users: r.users ?? DEFAULT_RESPONDERS.users, password: r.password ?? DEFAULT_RESPONDERS.password,
        acceptAfterMs: (r.acceptAfterS ?? 2) * 1000, arriveAfterMs: (r.arriveAfterS ?? 5) * 1000, resolveAfterMs: (r.resolveAfterS ?? 3) * 1000,
        jitter: r.jitter ?? DEFAULT_RESPONDERS.jitter,
      },
      progress: opts.progress,
    });
    await drill.start();
    say(`${drill.fleet.connectedCount()}/${devices.length} devices connected; timeline starts`);
    drill.fleet.startActivity();
    const start = performance.now();
    const steps = [...sc.timeline].sort((a, b) => a.at - b.at);
    for (const step of steps) {
      const wait = start + step.at * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      const p = runStep(step, drill, hub, say, check);
      pending.push(p);
      if (step.restartHub) await p; // later steps happen after the hub is back
    }
    const left = start + sc.durationS * 1000 - performance.now();
    if (left > 0) await sleep(left);
    drill.fleet.stopActivity();
    say(`activity stopped at ${((performance.now() - start) / 1000).toFixed(1)} s; settling (up to ${sc.settleS} s)`);
    await Promise.all(pending);
    await drill.settle(sc.settleS * 1000);
    const report = drill.report();
    endChecks(sc, report, check);
    return { name: sc.name, ok: checks.every((c) => c.ok), checks, report, log };
  } finally {
    await drill?.stop();
    await hub?.stop();
  }
}

function stepLabel(s: Step): string {
  return s.label ?? `at ${s.at} s`;
}

async function runStep(step: Step, drill: Drill, hub: HubProcess | null, say: (s: string) => void, check: CheckFn): Promise<void> {
  const label = stepLabel(step);
  const e = step.expect ?? {};
  const fleet = drill.fleet;
  const t0 = performance.now();
  let offline: Promise<void> = Promise.resolve();
  if (step.press) {
    const type = step.type ?? 'press';
    say(`${label}: ${step.press} sends ${type}`);
    if (!fleet.devices.has(step.press)) return check(`${label} ${step.press}`, false, 'no such device in the fleet');
    let alertId: string | null | undefined;
    void fleet.send(step.press, type).then((id) => { alertId = id; });
    const wait = async (what: string, withinS: number | undefined, cond: () => boolean) => {
      if (withinS === undefined) return;
      const took = await until(cond, withinS * 1000 - (performance.now() - t0));
      const total = (performance.now() - t0) / 1000;
      check(`${label} ${step.press} ${what} within ${withinS} s`, took !== null, took !== null ? `after ${total.toFixed(2)} s` : `not after ${total.toFixed(1)} s`);
    };
    await Promise.all([
      wait('acked', e.ackedWithinS, () => alertId !== undefined),
      wait('on a console', e.onConsoleWithinS, () => !!alertId && drill.tracker.consoleAfter(alertId, t0) !== undefined),
      wait('accepted', e.acceptedWithinS, () => !!alertId && ['accepted', 'on_site', 'resolved'].includes(String(drill.states.get(alertId)?.state))),
      wait('help_coming heard', e.helpComingWithinS, () => !!alertId && drill.tracker.helpComingAt(alertId) !== undefined),
    ]);
  } else if (step.pressMany) {
    const { count, overS, type = 'press' } = step.pressMany;
    say(`${label}: ${count} × ${type} over ${overS} s`);
    const ids = [...fleet.devices.keys()];
    for (let i = 0; i < count; i++) {
      setTimeout(() => void fleet.send(ids[Math.floor(Math.random() * ids.length)], type), (overS * 1000 * i) / count);
    }
  } else if (step.dropLinks) {
    const hit = fleet.dropLinks(step.dropLinks.percent / 100, step.dropLinks.forS * 1000);
    say(`${label}: dropped ${hit.length} device links for ${step.dropLinks.forS} s`);
    offline = expectOffline(drill, label, hit, step.dropLinks.forS, e, t0, check); // beside allConnectedWithinS, below
  } else if (step.restartHub) {
    if (!hub) return check(`${label} restart`, false, 'no hub process to restart');
    const o = step.restartHub === true ? {} : step.restartHub;
    say(`${label}: ${o.crash ? 'killing' : 'stopping'} the hub${o.downS ? ` for ${o.downS} s` : ''}`);
    await hub.restart((o.downS ?? 0) * 1000, o.crash ?? false);
    say(`${label}: hub back as pid ${hub.pid} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else if (step.reconnectStorm) {
    fleet.reconnectStorm(step.reconnectStorm.withinS * 1000);
    say(`${label}: reconnect storm, ${fleet.devices.size} devices back within ${step.reconnectStorm.withinS} s`);
  } else if (step.battery) {
    const { device, percent } = step.battery;
    const dev = fleet.devices.get(device);
    if (!dev) return check(`${label} ${device}`, false, 'no such device in the fleet');
    dev.opts.battery = percent; // and in every heartbeat after this one
    dev.heartbeat();
    say(`${label}: ${device} reports its battery at ${percent} %`);
    await expectBattery(drill, label, device, e, t0, check);
  } else if (step.dropConsoles) {
    const consoles = drill.consoles();
    for (const c of consoles) c.drop(step.dropConsoles.forS * 1000);
    say(`${label}: dropped ${consoles.length} console sockets for ${step.dropConsoles.forS} s`);
  }
  if (e.consolesLiveWithinS !== undefined) {
    const consoles = drill.consoles();
    await sleep(200); // let the drops register
    const took = await until(() => consoles.every((c) => c.connected), e.consolesLiveWithinS * 1000 - (performance.now() - t0));
    const total = (performance.now() - t0) / 1000;
    check(`${label} all ${consoles.length} consoles live within ${e.consolesLiveWithinS} s`, took !== null,
      took !== null ? `after ${total.toFixed(2)} s` : `${consoles.filter((c) => c.connected).length} live after ${total.toFixed(1)} s`);
  }
  if (e.allConnectedWithinS !== undefined) {
    await sleep(200); // let the drops register before counting
    const took = await until(() => fleet.connectedCount() === fleet.devices.size, e.allConnectedWithinS * 1000 - (performance.now() - t0));
    const total = (performance.now() - t0) / 1000;
    check(`${label} all ${fleet.devices.size} devices connected within ${e.allConnectedWithinS} s`, took !== null,
      took !== null ? `after ${total.toFixed(2)} s` : `${fleet.connectedCount()} connected after ${total.toFixed(1)} s`);
  }
  await offline;
}

function endChecks(sc: Scenario, r: Report, check: CheckFn): void {
  const x = sc.expect;
  check('events never acked', r.losses.neverAcked <= x.maxNeverAcked, `${r.losses.neverAcked} (allowed ${x.maxNeverAcked})`);
  if (sc.watch !== false) check('acked calls never seen on a console', r.losses.neverOnConsole <= x.maxNeverOnConsole, `${r.losses.neverOnConsole} (allowed ${x.maxNeverOnConsole})`);
  const p99 = (label: string, d: { n: number; p99: number }, limit: number | undefined) => {
    if (limit !== undefined) check(`${label} p99 ≤ ${limit} ms`, d.n > 0 && d.p99 <= limit, d.n ? `${d.p99.toFixed(1)} ms over ${d.n}` : 'no samples');
  };
  p99('press → ack', r.latency.pressToAck, x.pressToAckP99Ms);
  p99('press → console', r.latency.pressToConsole, x.pressToConsoleP99Ms);
  p99('press → help_coming', r.latency.pressToHelpComing, x.pressToHelpComingP99Ms);
  if (x.minPresses !== undefined) check(`at least ${x.minPresses} presses`, r.counts.presses >= x.minPresses, `${r.counts.presses}`);
}
