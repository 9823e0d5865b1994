/**
 * A mass event on the console, in headless Debian Chromium: with more open calls than a list shows,
 * the page lists the most urgent 200 and says how many more there are, a new call still appears and
 * rings at once, and an escalated call stays at the top. Its snapshot comes in pages; all of them land.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { seedOpenCalls } from './helpers/open-calls.ts';
import { SimDevice } from '../simulator/sim-device.ts';
import { CHROMIUM, card, launchBrowser, openLoggedIn, state } from './console-page.ts';

/** More than a list shows (200) and than a snapshot's first page (500): the page gets its snapshot in pages. */
const SEEDED = 1100;
let t: TestHub;
let b: { browser: Browser; close(): Promise<void> };
let page: Page;
let escalated = '';
const errors: string[][] = [];

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)').toBe(true);
  t = await startTestHub();
  const now = Date.now();
  // One old call has climbed to the community level: it must lead the list however many are open.
  [escalated] = seedOpenCalls(t.hub.store, { count: SEEDED, gridName: '第一网格', raisedAt: (i) => now - 600_000 + i, level: (i) => (i === 0 ? 1 : 0), deadlineAt: now + 3_600_000 });
  b = await launchBrowser();
  page = await openLoggedIn(b.browser, t.httpUrl, 'community', errors);
}, 60_000);

afterAll(async () => {
  await b?.close();
  await t?.stop();
  for (const e of errors) expect(e).toEqual([]);
});

it(`with ${SEEDED} open calls the list shows the 200 most urgent, says how many more, and a new call still shows and rings at once`, async () => {
  await page.waitForFunction(() => document.querySelectorAll('#call-list article.card').length === 200, null, { timeout: 15_000 });
  expect(await page.locator('#call-more').isVisible()).toBe(true);
  expect(await page.locator('#call-more').innerText()).toContain(String(SEEDED - 200));
  expect(await page.locator('#call-list article.card').first().getAttribute('data-id')).toBe(escalated);
  expect((await state(page)).open).toHaveLength(SEEDED);

  const d = new SimDevice({ url: t.mqttUrl, id: 'demo-0003', secret: 'demo-secret', resendMs: 2000, reconnectMs: 0 });
  await d.connect();
  const r = await d.send('press');
  await page.waitForSelector(card(r.alertId!), { timeout: 5000 });
  // Nobody from grid 1 is online, so the new call climbs to the community level at once: it joins the
  // escalated one at level 1 and, being newer, leads the list.
  await page.waitForFunction((id) => document.querySelector('#call-list article.card')?.getAttribute('data-id') === id, r.alertId, { timeout: 5000 });
  const ids = await page.locator('#call-list article.card').evaluateAll((els) => els.slice(0, 2).map((e) => (e as HTMLElement).dataset.id));
  expect(ids).toEqual([r.alertId, escalated]);
  expect(await page.locator('#call-more').innerText()).toContain(String(SEEDED + 1 - 200));
  expect((await state(page)).ringing).toBe(true);
  await d.close(false);
}, 60_000);

it('in a mass event the duty staff find a call that is not among the first cards by its address, and the search can be cleared', async () => {
  const open: { id: string; kind: string; household: { address: string } | null }[] = await page.evaluate(() => [...(window as any).__anxin.app.book.open.values()]);
  const listed = new Set(await page.locator('#call-list article.card').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id)));
  const hidden = open.find((a) => a.kind === 'call' && !listed.has(a.id) && a.household);
  expect(hidden, 'a call beyond the first 200 cards').toBeTruthy();
  const there = open.filter((a) => a.household?.address.includes(hidden!.household!.address));
  const sameAddress = there.filter((a) => a.kind === 'call').length;
  expect(await page.locator('#call-search').isVisible()).toBe(true);
  await page.fill('#call-search', hidden!.household!.address);
  await page.waitForSelector(`#call-list article.card[data-id="${hidden!.id}"]`, { timeout: 5000 });
  expect(await page.locator('#call-list article.card').count()).toBe(Math.min(sameAddress, 200));
  expect(await page.locator('#call-found').innerText()).toContain(String(there.length));
  await page.fill('#call-search', 'no such address anywhere');
  await page.waitForSelector('#call-list .empty', { timeout: 5000 });
  expect(await page.locator('#call-list .empty').innerText()).toMatch(/没有符合的呼叫|No call matches/);
  await page.fill('#call-search', '');
  await page.waitForFunction(() => document.querySelectorAll('#call-list article.card').length === 200, null, { timeout: 5000 });
  expect(await page.locator('#call-found').count()).toBe(0);
  // A search says it is on, with a way back in one tap.
  await page.fill('#call-search', hidden!.household!.address);
  await page.click('#call-search-clear');
  await page.waitForFunction(() => document.querySelectorAll('#call-list article.card').length === 200, null, { timeout: 5000 });
  expect(await page.inputValue('#call-search')).toBe('');
});

