/**
 * Issue 5 in the console (#/rf), driven in headless Debian Chromium: an admin opens learn mode for
 * a household and a simulated receiver's unknown code is bound; an unknown code outside learn
 * mode is listed and can be bound by hand; RF buttons show last heard / last test and say they
 * cannot be supervised; English leaves no CJK; grid staff see the list but no admin controls.
 * One hub with one simulated TCP receiver, one browser, two pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { ManualClock } from '../dispatcher/clock.ts';
import { SimReceiver, KEYS } from '../simulator/receiver.ts';
import { CHROMIUM, CJK, launchBrowser, loginAs, openPage, visibleUiText, openLoggedIn } from './console-page.ts';

let t: TestHub;
let rx: SimReceiver;
let b: { browser: Browser; close(): Promise<void> };
let admin: Page;
let grid1: Page;
let adminToken: string;
const errors: string[][] = [];

/** Every GET /api/households the admin's page made: the picker's searches, never the whole list. */
const householdAsks: string[] = [];
const button = (id: string) => `#rf-buttons .rf-button[data-device="${id}"]`;
const unknownRow = (hex: string) => `#rf-unknown .rf-unknown[data-address="${hex}"]`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// ANXIN_SCREENSHOTS=1 writes docs/screenshots/console-rf-{desktop,phone}.png; otherwise a temp dir.
const shots = () => (process.env.ANXIN_SCREENSHOTS === '1' ? 'docs/screenshots' : (shotDir ??= mkdtempSync(join(tmpdir(), 'anxin-rf-shots-'))));
let shotDir: string | undefined;

async function openRf(page: Page): Promise<void> {
  await page.click('a.tab[data-page="rf"]');
  await page.waitForSelector('#rf-buttons .rf-button', { timeout: 10_000 });
}

async function pickHousehold(page: Page, id: number): Promise<void> {
  await page.fill('#rf-filter', '');
  await page.waitForSelector(`#rf-household option[value="${id}"]`, { state: 'attached', timeout: 10_000 });
  await page.selectOption('#rf-household', String(id));
}

async function alertsFor(deviceId: string): Promise<unknown[]> {
  const r = await t.api('GET', '/api/alerts?state=all&limit=500', adminToken);
  return r.body.alerts.filter((a: { deviceId: string }) => a.deviceId === deviceId);
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)').toBe(true);
  rx = await SimReceiver.tcp(0);
  t = await startTestHub({ env: { ANXIN_SERIAL: `${rx.where()}?name=rx1&retry_ms=100&retry_max_ms=500&grace_ms=500` } });
  await rx.waitConnected();
  adminToken = await t.login('admin');
  b = await launchBrowser();
  const open = (user: string) => openLoggedIn(b.browser, t.httpUrl, user, errors);
  admin = await open('admin');
  admin.on('request', (r) => { if (new URL(r.url()).pathname === '/api/households') householdAsks.push(r.url()); });
  grid1 = await open('grid1');
}, 60_000);

afterAll(async () => {
  await b?.close();
  await t?.stop();
  await rx?.stop();
  for (const e of errors) expect(e).toEqual([]);
});

