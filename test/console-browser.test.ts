/**
 * Issue 4: the live duty console, driven in headless Debian Chromium as a person would use it.
 * One browser, a few pages (each in its own context, so each has its own login), one hub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { Hub } from '../dispatcher/hub.ts';
import { SimDevice } from '../simulator/sim-device.ts';
import { CHROMIUM, CJK, card, freePort, launchBrowser, loginAs, openPage, state, visibleUiText } from './console-page.ts';

let t: TestHub;
let b: { browser: Browser; close(): Promise<void> };
let grid1: Page;
let community: Page;
let grid2: Page;
let restarted: Hub | null = null;
const errors: string[][] = [];
const devices: SimDevice[] = [];

async function press(id: string, hub: Hub = t.hub): Promise<string> {
  const d = new SimDevice({ url: `mqtt://127.0.0.1:${hub.ports.mqtt}`, id, secret: 'demo-secret', resendMs: 2000, reconnectMs: 0 });
  await d.connect();
  devices.push(d);
  const r = await d.send('press');
  expect(r.alertId).toBeTruthy();
  return r.alertId!;
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)').toBe(true);
  // A fixed port, so the pages can find the hub again after it restarts.
  t = await startTestHub({ env: { ANXIN_HTTP_PORT: String(await freePort()) } });
  b = await launchBrowser();
  const open = async (user: string) => {
    const p = await openPage(b.browser, t.httpUrl);
    errors.push(p.errors);
    await loginAs(p.page, user);
    return p.page;
  };
  grid1 = await open('grid1');
  community = await open('community');
  grid2 = await open('grid2');
}, 60_000);

afterAll(async () => {
  for (const d of devices) await d.close(false).catch(() => {});
  await b?.close();
  await restarted?.stop();
  await t?.stop();
  for (const e of errors) expect(e).toEqual([]);
});

describe('the live duty console in a real browser', () => {
  it('a press on demo-0002 shows on grid1 within 1 s with the address and the sound armed; accept tells the device; community sees it accepted', async () => {
    expect((await state(grid1)).armed).toBe(true);
    expect(await grid1.isHidden('#sound-banner')).toBe(true);

    const dev = new SimDevice({ url: t.mqttUrl, id: 'demo-0002', secret: 'demo-secret', resendMs: 2000, reconnectMs: 0 });
    await dev.connect();
    devices.push(dev);
    const r = await dev.send('press');
    const id = r.alertId!;
    await grid1.waitForSelector(card(id), { timeout: 5000 });
    const alert = (await t.api('GET', `/api/alerts/${id}`, await t.login('grid1'))).body.alert;
    const shownAt = await grid1.evaluate((x) => (window as any).__seenIds[x] as number, id);
    const latency = shownAt - alert.raisedAt;
    console.log(`press → on page: ${latency} ms (device round trip to ack ${r.rttMs} ms)`);
    expect(latency).toBeLessThan(1000);

    const c = grid1.locator(card(id));
    await expect.poll(() => c.textContent()).toContain(alert.household.address);
    expect(await c.textContent()).toContain(alert.household.residents[0].name);
    expect(await c.getAttribute('data-state')).toBe('raised');
    expect(await c.locator('a.tel').count()).toBeGreaterThanOrEqual(2);
    const s = await state(grid1);
    expect(s.armed).toBe(true);
    expect(s.ringing).toBe(true);
    await expect.poll(() => grid1.title()).toMatch(/新呼叫/);

    await community.waitForSelector(card(id), { timeout: 5000 });
    await c.locator('button[data-action="accept"]').click();
    await dev.waitForNotify('help_coming', id, 5000);
    await grid1.waitForSelector(`${card(id)}[data-state="accepted"]`, { timeout: 5000 });
    await community.waitForSelector(`${card(id)}[data-state="accepted"]`, { timeout: 5000 });
    expect(await community.locator(card(id)).textContent()).toContain('李娜');
    await expect.poll(async () => (await state(grid1)).ringing).toBe(false);
  });

  it('taking a call someone else already took shows who has it (409 with the holder)', async () => {
    const id = await press('demo-0003');
    await community.waitForSelector(card(id), { timeout: 5000 });
    await community.evaluate(() => (window as any).__anxin.killSocket(60_000)); // community's view goes stale
    const ack = await t.api('POST', `/api/alerts/${id}/ack`, await t.login('grid1'));
    expect(ack.status).toBe(200);
    await community.locator(`${card(id)} button[data-action="accept"]`).click();
    const err = community.locator(`${card(id)} .error`);
    await err.waitFor({ timeout: 5000 });
    expect(await err.textContent()).toContain('李娜');
    expect(await err.textContent()).toContain('已被他人接手');
    await community.click('#conn-banner button'); // "reconnect now"
    await community.waitForSelector(`${card(id)}[data-state="accepted"]`, { timeout: 10_000 });
  });

  it('a dropped WebSocket shows the banner; a call made meanwhile appears once after the reconnect', async () => {
    const before = await state(grid1);
    await grid1.evaluate(() => (window as any).__anxin.killSocket(2500));
    await grid1.waitForSelector('#conn-banner:not([hidden])', { timeout: 3000 });
    const id = await press('demo-0005');
    await grid1.waitForSelector(card(id), { timeout: 15_000 });
    await grid1.waitForSelector('#conn-banner', { state: 'hidden', timeout: 5000 });
    const after = await state(grid1);
    expect(after.connects).toBe(before.connects + 1);
    expect(after.lastSeq!).toBeGreaterThan(before.lastSeq!);
    const ids = await grid1.$$eval('article.card', (els) => els.map((e) => (e as HTMLElement).dataset.id));
    expect(ids.filter((x) => x === id)).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('recovers by itself after a hub restart, with the same session', async () => {
    const port = t.hub.ports.http;
    await t.hub.stop();
    await grid1.waitForSelector('#conn-banner:not([hidden])', { timeout: 5000 });
    restarted = await Hub.start({ ...t.config, httpPort: port, mqttPort: 0 }, { log: pino({ level: 'silent' }) });
    await grid1.waitForSelector('#conn-state[data-state="live"]', { timeout: 20_000 });
    expect(await grid1.isHidden('#conn-banner')).toBe(true);
    const id = await press('demo-0006', restarted);
    await grid1.waitForSelector(card(id), { timeout: 5000 });
    expect(await grid1.locator(card(id)).count()).toBe(1);
    await grid1.locator(`${card(id)} button[data-action="accept"]`).click();
    await grid1.waitForSelector(`${card(id)}[data-state="accepted"]`, { timeout: 5000 });
  });

  it('grid2 never showed any grid 1 call', async () => {
    const seen = await grid2.evaluate(() => Object.keys((window as any).__seenIds));
    const g1 = await grid1.evaluate(() => Object.keys((window as any).__seenIds));
    expect(g1.length).toBeGreaterThanOrEqual(3);
    for (const id of g1) expect(seen).not.toContain(id);
  });
});