it('while a snapshot is still arriving in pages the page says how many are to come, keeps its cards, and would not resume from its number', async () => {
  const before = await state(page);
  expect(before.lastSeq).not.toBeNull();
  expect(await page.locator('.count.receiving').count()).toBe(0); // the real snapshot has fully arrived
  // The frames a reconnect into a mass event brings, handed to the page's own socket handler.
  const deliver = (frame: unknown) => page.evaluate((text) => (window as any).__anxin.app.feed.ws.onmessage({ data: text }), JSON.stringify(frame));
  await deliver({ type: 'snapshot', seq: before.lastSeq, remaining: 1234, alerts: [] });
  await page.waitForSelector('.count.receiving', { timeout: 5000 });
  expect(await page.locator('.count.receiving').innerText()).toContain('1234');
  const during = await state(page);
  expect(during.open).toHaveLength(before.open.length); // no card blinks out before the last page
  expect(during.lastSeq).toBeNull(); // dropped now, it would ask for a new snapshot, not resume past the missing pages
  const all = await page.evaluate(() => [...(window as any).__anxin.app.book.open.values()]);
  await deliver({ type: 'snapshot_page', seq: before.lastSeq, remaining: 0, alerts: all });
  await page.waitForFunction(() => !document.querySelector('.count.receiving'), null, { timeout: 5000 });
  const after = await state(page);
  expect(after.open).toHaveLength(before.open.length);
  expect(after.lastSeq).toBe(before.lastSeq);
});

it('with more devices than a list draws, the devices view asks the hub for the problems first, the rest on request, and what a search finds', async () => {
  const s = t.hub.store;
  const grid = s.grid.list().find((g) => g.name === '第一网格')!;
  const home = s.householdLists.list(null).find((h) => h.gridId === grid.id)!;
  const now = Date.now();
  const ins = s.db.prepare(`INSERT INTO devices (id, kind, household_id, heartbeat_s, online, last_seen, battery, created_at) VALUES (?, 'mqtt-button', ?, 60, 1, ?, ?, ?)`);
  s.tx(() => { for (let i = 0; i < 400; i++) ins.run(`fleet-${String(i).padStart(3, '0')}`, home.id, now, i === 399 ? 5 : 90, now); });
  const shown = () => page.locator('.dev-list .dev').count();
  const asked: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/devices/health')) asked.push(r.url()); });
  await page.goto(`${t.httpUrl}/#/devices`);
  await page.waitForSelector('#dev-more', { timeout: 10_000 });
  const health = (await t.api('GET', '/api/devices/health', await t.login('community'))).body;
  const total = health.devices.length;
  expect(total).toBeGreaterThan(400);
  // The tiles are the hub's counts over the whole area: devices, offline, never connected, weak battery, test overdue.
  const tiles = await page.locator('.tiles .tile strong').allInnerTexts();
  const c = health.summary;
  expect(tiles).toEqual([c.total, c.offline, c.neverConnected, c.lowBattery, c.testOverdue].map(String));
  expect(c.neverConnected).toBeGreaterThan(0); // the demo's devices have never connected here
  expect(await shown()).toBe(300);
  expect(await page.locator('#dev-more').innerText()).toContain(String(total - 300));
  // The one device with a problem among the new ones sorts to the top, before the healthy ones.
  const ids = await page.locator('.dev-list .dev').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.device));
  expect(ids.indexOf('fleet-399')).toBeGreaterThanOrEqual(0);
  expect(ids.indexOf('fleet-399')).toBeLessThan(ids.indexOf('fleet-000') === -1 ? 300 : ids.indexOf('fleet-000'));
  await page.click('#dev-show-more');
  await page.waitForFunction((n) => document.querySelectorAll('.dev-list .dev').length === n, Math.min(total, 600), { timeout: 5000 });
  if (total <= 600) expect(await page.locator('#dev-more').count()).toBe(0);
  // The hub sent only what the view draws, never the whole list.
  expect(asked.length).toBeGreaterThanOrEqual(2);
  for (const url of asked) expect(new URL(url).searchParams.get('limit')).toMatch(/^(300|600)$/);

  // The search runs in the hub; the box keeps its focus while the rows are redrawn; the counts stay the scope's.
  await page.fill('#dev-search', 'FLEET-39');
  await page.waitForFunction(() => document.querySelectorAll('.dev-list .dev').length === 10, null, { timeout: 5000 });
  const found = await page.locator('.dev-list .dev').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.device));
  expect(found[0]).toBe('fleet-399');
  expect(found.slice(1)).toEqual(Array.from({ length: 9 }, (_, i) => `fleet-39${i}`));
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('dev-search');
  expect(await page.locator('.tiles .tile strong').first().innerText()).toBe(String(total));
  expect(await page.locator('#dev-more').count()).toBe(0);
  await page.check('#dev-only-problems');
  await page.waitForFunction(() => document.querySelectorAll('.dev-list .dev').length === 1, null, { timeout: 5000 });
  await page.fill('#dev-search', 'no such device');
  await page.waitForSelector('.devices p.empty', { timeout: 5000 });
  expect(await page.locator('.devices p.empty').innerText()).toMatch(/没有符合条件的设备|No device matches/);
  expect(asked.some((url) => new URL(url).searchParams.get('q') === 'FLEET-39' && new URL(url).searchParams.get('problems') === 'only')).toBe(true);

  // The CSV is every device that passes the filters, not the rows drawn: here, all problem devices of the area.
  await page.fill('#dev-search', '');
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#dev-csv')]);
  expect(file.suggestedFilename()).toBe('device-health.csv');
  const lines = readFileSync((await file.path())!, 'utf8').trim().split('\n');
  expect(lines[0].split(',').slice(0, 3)).toEqual(['device', 'kind', 'status']);
  expect(lines.length - 1).toBe(health.summary.withProblems);
  expect(lines.some((l) => l.startsWith('fleet-399,mqtt-button,online,,,yes,'))).toBe(true);
}, 60_000);