describe('RF buttons in the console', { timeout: 60_000 }, () => {
  it('admin: the receiver is online; learn mode for household 3 counts down, and the unknown code the receiver sends is bound', async () => {
    await openRf(admin);
    await admin.waitForSelector('#rf-receivers .rf-receiver[data-receiver="rx1"][data-state="online"]', { timeout: 10_000 });
    expect(await admin.textContent('#rf-receivers .rf-receiver[data-receiver="rx1"]')).toContain('在线');

    expect(await admin.isDisabled('#rf-learn-start')).toBe(true); // nothing chosen yet
    // The filter narrows the household list at once, then asks the hub once typing pauses: wait for that
    // question, or clearing the filter below (pickHousehold) could cancel it on a loaded machine.
    const searched = admin.waitForRequest((r) => new URL(r.url()).searchParams.get('q') === '103室', { timeout: 5000 });
    await admin.fill('#rf-filter', '103室');
    await searched;
    await expect.poll(() => admin.locator('#rf-household option[value]:not([value=""])').count(), { timeout: 5000 }).toBe(1);
    await pickHousehold(admin, 3);
    await admin.click('#rf-learn-start');
    const open = admin.locator('#rf-learn-open[data-household="3"]');
    await open.waitFor({ timeout: 5000 });
    const first = Number(await open.getAttribute('data-remaining'));
    expect(first).toBeGreaterThan(50);
    expect(first).toBeLessThanOrEqual(60);
    expect(await open.textContent()).toMatch(/剩余 \d+ 秒/);
    await expect.poll(async () => Number(await admin.getAttribute('#rf-learn-open', 'data-remaining')), { timeout: 5000 }).toBeLessThan(first);

    await rx.press(0x2abcd, KEYS.press);
    const result = admin.locator('#rf-learn-result[data-outcome="bound"][data-device="rf-2abcd"]');
    await result.waitFor({ timeout: 10_000 });
    expect(await result.textContent()).toContain('学习成功');
    expect(await result.textContent()).toContain('0x2abcd');
    expect(await result.textContent()).toContain('rx1');
    await admin.waitForSelector(button('rf-2abcd'), { timeout: 10_000 });
    expect(await admin.isHidden('#rf-learn-cancel')).toBe(true);

    const list = (await t.api('GET', '/api/rf/buttons', adminToken)).body;
    expect(list.buttons.find((x: { deviceId: string }) => x.deviceId === 'rf-2abcd')).toMatchObject({ householdId: 3, supervised: false, householdAddress: expect.stringContaining('103室') });
    expect(await admin.textContent(button('rf-2abcd'))).toContain('103室'); // the address comes with the button
    expect(await alertsFor('rf-2abcd')).toEqual([]); // enrolling makes no call
    // The picker searched the hub as the admin typed; the page never asked for every household.
    expect(householdAsks.length).toBeGreaterThanOrEqual(2);
    for (const url of householdAsks) expect(new URL(url).searchParams.get('limit')).toBe('50');
    expect(householdAsks.some((url) => new URL(url).searchParams.get('q') === '103室')).toBe(true);
  });

  it('admin: learn mode already open for another household gives a plain error; cancel closes it; bad requests are refused', async () => {
    expect((await t.api('POST', '/api/rf/learn', adminToken, { householdId: 5 })).status).toBe(201);
    await pickHousehold(admin, 6);
    await admin.click('#rf-learn-start');
    await admin.waitForSelector('#rf-learn-error', { timeout: 5000 });
    expect(await admin.textContent('#rf-learn-error')).toContain('另一户正在学习中');
    await admin.waitForSelector('#rf-learn-open[data-household="5"]', { timeout: 5000 });
    await admin.click('#rf-learn-cancel');
    await admin.waitForSelector('#rf-learn-result[data-outcome="cancelled"]', { timeout: 5000 });
    expect(await admin.locator('#rf-learn-error').count()).toBe(0);
    expect((await t.api('GET', '/api/rf/learn', adminToken)).body.open).toBeNull();

    expect((await t.api('POST', '/api/rf/learn', adminToken, { householdId: 0 })).status).toBe(400);
    expect((await t.api('POST', '/api/rf/learn', adminToken, { householdId: 9999 })).status).toBe(404);
    expect((await t.api('POST', '/api/rf/learn', await t.login('grid1'), { householdId: 3 })).status).toBe(403);
  });

  it('admin: a session opened elsewhere for a household the picker has not shown is labelled with its address', async () => {
    const grid = t.hub.store.grid.list().find((g) => g.level === 'grid')!;
    const fresh = t.hub.store.households.create({ gridId: grid.id, address: '测试路 88 号', accessNote: '', residents: [{ name: '赵大爷', age: 90, phone: '', medicalNote: '' }], contacts: [] }, Date.now()).id;
    await admin.fill('#rf-filter', '103室'); // the hub's search now finds household 3 only: the new one is not on the page
    await expect.poll(() => admin.evaluate(() => (window as any).__anxin.app.view.learn.found.map((x: { id: number }) => x.id)), { timeout: 5000 }).toEqual([3]);
    expect((await t.api('POST', '/api/rf/learn', adminToken, { householdId: fresh })).status).toBe(201);
    const open = admin.locator(`#rf-learn-open[data-household="${fresh}"]`);
    await open.waitFor({ timeout: 10_000 });
    await expect.poll(() => open.textContent(), { timeout: 5000 }).toContain('测试路 88 号');
    expect((await t.api('DELETE', '/api/rf/learn', adminToken)).status).toBe(200);
    await admin.waitForSelector('#rf-learn-open', { state: 'detached', timeout: 10_000 });
  });

  it('admin: an unknown code outside learn mode is listed with its receiver, makes no call, and can be bound to the chosen household', async () => {
    await rx.press(0x3beef, KEYS.press);
    await expect.poll(async () => (await t.api('GET', '/api/rf/unknown', adminToken)).body.transmitters.length, { timeout: 5000 }).toBeGreaterThan(0);
    await admin.click('#rf-refresh');
    const row = admin.locator(unknownRow('0x3beef'));
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('rx1');
    expect(await row.textContent()).toContain('未知发射器');
    expect(await alertsFor('rf-3beef')).toEqual([]);

    await pickHousehold(admin, 7);
    await row.locator('button.rf-bind').click();
    await admin.waitForSelector(button('rf-3beef'), { timeout: 10_000 });
    await admin.waitForSelector(unknownRow('0x3beef'), { state: 'detached', timeout: 10_000 });
    const list = (await t.api('GET', '/api/rf/buttons', adminToken)).body;
    expect(list.buttons.find((x: { deviceId: string }) => x.deviceId === 'rf-3beef')).toMatchObject({ householdId: 7 });
  });

  it('the buttons list shows last heard and last test, and says plainly that RF buttons cannot be supervised', async () => {
    await rx.test(0x10001); // demo-rf-01, key 0x4
    await expect.poll(async () => (await t.api('GET', '/api/rf/buttons', adminToken)).body.buttons
      .find((x: { deviceId: string }) => x.deviceId === 'demo-rf-01')?.lastTest ?? null, { timeout: 5000 }).not.toBeNull();
    await admin.click('#rf-refresh');
    const row = admin.locator(button('demo-rf-01'));
    await expect.poll(() => row.locator('.rf-tested').getAttribute('data-at'), { timeout: 10_000 }).not.toBe('');
    expect(await row.locator('.rf-heard').getAttribute('data-at')).not.toBe('');
    expect(await row.locator('.rf-heard').textContent()).toContain('刚刚');
    expect(await row.locator('.rf-tested').textContent()).toContain('刚刚');
    expect(await row.textContent()).toContain('无法监测');
    expect(await admin.locator(button('demo-rf-02')).locator('.rf-heard').textContent()).toContain('从未收到');
    expect(await admin.textContent('#rf-unsupervised')).toContain('无线按钮无法监测');
    await admin.screenshot({ path: join(shots(), 'console-rf-desktop.png'), fullPage: true, animations: 'disabled' });
  });

  it('English leaves no CJK in the labels of this page, and it fits a 360 px phone', async () => {
    await admin.click('#lang-switch');
    await admin.waitForSelector('html[lang="en"]');
    await admin.waitForSelector('#rf-learn-result');
    const cjk = (await visibleUiText(admin)).filter((s) => CJK.test(s));
    expect(cjk).toEqual([]);
    expect(await admin.textContent('#rf-unsupervised')).toContain('RF buttons cannot be supervised');
    expect(await admin.textContent('a.tab[data-page="rf"]')).toBe('RF buttons');
    await admin.setViewportSize({ width: 360, height: 740 });
    await sleep(200);
    const wide = await admin.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 361)
      .map((e) => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 10));
    if (wide.length) console.log(await admin.textContent('#rf-receivers'));
    expect(wide).toEqual([]);
    expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await admin.screenshot({ path: join(shots(), 'console-rf-phone.png'), fullPage: true, animations: 'disabled' });
    const startBox = await admin.locator('#rf-learn-start').boundingBox();
    expect(startBox!.height).toBeGreaterThanOrEqual(56);
  });

  it('grid staff (grid1) see their RF buttons and the unsupervised note, but no receivers, unknown list or learn mode', async () => {
    await openRf(grid1);
    await grid1.waitForSelector(button('rf-2abcd'), { timeout: 10_000 }); // household 3 is in grid 1
    expect(await grid1.locator(button('demo-rf-01')).count()).toBe(1);
    expect(await grid1.locator(button('demo-rf-03')).count()).toBe(0); // grid 2
    expect(await grid1.isVisible('#rf-unsupervised')).toBe(true);
    for (const sel of ['#rf-learn', '#rf-receivers', '#rf-unknown', '#rf-learn-start', 'button.rf-bind', '#rf-error']) {
      expect(await grid1.locator(sel).count(), sel).toBe(0);
    }
  });
});

