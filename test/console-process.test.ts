/**
 * The console process (dispatcher/push/console-process.ts): the consoles' WebSockets are held by a
 * child process of the hub, which writes their frames. Real hub, real WebSocket consoles, real MQTT
 * devices; the process is killed for real.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../dispatcher/config.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { snapshotAlerts } from './helpers/console-client.ts';

let t: TestHub | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

const status = (h: TestHub) => h.hub.socket.consoleProcess();
const pidOf = (h: TestHub): number => {
  const s = status(h);
  if (s === 'off' || s.pid === null) throw new Error(`no console process: ${JSON.stringify(s)}`);
  return s.pid;
};
const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

describe('the console process', () => {
  it('holds the consoles: their calls, replies and pings go through it; the hub process holds none', async () => {
    t = await startTestHub();
    expect(status(t)).toMatchObject({ state: 'idle', pid: null }); // started by the first console, not before
    const c = await t.console('grid1');
    const pid = pidOf(t);
    expect(pid).not.toBe(process.pid);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('console-process-main.ts');
    expect(status(t)).toMatchObject({ state: 'running', consoles: 1 });
    const health = await t.api('GET', '/healthz');
    expect(health.body.consoleProcess).toMatchObject({ state: 'running', pid, consoles: 1 });

    const dev = await t.device('demo-0001');
    const { alertId } = await dev.send('press');
    expect((await c.change(alertId!)).deviceId).toBe('demo-0001');
    c.ws.send('{"type":"ping"}');
    expect((await c.waitFor((f) => f.type === 'pong')).serverTime).toEqual(expect.any(Number));
    c.ws.send('not json');
    expect((await c.waitFor((f) => f.type === 'error')).code).toBe('E_BAD_REQUEST');
    // Several consoles share the one process.
    const c2 = await t.console('grid1');
    expect(pidOf(t)).toBe(pid);
    const { alertId: second } = await (await t.device('demo-0002')).send('press');
    await Promise.all([c.change(second!), c2.change(second!)]);
  });

  it('killed, its consoles are closed, alarms are still acked, and the next console starts a new one and catches up', async () => {
    t = await startTestHub();
    const c = await t.console('grid1');
    const pid = pidOf(t);
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => c.closed, { timeout: 5000 }).toBe(true);
    await expect.poll(() => t!.hub.socket.connectedCount(), { timeout: 5000 }).toBe(0);
    expect(status(t)).toMatchObject({ state: 'idle', pid: null });

    const { alertId } = await (await t.device('demo-0003')).send('press'); // acked with no console process at all
    expect(alertId).toBeTruthy();
    const again = await t.console('grid1');
    const next = pidOf(t);
    expect(next).not.toBe(pid);
    expect(status(t)).toMatchObject({ state: 'running', restarts: 1 });
    expect(snapshotAlerts(again.frames).map((a) => a.id)).toContain(alertId);
    const { alertId: later } = await (await t.device('demo-0004')).send('press');
    await again.change(later!);
  });

  it('goes with the hub: stopping the hub ends it', async () => {
    t = await startTestHub();
    const c = await t.console('grid1');
    const pid = pidOf(t);
    await t.stop();
    t = null;
    await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
    await expect.poll(() => c.closed, { timeout: 5000 }).toBe(true);
  });

  it('a console over a bad handshake is refused by the process; the hub and the other consoles carry on', async () => {
    t = await startTestHub();
    const c = await t.console('grid1');
    const token = await t.login('grid1');
    // Authenticated, so handed over, but without a WebSocket key: the process answers 400 and closes it.
    const res = await fetch(`${t.httpUrl}/ws?token=${token}`, { headers: { connection: 'Upgrade', upgrade: 'websocket' } }).catch((e: Error) => e);
    expect(res instanceof Error ? 'closed' : res.status).not.toBe(101);
    expect(status(t)).toMatchObject({ state: 'running', consoles: 1 });
    const { alertId } = await (await t.device('demo-0005')).send('press');
    await c.change(alertId!);
  });

  it('ANXIN_CONSOLE_PROCESS=off keeps the consoles in the hub process', async () => {
    t = await startTestHub({ env: { ANXIN_CONSOLE_PROCESS: 'off' } });
    const c = await t.console('grid1');
    expect(status(t)).toBe('off');
    expect((await t.api('GET', '/healthz')).body.consoleProcess).toBe('off');
    const { alertId } = await (await t.device('demo-0001')).send('press');
    await c.change(alertId!);
  });

  it('a setting other than on or off is refused at start-up, with the reason', () => {
    expect(() => loadConfig({ ANXIN_CONSOLE_PROCESS: 'yes' })).toThrow(/ANXIN_CONSOLE_PROCESS="yes": must be on or off/);
  });
});
