/**
 * The console on a duty phone, in headless Debian Chromium as a touch device: a ringing call
 * vibrates with each siren burst and stops when it is taken or muted; the screen is kept on by
 * default (a dark phone freezes the page and misses calls), the choice is kept across reloads,
 * and the lock is asked for again after the browser drops it. A desk computer starts with it off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { card, launchBrowser, loginAs, openPage, state } from './console-page.ts';

let t: TestHub;
let b: Awaited<ReturnType<typeof launchBrowser>>;
const errors: string[][] = [];

/** A phone-sized touch page that records every vibration pattern the console asks for. */
async function phone(): Promise<Page> {
  const ctx = await b.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, baseURL: t.httpUrl });
  const page = await ctx.newPage();
  const errs: string[] = [];
  errors.push(errs);
  page.on('pageerror', (e) => errs.push(String(e)));
  await page.addInitScript(() => {
    const w = window as unknown as { __vibes: unknown[] };
    w.__vibes = [];
    const own = navigator.vibrate?.bind(navigator) as ((p: VibratePattern) => boolean) | undefined;
    (navigator as { vibrate: (p: VibratePattern) => boolean }).vibrate = (p) => { w.__vibes.push(p); return own ? own(p) : true; };
  });
  return page;
}
const vibes = (p: Page) => p.evaluate(() => (window as unknown as { __vibes: unknown[] }).__vibes);
const awakeState = (p: Page) => p.getAttribute('#awake-toggle', 'data-state');

beforeAll(async () => {
  t = await startTestHub();
  b = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await b?.close();
  await t?.stop();
  for (const e of errors) expect(e).toEqual([]);
});

describe('the console on a duty phone', { timeout: 60_000 }, () => {
  it('vibrates while a call rings, and stops when it is taken or the sound is muted', async () => {
    const page = await phone();
    await loginAs(page, 'grid1'); // the login tap is the gesture that lets the page vibrate
    const dev = await t.device('demo-0006');
    const first = (await dev.send('press')).alertId!;
    await page.waitForSelector(card(first));
    await expect.poll(async () => (await state(page) as unknown as { buzzes: number }).buzzes, { timeout: 5000 }).toBeGreaterThanOrEqual(2); // again with each siren burst
    expect((await vibes(page)).filter((v) => Array.isArray(v))[0]).toEqual([500, 150, 500, 150, 500]);

    await page.locator(card(first)).locator('button[data-action="accept"]').click();
    await expect.poll(async () => (await state(page)).ringing).toBe(false);
    expect((await vibes(page)).at(-1)).toBe(0); // a buzz under way stops at once

    const second = (await (await t.device('demo-0007')).send('press')).alertId!;
    await page.waitForSelector(card(second));
    await expect.poll(async () => (await vibes(page)).at(-1)).toEqual([500, 150, 500, 150, 500]);
    await page.click('#sound-toggle'); // mute
    expect((await vibes(page)).at(-1)).toBe(0);
    const count = (await vibes(page)).length;
    await page.waitForTimeout(2500); // longer than the siren's period: no new buzz while muted
    expect((await vibes(page)).length).toBe(count);
    await page.context().close();
  });

  it('keeps the screen on by default, keeps the choice across a reload, and asks again after the browser drops the lock', async () => {
    const page = await phone();
    await loginAs(page, 'grid2');
    await expect.poll(() => awakeState(page)).toBe('on');
    expect((await state(page) as unknown as { awake: boolean }).awake).toBe(true);

    // The browser lets go (the page was hidden); showing the page again asks for the lock again.
    await page.evaluate(() => (window as any).__anxin.app.awake.lock.release());
    await expect.poll(() => awakeState(page)).toBe('refused');
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await expect.poll(() => awakeState(page)).toBe('on');

    await page.click('#awake-toggle');
    await expect.poll(() => awakeState(page)).toBe('off');
    await page.reload();
    await page.waitForSelector('#conn-state[data-state="live"]');
    expect(await awakeState(page)).toBe('off');
    await page.click('#awake-toggle');
    await expect.poll(() => awakeState(page)).toBe('on');
    await page.context().close();
  });

  it('a desk computer starts with the screen left to its own settings', async () => {
    const p = await openPage(b.browser, t.httpUrl);
    errors.push(p.errors);
    await loginAs(p.page, 'community');
    expect(await awakeState(p.page)).toBe('off');
    await p.ctx.close();
  });
});