describe('learn mode that hears nothing', { timeout: 60_000 }, () => {
  it('after 60 s with no new button the page says learning ended and nothing was bound', async () => {
    // A manual clock that follows real time, so the 60 s window can be skipped in one step.
    const clock = new ManualClock(Date.now());
    let last = Date.now();
    const follow = setInterval(() => { const n = Date.now(); clock.advance(n - last); last = n; }, 50);
    const quiet = await startTestHub({ clock });
    try {
      const p = await openPage(b.browser, quiet.httpUrl);
      errors.push(p.errors);
      await loginAs(p.page, 'admin');
      await openRf(p.page);
      await pickHousehold(p.page, 8);
      await p.page.click('#rf-learn-start');
      await p.page.waitForSelector('#rf-learn-open[data-household="8"]', { timeout: 5000 });
      clock.advance(61_000);
      const result = p.page.locator('#rf-learn-result[data-outcome="expired"]');
      await result.waitFor({ timeout: 10_000 });
      expect(await result.textContent()).toContain('60 秒内没有收到新按钮');
      expect(await p.page.locator('#rf-learn-open').count()).toBe(0);
      const buttons = (await quiet.api('GET', '/api/rf/buttons', await quiet.login('admin'))).body.buttons;
      expect(buttons.filter((x: { householdId: number }) => x.householdId === 8)).toEqual([]);
      await p.ctx.close();
    } finally {
      clearInterval(follow);
      await quiet.stop();
    }
  });
});

