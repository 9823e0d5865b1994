/**
 * Issue 5: a real serial path. socat makes a pseudo-terminal pair; the hub opens one end as a
 * serial device through serialport, the simulated receiver writes into the other. Skipped
 * when socat is not installed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { SimReceiver } from '../simulator/receiver.ts';

const HAVE_SOCAT = existsSync('/usr/bin/socat');
let t: TestHub | null = null;
let r: SimReceiver | null = null;
let dir = '';
afterEach(async () => {
  await t?.stop();
  await r?.stop();
  t = r = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE_SOCAT)('RF buttons through a pty pair (socat)', () => {
  it('a held button makes one call on grid1; unplugging (ending the pair) raises receiver offline; it clears when back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-pty-'));
    const path = join(dir, 'ttyRF0');
    r = await SimReceiver.pty(path, { pulse: 0x3a });
    t = await startTestHub({ env: { ANXIN_SERIAL: `${path}?baud=9600&framing=fd-df&name=pty&retry_ms=100&retry_max_ms=500&grace_ms=500` } });
    const grid1 = await t.console('grid1');
    const admin = await t.console('admin');
    const token = await t.login('admin');
    for (let i = 0; i < 200; i++) {
      const st = (await t.api('GET', '/api/rf/receivers', token)).body.receivers[0];
      if (st.link === 'open') break;
      await new Promise((res) => setTimeout(res, 25));
    }
    const t0 = performance.now();
    const held = r.hold(0x10002, 1, 2000);
    const f = await grid1.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-02', 5000);
    console.log(`RF press over a pty → grid1 console: ${(performance.now() - t0).toFixed(1)} ms`);
    await held;
    await new Promise((res) => setTimeout(res, 300));
    const calls = (await t.api('GET', '/api/alerts?state=all', token)).body.alerts.filter((a: any) => a.deviceId === 'demo-rf-02');
    expect(calls).toHaveLength(1);
    expect(calls[0].presses).toBe(1);
    expect(f.alert.gridName).toBe('第一网格');

    const t1 = performance.now();
    await r.drop(); // the device node disappears, as when a USB receiver is unplugged
    const off = await admin.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'rx:pty' && x.alert.reason === 'receiver_offline', 10_000);
    console.log(`pty receiver offline alert ${(performance.now() - t1).toFixed(0)} ms after unplug`);
    await r.up();
    await admin.change(off.alert.id, (a) => a.state === 'resolved', 10_000);
    await new Promise((res) => setTimeout(res, 300));
    void r.press(0x10001);
    await grid1.waitFor((x) => x.type === 'change' && x.alert?.deviceId === 'demo-rf-01', 5000);
  }, 60_000);
});
