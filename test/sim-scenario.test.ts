/** Issue 6: scenarios. A hub restart in the middle loses nothing; a failing expectation fails the CLI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { parseScenario, ScenarioError } from '../simulator/scenario-schema.ts';
import { runScenario } from '../simulator/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'anxin-scn-'));

function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', ...args], { cwd: process.cwd() });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('scenario files', () => {
  it('reads YAML and JSON and rejects bad files with a clear message', () => {
    const y = parseScenario('name: x\ndurationS: 5\ntimeline:\n  - at: 1\n    press: demo-0001\n    expect: { ackedWithinS: 2 }\n');
    expect(y.hub).toEqual({ spawn: true });
    expect(y.timeline[0].press).toBe('demo-0001');
    expect(parseScenario('{"name":"j","durationS":1}').expect.maxNeverAcked).toBe(0);
    expect(() => parseScenario('name: x')).toThrow(/durationS/);
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1}]')).toThrow(/needs an action/);
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, press: demo-0001, restartHub: true}]')).toThrow(/one action per step/);
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, dropLinks: {percent: 30, forS: 5}, expect: {acceptedWithinS: 3}}]')).toThrow(/single press/);
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, dropConsoles: {forS: 5}, reconnectStorm: {withinS: 5}}]')).toThrow(/one action per step/);
    expect(parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, dropConsoles: {forS: 5}, expect: {consolesLiveWithinS: 10}}]').timeline[0].dropConsoles).toEqual({ forS: 5 });
    expect(() => parseScenario('name: x\ndurationS: 5\nbogus: 1')).toThrow(ScenarioError);
    expect(() => parseScenario('{not json')).toThrow(/not valid JSON or YAML/);
    expect(parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, battery: {device: demo-0001, percent: 12}, expect: {lowBatteryOnConsoleWithinS: 10}}]').timeline[0].battery)
      .toEqual({ device: 'demo-0001', percent: 12 });
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, press: demo-0001, expect: {lowBatteryOnConsoleWithinS: 10}}]')).toThrow(/only follow a battery step/);
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, battery: {device: demo-0001, percent: 101}}]')).toThrow(/battery/);
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, press: demo-0001, expect: {batteryClearedOnConsoleWithinS: 10}}]')).toThrow(/batteryClearedOnConsoleWithinS can only follow a battery step/);
    expect(() => parseScenario('name: x\ndurationS: 5\ntimeline: [{at: 1, battery: {device: demo-0001, percent: 50}, expect: {lowBatteryOnConsoleWithinS: 5, batteryClearedOnConsoleWithinS: 5}}]')).toThrow(/not both/);
  });
});

describe('a hub restart in the middle of a drill', () => {
  it('ends with 0 losses: devices re-send, consoles resume', async () => {
    const sc = parseScenario(JSON.stringify({
      name: 'restart', durationS: 8, settleS: 25,
      fleet: { heartbeatS: 5, pressPerMin: 240, resendS: 2 },
      responders: { acceptAfterS: 0.5, arriveAfterS: 0.5, resolveAfterS: 0.5 },
      timeline: [
        { at: 1, press: 'demo-0004', expect: { ackedWithinS: 5, acceptedWithinS: 20 } },
        { at: 3, restartHub: { downS: 1 }, expect: { allConnectedWithinS: 25 } },
        { at: 4, pressMany: { count: 10, overS: 2 } },
      ],
    }));
    const out = await runScenario(sc);
    const failed = out.checks.filter((c) => !c.ok);
    expect(failed).toEqual([]);
    expect(out.log.join('\n')).toMatch(/hub back as pid/);
    expect(out.report.counts.presses).toBeGreaterThanOrEqual(15);
    expect(out.report.losses).toMatchObject({ neverAcked: 0, neverOnConsole: 0 });
    expect(out.report.counts.reconnects).toBeGreaterThanOrEqual(20);
  }, 90_000);
});

describe('consoles dropped in the middle of a drill', () => {
  it('come back and miss nothing pressed while they were away', async () => {
    const sc = parseScenario(JSON.stringify({
      name: 'console drop', durationS: 6, settleS: 20,
      fleet: { heartbeatS: 5, pressPerMin: 120, resendS: 2 },
      responders: { acceptAfterS: 0.5, arriveAfterS: 0.5, resolveAfterS: 0.5 },
      timeline: [
        { at: 1, dropConsoles: { forS: 2 }, expect: { consolesLiveWithinS: 15 } },
        { at: 1.3, pressMany: { count: 10, overS: 1 } },
      ],
    }));
    const out = await runScenario(sc);
    expect(out.checks.filter((c) => !c.ok)).toEqual([]);
    expect(out.log.join('\n')).toMatch(/dropped 5 console sockets for 2 s/); // the watcher and four responders
    expect(out.checks.map((c) => c.label)).toContain('at 1 s all 5 consoles live within 15 s');
    expect(out.report.losses).toMatchObject({ neverAcked: 0, neverOnConsole: 0 });
    expect(out.report.counts.presses).toBeGreaterThanOrEqual(10);
  }, 60_000);
});

describe('the scenario CLI', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub(); });
  afterAll(async () => { await t.stop(); });

  it('exits 1 when an expectation fails, 0 when all hold, 2 on a bad file; fleet runs and reports', async () => {
    const failing = join(dir, 'fail.yaml');
    writeFileSync(failing, 'name: nobody answers\ndurationS: 2\nsettleS: 5\ntimeline:\n  - at: 0.5\n    press: demo-0002\n    expect: { ackedWithinS: 5, acceptedWithinS: 1 }\n');
    const page = join(dir, 'fail.html');
    const bad = await runCli(['scenario', failing, '--url', t.mqttUrl, '--http', t.httpUrl, '--quiet', '--html', page]);
    expect(bad.err).toMatch(/FAIL .*accepted within 1 s/);
    expect(bad.out).toMatch(/1 expectation\(s\) FAILED/);
    expect(bad.code).toBe(1);
    // The page says which expectation failed, first, and which held.
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<title>Scenario: nobody answers</title>');
    expect(html).toMatch(/<h2 class="bad">1 of \d+ expectations failed<\/h2><table><tr><td class="bad">FAIL<\/td><th>at 0.5 s demo-0002 accepted within 1 s<\/th>/);
    expect(html).toMatch(/<td class="good">PASS<\/td><th>at 0.5 s demo-0002 acked within 5 s<\/th>/);

    const passing = join(dir, 'pass.json');
    writeFileSync(passing, JSON.stringify({ name: 'ok', durationS: 1, settleS: 5, timeline: [{ at: 0.2, press: 'demo-0012', expect: { ackedWithinS: 5, onConsoleWithinS: 5 } }] }));
    const good = await runCli(['scenario', passing, '--url', t.mqttUrl, '--http', t.httpUrl, '--json']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out).ok).toBe(true);

    const fleet = await runCli(['fleet', '--devices', '5', '--duration', '2', '--press-rate', '300', '--settle', '10', '--url', t.mqttUrl, '--http', t.httpUrl, '--json']);
    expect(fleet.code).toBe(0);
    const rep = JSON.parse(fleet.out);
    expect(rep.counts.devices).toBe(5);
    expect(rep.losses).toMatchObject({ neverAcked: 0, neverOnConsole: 0 });
    expect((await runCli(['fleet', '--press-rate', 'lots'])).code).toBe(2);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: x\ntimeline: 3\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', 'scenario', broken], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/durationS/);
  }, 50_000);

  it('a battery step: the device reports it in a heartbeat at once, and a low one reaches the watching console within seconds', async () => {
    const sc = parseScenario(JSON.stringify({
      name: 'flat battery', durationS: 1, settleS: 5, hub: { mqtt: t.mqttUrl, http: t.httpUrl },
      timeline: [
        { at: 0.2, label: 'fine', battery: { device: 'demo-0007', percent: 80 } },
        { at: 0.3, label: 'flat', battery: { device: 'demo-0006', percent: 12 }, expect: { lowBatteryOnConsoleWithinS: 10 } },
        { at: 0.4, label: 'unknown', battery: { device: 'nobody', percent: 5 } },
      ],
    }));
    const out = await runScenario(sc);
    expect(out.checks.filter((c) => !c.ok).map((c) => c.label)).toEqual(['unknown nobody']);
    expect(out.checks.find((c) => c.label === 'flat demo-0006 low battery on a console within 10 s')?.ok).toBe(true);
    expect(out.log.join('\n')).toMatch(/demo-0006 reports its battery at 12 %/);
    expect(t.hub.store.alerts.openForDevice('demo-0006', 'technical', 'low_battery')?.detail).toBe('battery 12%');
    expect(t.hub.store.alerts.openForDevice('demo-0007', 'technical', 'low_battery')).toBeUndefined();
    expect(t.hub.store.devices.get('demo-0007')?.battery).toBe(80);

    // New batteries: the open alert is cleared on the watching console; a button never low says so.
    const fitted = await runScenario(parseScenario(JSON.stringify({
      name: 'new batteries', durationS: 1, settleS: 5, hub: { mqtt: t.mqttUrl, http: t.httpUrl },
      timeline: [
        { at: 0.2, label: 'fitted', battery: { device: 'demo-0006', percent: 100 }, expect: { batteryClearedOnConsoleWithinS: 10 } },
        { at: 0.2, label: 'never low', battery: { device: 'demo-0007', percent: 100 }, expect: { batteryClearedOnConsoleWithinS: 1 } },
      ],
    })));
    expect(fitted.checks.filter((c) => !c.ok)).toEqual([]);
    expect(fitted.checks.find((c) => c.label === 'fitted demo-0006 low battery cleared on a console within 10 s')?.detail).toMatch(/^after \d/);
    expect(fitted.checks.find((c) => c.label === 'never low demo-0007 low battery cleared on a console within 1 s')?.detail).toBe('none was open');
    expect(t.hub.store.alerts.openForDevice('demo-0006', 'technical', 'low_battery')).toBeUndefined();
  }, 60_000);

  it('says which address failed and why: a hub not running, a wrong password, an unknown grid', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => { const { port } = srv.address() as AddressInfo; srv.close(() => resolve(port)); });
    });
    const down = await runCli(['fleet', '--devices', '1', '--duration', '1', '--url', t.mqttUrl, '--http', `http://127.0.0.1:${closed}`]);
    expect(down.code).toBe(1);
    expect(down.err).toContain(`could not reach the hub's HTTP API at http://127.0.0.1:${closed}: ECONNREFUSED`);
    expect(down.err).toContain('--http URL');
    const wrong = await runCli(['responders', '--users', 'admin', '--password', 'wrong', '--http', t.httpUrl]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`POST ${t.httpUrl}/api/session: wrong username or password (HTTP 401 E_AUTH)`);
    const grid = await runCli(['provision', '--count', '2', '--grid', '99999', '--http', t.httpUrl, '--out', join(dir, 'none.json')]);
    expect(grid.code).toBe(1);
    expect(grid.err).toMatch(/api\/devices\/bulk: .*99999.*\(HTTP 404 E_NOT_FOUND\)/);
  }, 30_000);
});