describe('RF page logic (pure, in Node)', () => {
  const load = (f: string): Promise<any> => import(`../dispatcher/console/js/${f}.js` as string);

  it('a receiver is offline, degraded, online or (re)connecting', async () => {
    const { receiverState } = await load('view-rf');
    expect(receiverState({ online: false, link: 'down', degraded: false })).toBe('offline');
    expect(receiverState({ online: null, link: 'stopped', degraded: false })).toBe('offline');
    expect(receiverState({ online: true, link: 'open', degraded: true })).toBe('degraded');
    expect(receiverState({ online: true, link: 'open', degraded: false })).toBe('online');
    expect(receiverState({ online: true, link: 'down', degraded: false })).toBe('connecting'); // within its grace time
    expect(receiverState({ online: null, link: 'connecting', degraded: false })).toBe('connecting');
  });

  it('the household filter matches number, address, a name or a phone, and an empty query keeps all', async () => {
    const { filterHouseholds, householdLabel } = await load('rf-learn');
    const hs = [
      { id: 3, address: '商城花园1号楼4单元103室', residents: [{ name: '张建国' }] },
      { id: 13, address: '商城花园4号楼2单元113室', residents: [], contacts: [{ name: '李强', phone: '13700000013' }] },
    ];
    expect(filterHouseholds(hs, '')).toHaveLength(2);
    expect(filterHouseholds(hs, '  ')).toHaveLength(2);
    expect(filterHouseholds(hs, '3').map((x: { id: number }) => x.id)).toEqual([3, 13]); // the id, or a room number in the address
    expect(filterHouseholds([...hs].reverse(), '13').map((x: { id: number }) => x.id)).toEqual([13]);
    expect(filterHouseholds(hs, '113').map((x: { id: number }) => x.id)).toEqual([13]);
    expect(filterHouseholds(hs, '张建国').map((x: { id: number }) => x.id)).toEqual([3]);
    expect(filterHouseholds(hs, '李强').map((x: { id: number }) => x.id)).toEqual([13]); // a contact, as the hub's search
    expect(filterHouseholds(hs, '1370000001').map((x: { id: number }) => x.id)).toEqual([13]);
    expect(filterHouseholds(hs, 'nobody')).toEqual([]);
    expect(householdLabel(hs[0])).toBe('3 · 商城花园1号楼4单元103室 · 张建国');
    expect(householdLabel(hs[1])).toBe('13 · 商城花园4号楼2单元113室');
  });
});
