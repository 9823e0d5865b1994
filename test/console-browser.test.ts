/**
 * Issue 4: the live duty console, driven in headless Debian Chromium as a person would use it.
 * One browser, a few pages (each in its own context, so each has its own login), one hub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { Hub } from '../dispatcher/hub.ts';
import { SimDevice } from '../simulator/sim-device.ts';
import { CHROMIUM, CJK, card, freePort, launchBrowser, loginAs, openPage, state, visibleUiText, openLoggedIn } from './console-page.ts';

let t: TestHub;
let b: { browser: Browser; close(): Promise<void> };
let grid1: Page;
let community: Page;
let grid2: Page;
let restarted: Hub | null = null;
const hub = () => restarted ?? t.hub;
const errors: string[][] = [];
const devices: SimDevice[] = [];

async function device(id: string): Promise<SimDevice> {
  const d = new SimDevice({ url: `mqtt://127.0.0.1:${hub().ports.mqtt}`, id, secret: 'demo-secret', resendMs: 2000, reconnectMs: 0 });
  await d.connect();
  devices.push(d);
  return d;
}

async function press(id: string): Promise<string> {
  const r = await (await device(id)).send('press');
  expect(r.alertId).toBeTruthy();
  return r.alertId!;
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)').toBe(true);
  // A fixed port, so the pages can find the hub again after it restarts.
  t = await startTestHub({ env: { ANXIN_HTTP_PORT: String(await freePort()) } });
  b = await launchBrowser();
  const open = (user: string) => openLoggedIn(b.browser, t.httpUrl, user, errors);
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

// Generous per-test limits: the machine is shared, and a loaded one runs Chromium slowly.
describe('the live duty console in a real browser', { timeout: 60_000 }, () => {
  it('a press on demo-0002 shows on grid1 within 1 s with the address and the sound armed; accept tells the device; community sees it accepted', async () => {
    expect((await state(grid1)).armed).toBe(true);
    expect(await grid1.isHidden('#sound-banner')).toBe(true);

    const dev = await device('demo-0002');
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

    // The card's record: raised, whom it told, who accepted; it stays open while the card is redrawn; its CSV has every entry.
    await c.locator('details.timeline summary').click();
    await expect.poll(() => c.locator('.tl-entry').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.type))).toEqual(expect.arrayContaining(['raised', 'notified', 'accepted']));
    expect(await c.locator('.tl-entry[data-type="accepted"]').textContent()).toContain('李娜');
    const [file] = await Promise.all([grid1.waitForEvent('download'), c.locator('button.tl-csv').click()]);
    expect(file.suggestedFilename()).toBe(`alert-${id}.csv`);
    const rows = readFileSync((await file.path())!, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('at_iso,at_ms,event,staff,data');
    expect(rows.some((l) => l.split(',')[2] === 'accepted' && l.includes('李娜'))).toBe(true);

    // A note on the way: the community leader's card shows it at once, with who wrote it; blank is refused here.
    await c.locator('button[data-action="note"]').click();
    await c.locator('button[data-action="saveNote"]').click();
    expect(await c.locator('.error').textContent()).toContain('请填写备注');
    await c.locator('.note-form textarea').fill('儿子已联系上，十分钟后到');
    await c.locator('button[data-action="saveNote"]').click();
    await community.waitForSelector(`${card(id)} .row.memo:has-text("儿子已联系上")`, { timeout: 5000 });
    expect(await community.locator(`${card(id)} .row.memo`).textContent()).toContain('李娜');
    await grid1.waitForSelector(`${card(id)} button[data-action="arrive"]`);
    expect(await c.getAttribute('data-state')).toBe('accepted');

    // On site, then resolve with an outcome and a note: the card leaves the queue everywhere.
    await c.locator('button[data-action="arrive"]').click();
    await dev.waitForNotify('on_site', id, 5000);
    await grid1.waitForSelector(`${card(id)}[data-state="on_site"]`);
    expect(await c.locator('details.timeline').getAttribute('open')).not.toBeNull(); // redrawn, still open
    await expect.poll(() => c.locator('.tl-entry[data-type="on_site"]').count()).toBe(1);
    await c.locator('button[data-action="resolve"]').click();
    await c.locator('button[data-action="save"]').click();
    expect(await c.locator('.error').textContent()).toContain('请选择处理结果');
    await c.locator('label.choice', { hasText: '已协助' }).click();
    await c.locator('textarea.note').fill('血压偏高，已联系家属');
    await c.locator('button[data-action="save"]').click();
    await dev.waitForNotify('resolved', id, 5000);
    await grid1.waitForSelector(card(id), { state: 'detached', timeout: 5000 });
    await community.waitForSelector(card(id), { state: 'detached', timeout: 5000 });
    const done = (await t.api('GET', `/api/alerts/${id}`, await t.login('grid1'))).body.alert;
    expect([done.state, done.outcome, done.note]).toEqual(['resolved', 'assisted', '血压偏高，已联系家属']);
    expect(await grid1.locator(`.recent-item[data-id="${id}"]`).count()).toBe(1);
    // The closed call's record is still one tap away, now with its end; a failed download says so.
    await grid1.click('details.recent summary');
    const [closed] = await Promise.all([grid1.waitForEvent('download'), grid1.click(`.recent-item[data-id="${id}"] button.tl-csv`)]);
    const record = readFileSync((await closed.path())!, 'utf8');
    expect(record).toMatch(/,resolved,/);
    await grid1.route('**/timeline', (r) => r.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"E_UNAVAILABLE","message":"storage is failing"}}' }));
    await grid1.click(`.recent-item[data-id="${id}"] button.tl-csv`);
    await grid1.waitForSelector(`.recent-item[data-id="${id}"] .error`, { timeout: 5000 });
    expect(await grid1.textContent(`.recent-item[data-id="${id}"] .error`)).toContain('storage is failing');
    await grid1.unroute('**/timeline');
    await grid1.click('details.recent summary');
  });

  it('a resident cancel shows as such and is confirmed with one tap; technical alerts have their own list', async () => {
    const dev = await device('demo-0004');
    const id = (await dev.send('press')).alertId!;
    await grid1.waitForSelector(card(id));
    await dev.send('cancel');
    await grid1.waitForSelector(`${card(id)}[data-state="cancelled"]`, { timeout: 5000 });
    expect(await grid1.locator(card(id)).textContent()).toContain('老人已取消');
    await grid1.locator(`${card(id)} button[data-action="confirmCancel"]`).click();
    await grid1.waitForSelector(card(id), { state: 'detached', timeout: 5000 });
    // A technical alert (tamper) goes to its own, lower list, not into the call queue.
    const tamper = (await (await device('demo-0008')).send('tamper')).alertId!;
    await grid1.waitForSelector(`#tech-list ${card(tamper)}`, { timeout: 5000 });
    expect(await grid1.locator(`#call-list ${card(tamper)}`).count()).toBe(0);
    expect(await grid1.locator(`#tech-list ${card(tamper)}`).textContent()).toContain('设备被拆动');
    // Resolving a low battery says when it comes back (the health sweep's rule); a tamper's form says nothing of the kind.
    const low = (await (await device('demo-0009')).send('low_battery')).alertId!;
    await grid1.waitForSelector(`#tech-list ${card(low)}`, { timeout: 5000 });
    await grid1.locator(`${card(low)} button[data-action="accept"]`).click();
    await grid1.locator(`${card(low)} button[data-action="resolve"]`).click();
    expect(await grid1.locator(`${card(low)} form.resolve .hint`).textContent()).toBe('电量仍低则一天后再提醒');
    await grid1.locator(`${card(tamper)} button[data-action="accept"]`).click();
    await grid1.locator(`${card(tamper)} button[data-action="resolve"]`).click();
    await grid1.waitForSelector(`${card(tamper)} form.resolve`, { timeout: 5000 });
    expect(await grid1.locator(`${card(tamper)} form.resolve .hint`).count()).toBe(0);
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

  it('a worker who cannot go after all hands the call back: it rings the others at once, not them', async () => {
    const id = await press('demo-0004');
    const c = grid1.locator(card(id));
    await c.locator('button[data-action="accept"]').click();
    await grid1.waitForSelector(`${card(id)}[data-state="accepted"]`, { timeout: 5000 });
    await c.locator('button[data-action="release"]').click();
    await grid1.waitForSelector(`${card(id)}[data-state="raised"]`, { timeout: 5000 });
    await community.waitForSelector(`${card(id)}[data-state="raised"]`, { timeout: 5000 });
    await expect.poll(async () => (await state(community)).ringing).toBe(true);
    expect(await grid1.evaluate((x) => document.querySelector(`article.card[data-id="${x}"]`)?.classList.contains('ring'), id)).toBe(false);
    expect(await c.locator('.row.hint').textContent()).toContain('你已转回此呼叫');
    expect(t.hub.store.alerts.get(id)!.level).toBe(1);
    await community.locator(`${card(id)} button[data-action="accept"]`).click();
    await community.waitForSelector(`${card(id)}[data-state="accepted"]`, { timeout: 5000 });
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
    const id = await press('demo-0006'); // through the restarted hub
    await grid1.waitForSelector(card(id), { timeout: 5000 });
    expect(await grid1.locator(card(id)).count()).toBe(1);
    await grid1.locator(`${card(id)} button[data-action="accept"]`).click();
    await grid1.waitForSelector(`${card(id)}[data-state="accepted"]`, { timeout: 5000 });
  });

  it('screenshots at 1280 px and 360 px with a live call on screen', async () => {
    const id = await press('demo-0007');
    await grid1.waitForSelector(card(id));
    await grid1.locator(card(id)).scrollIntoViewIfNeeded();
    // ANXIN_SCREENSHOTS=1 refreshes the committed images in docs/; otherwise they go to a temp dir.
    const dir = process.env.ANXIN_SCREENSHOTS === '1' ? 'docs/screenshots' : mkdtempSync(join(tmpdir(), 'anxin-shots-'));
    mkdirSync(dir, { recursive: true });
    await grid1.evaluate(() => window.scrollTo(0, 0));
    await grid1.screenshot({ path: join(dir, 'console-desktop.png'), animations: 'disabled' });
    // The same user on a phone: the session from the desk browser, then the one click that arms sound.
    const phone = await openPage(b.browser, t.httpUrl, { width: 360, height: 780 }, 2, await grid1.context().storageState());
    errors.push(phone.errors);
    await phone.page.goto('/');
    await phone.page.waitForSelector(card(id), { timeout: 15_000 });
    await phone.page.click('#arm-sound');
    await phone.page.waitForSelector('#sound-banner', { state: 'hidden' });
    await phone.page.screenshot({ path: join(dir, 'console-phone.png'), animations: 'disabled' });
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const tap = await phone.page.locator(`${card(id)} button[data-action="accept"]`).boundingBox();
    expect(tap!.height).toBeGreaterThanOrEqual(48);
    expect(tap!.width).toBeGreaterThanOrEqual(280);
    await phone.ctx.close();
  }, 60_000);

  it('the device health page lists problems, households and last seen; RF buttons say they cannot be supervised', async () => {
    const token = await t.login('grid1');
    const visible = (await t.api('GET', '/api/devices/health', token)).body.devices as { id: string; kind: string }[];
    const rf = visible.find((d) => d.kind === 'rf-button');
    expect(rf, 'the demo has an RF button in grid 1').toBeTruthy();
    await grid1.goto('/#/devices');
    await grid1.waitForSelector('.dev[data-device="demo-0001"]', { timeout: 5000 });
    expect(await grid1.locator('.dev').count()).toBe(visible.length);
    expect(await grid1.locator('.dev[data-device="demo-0011"]').count()).toBe(0);
    expect(await grid1.locator(`.dev[data-device="${rf!.id}"]`).textContent()).toContain('无法监测');
    expect(await grid1.locator('.dev[data-device="demo-0002"]').textContent()).toContain('商城花园');
    expect(await grid1.locator('.dev[data-device="demo-0002"]').textContent()).toMatch(/刚刚|分钟前/);
  });

  it('the statistics page draws its charts, and says so clearly when the report fails', async () => {
    await community.goto('/#/stats');
    await community.waitForSelector('svg.chart rect.c-bar', { timeout: 10_000 });
    expect(await community.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
    expect(await community.locator('.chart-box').count()).toBeGreaterThanOrEqual(3);
    expect(await community.locator('.tiles').textContent()).toMatch(/呼叫数/);
    // Acceptance by the hour the calls came in, on the community's clock.
    expect(await community.textContent('#stats-by-hour figcaption')).toBe('按时段：60 秒内接警 Asia/Shanghai');
    expect(await community.locator('#stats-by-hour svg.chart rect.c-bar').count()).toBeGreaterThanOrEqual(1);
    await community.route('**/api/reports/**', (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"E_INTERNAL","message":"internal error"}}' }));
    await community.click('.stats-controls button[type="submit"]');
    await community.waitForSelector('#stats-error', { timeout: 5000 });
    expect(await community.locator('svg.chart').count()).toBe(0);
    await community.unroute('**/api/reports/**');
    await community.click('.stats-controls button[type="submit"]');
    await community.waitForSelector('svg.chart', { timeout: 5000 });
    // The same report as CSV, for a spreadsheet; a failed download says so and leaves the charts.
    const [file] = await Promise.all([community.waitForEvent('download'), community.click('#stats-csv')]);
    expect(file.suggestedFilename()).toBe('response-times.csv');
    const csv = readFileSync((await file.path())!, 'utf8').split('\n');
    expect(csv[0]).toMatch(/^scope,id,name,raised,accepted,resolved,handlingRate/);
    expect(csv[1]).toMatch(/^total,/);
    await community.route('**/api/reports/**', (r) => r.fulfill({ status: 429, contentType: 'application/json', body: '{"error":{"code":"E_RATE_LIMITED","message":"8 reports are being built already"}}' }));
    await community.click('#stats-csv');
    await community.waitForSelector('#stats-csv-error', { timeout: 5000 });
    expect(await community.textContent('#stats-csv-error')).toContain('429');
    expect(await community.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
    await community.unroute('**/api/reports/**');
  });

  it('the English switch changes every visible label', async () => {
    const pages: [Page, string][] = [[grid1, '/#/calls'], [grid1, '/#/devices'], [community, '/#/stats'], [community, '/#/calls']];
    const zh = await visibleUiText(grid1);
    expect(zh.some((x) => CJK.test(x))).toBe(true);
    await grid1.click('#lang-switch');
    await grid1.waitForFunction(() => document.documentElement.lang === 'en');
    await community.reload(); // the choice is kept per browser profile: community has its own
    await community.waitForSelector('#lang-switch');
    await community.click('#lang-switch');
    for (const [page, where] of pages) {
      await page.evaluate((h) => { location.hash = h.slice(1); }, where);
      await page.waitForSelector('#page section', { timeout: 5000 });
      if (where.includes('stats')) await page.waitForSelector('svg.chart', { timeout: 10_000 });
      if (where.includes('devices')) await page.waitForSelector('.dev', { timeout: 10_000 });
      if (where.includes('calls')) {
        // open a resolve form too, so its outcome labels are checked
        const acc = page.locator('article.card[data-state="accepted"] button[data-action="resolve"]').first();
        if (await acc.count()) await acc.click();
      }
      const left = (await visibleUiText(page)).filter((x) => CJK.test(x));
      expect(left, `untranslated text on ${where}`).toEqual([]);
    }
    await grid1.click('#lang-switch');
    await grid1.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    expect((await visibleUiText(grid1)).some((x) => CJK.test(x))).toBe(true);
  });

  it('grid2 never showed any grid 1 call', async () => {
    const seen = await grid2.evaluate(() => Object.keys((window as any).__seenIds));
    const g1 = await grid1.evaluate(() => Object.keys((window as any).__seenIds));
    expect(g1.length).toBeGreaterThanOrEqual(3);
    for (const id of g1) expect(seen).not.toContain(id);
  });

  it('a reload keeps the session but asks for the click that arms the sound', async () => {
    await grid1.goto('/#/calls');
    await grid1.reload();
    await grid1.waitForSelector('#conn-state[data-state="live"]', { timeout: 10_000 });
    expect((await state(grid1)).user).toBe('grid1');
    await grid1.waitForSelector('#sound-banner:not([hidden])');
    expect((await state(grid1)).armed).toBe(false);
    await grid1.click('#arm-sound');
    await grid1.waitForSelector('#sound-banner', { state: 'hidden' });
    expect((await state(grid1)).armed).toBe(true);
  });

  it('a rejected token goes back to login; logout clears the session', async () => {
    const token = await grid2.evaluate(() => JSON.parse(localStorage.getItem('anxin.session')!).token as string);
    expect((await t.api('DELETE', '/api/session', token)).status).toBe(200);
    await grid2.waitForSelector('#login-error', { timeout: 10_000 });
    expect(await grid2.textContent('#login-error')).toContain('登录已失效');
    await grid1.click('#logout');
    await grid1.waitForSelector('#login-submit');
    expect(await grid1.evaluate(() => localStorage.getItem('anxin.session'))).toBeNull();
    await grid1.fill('#username', 'grid1');
    await grid1.fill('#password', 'wrong');
    await grid1.click('#login-submit');
    await grid1.waitForSelector('#login-error span');
    expect(await grid1.textContent('#login-error')).toContain('用户名或密码错误');
  });
});
