/**
 * Households in the console (#/households), in headless Debian Chromium: a grid worker finds a
 * household, fixes a contact's phone, and the next call shows it; the address on a device's row
 * opens its household; a new household is registered, with what is missing said at once and what
 * the hub refuses said in its words; an admin's sheet registers each household's button and offers
 * the secrets once; English leaves no CJK, and nothing is wider than a 360 px phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { CHROMIUM, CJK, launchBrowser, openLoggedIn, visibleUiText } from './console-page.ts';

let t: TestHub;
let b: { browser: Browser; close(): Promise<void> };
let page: Page;
const errors: string[][] = [];
// ANXIN_SCREENSHOTS=1 writes docs/screenshots/console-household-phone.png; otherwise a temp dir.
const shots = () => (process.env.ANXIN_SCREENSHOTS === '1' ? 'docs/screenshots' : (shotDir ??= mkdtempSync(join(tmpdir(), 'anxin-hh-shots-'))));
let shotDir: string | undefined;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)').toBe(true);
  t = await startTestHub();
  b = await launchBrowser();
  page = await openLoggedIn(b.browser, t.httpUrl, 'grid1', errors);
}, 60_000);

afterAll(async () => {
  await b?.close();
  await t?.stop();
});

const householdOf = (deviceId: string) => t.hub.store.households.get(t.hub.store.devices.householdOf(deviceId)!)!;

describe('households page', { timeout: 60_000 }, () => {
  it('a grid worker finds a household, fixes a contact phone, and the next call shows it', async () => {
    await page.click('a.tab[data-page="devices"]');
    await page.click('#dev-households');
    await page.waitForSelector('#hh-page');
    expect(await page.getAttribute('a.tab[data-page="devices"]', 'class')).toContain('on');
    const hh = householdOf('demo-0002');
    await page.fill('#hh-search', hh.residents[0].name);
    await page.waitForSelector(`.hh-item[data-household="${hh.id}"]`);
    await page.click(`.hh-item[data-household="${hh.id}"] button`);
    await page.waitForSelector('#hh-editor');
    expect(await page.inputValue('#hh-address')).toBe(hh.address);
    expect(await page.textContent('#hh-editor .hh-devices')).toContain('demo-0002');
    await page.fill('#hh-contacts .contact input[name=phone]', '13755556666');
    await page.click('#hh-save');
    await page.waitForSelector('#hh-msg.ok');
    expect(householdOf('demo-0002').contacts[0].phone).toBe('13755556666');

    const c = await t.console('grid1');
    const { alertId } = await (await t.device('demo-0002')).send('press');
    const f = await c.waitFor((x) => x.type === 'change' && x.alert?.id === alertId);
    expect(f.alert.household.contacts[0].phone).toBe('13755556666');
    c.close();
  });

  it('only incomplete records: the households that lack a contact phone, a way in or an age, with what each lacks', async () => {
    const hh = householdOf('demo-0009');
    t.hub.store.households.update(hh.id, { ...hh, accessNote: '' });
    await page.fill('#hh-search', '');
    await page.check('#hh-incomplete');
    await page.waitForSelector(`.hh-item[data-household="${hh.id}"] .flag`);
    expect(await page.textContent(`.hh-item[data-household="${hh.id}"]`)).toContain('缺进门方式');
    expect(await page.locator('.hh-item').count()).toBe(1);
    await page.uncheck('#hh-incomplete');
  });

  it('the address on a device row opens its household', async () => {
    await page.click('a.tab[data-page="devices"]');
    const hh = householdOf('demo-0005');
    await page.waitForSelector('.dev[data-device="demo-0005"] a.hh-link');
    await page.click('.dev[data-device="demo-0005"] a.hh-link');
    await page.waitForFunction((addr) => (document.querySelector('#hh-address') as HTMLInputElement | null)?.value === addr, hh.address);
  });

  it('a new household: what is missing is said at once, what the hub refuses in its words, then it is saved', async () => {
    const before = t.hub.store.households.count();
    await page.click('#hh-new');
    await page.waitForSelector('#hh-editor h3:has-text("新增住户")');
    await page.click('#hh-save');
    expect(await page.textContent('#hh-msg')).toBe('请选择所属网格');
    const gridId = t.hub.store.grid.list().find((n) => n.name === '第一网格')!.id;
    await page.selectOption('#hh-grid', String(gridId));
    await page.fill('#hh-address', '商城花园12号楼2单元1202室');
    await page.click('#hh-save');
    expect(await page.textContent('#hh-msg')).toBe('至少填写一位老人的姓名');
    await page.fill('#hh-residents .resident input[name=name]', '钱秀珍');
    await page.fill('#hh-residents .resident input[name=age]', '91');
    await page.fill('#hh-contacts .contact input[name=name]', '钱伟');
    await page.click('#hh-save');
    expect(await page.textContent('#hh-msg')).toContain('钱伟');
    await page.fill('#hh-contacts .contact input[name=phone]', 'call the son');
    await page.click('#hh-save');
    await page.waitForSelector('#hh-msg.bad code');
    expect(await page.textContent('#hh-msg')).toContain('未保存');
    expect(t.hub.store.households.count()).toBe(before);
    await page.fill('#hh-contacts .contact input[name=phone]', '137 0000 1202');
    await page.click('#hh-add-resident');
    await page.fill('#hh-residents .resident:nth-child(2) input[name=name]', '钱老伯');
    await page.click('#hh-save');
    await page.waitForSelector('#hh-msg.ok');
    expect(t.hub.store.households.count()).toBe(before + 1);
    expect(await page.textContent('#hh-editor h3')).toMatch(/编辑住户 \d+/);
  });

  it('an admin registers a button for a household, sees its secret once, and the button connects with it; a revoke takes a second tap', async () => {
    const admin = await openLoggedIn(b.browser, t.httpUrl, 'admin', errors);
    const hh = householdOf('demo-0007');
    await admin.goto(`/#/households?id=${hh.id}`);
    await admin.waitForSelector('#hh-devices .dev-register');
    await admin.fill('#hh-devices input[name=id]', 'bad id!');
    await admin.click('#hh-devices .dev-register button[type=submit]');
    expect(await admin.textContent('#hh-dev-msg')).toContain('设备编号');
    await admin.fill('#hh-devices input[name=id]', 'demo-0007'); // taken: the hub says so
    await admin.click('#hh-devices .dev-register button[type=submit]');
    await admin.waitForSelector('#hh-dev-msg.bad code');
    await admin.fill('#hh-devices input[name=id]', 'pendant-0007');
    await admin.selectOption('#hh-devices select[name=kind]', 'pendant');
    await admin.click('#hh-devices .dev-register button[type=submit]');
    await admin.waitForSelector('#hh-secret');
    const secret = (await admin.textContent('#hh-secret code.secret'))!;
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(t.hub.store.devices.get('pendant-0007')).toMatchObject({ kind: 'pendant', householdId: hh.id });
    const { alertId } = await (await t.device('pendant-0007', secret)).send('test');
    expect(alertId ?? null).toBeNull(); // a test press makes no call
    await expect.poll(() => t.hub.store.devices.get('pendant-0007')!.lastTestAt).not.toBeNull();

    const revoke = admin.locator('#hh-devices li[data-device="pendant-0007"] .dev-revoke');
    await revoke.click();
    expect(t.hub.store.devices.get('pendant-0007')!.revokedAt).toBeNull();
    await revoke.click();
    await admin.waitForSelector('#hh-devices li[data-device="pendant-0007"] .flag');
    expect(t.hub.store.devices.get('pendant-0007')!.revokedAt).not.toBeNull();
    // A grid worker sees the devices but registers and revokes nothing.
    await page.goto(`/#/households?id=${hh.id}`);
    await page.waitForSelector('#hh-devices li[data-device="demo-0007"]');
    expect(await page.locator('#hh-devices .dev-register, #hh-devices .dev-revoke').count()).toBe(0);
    await admin.context().close();
  });

  it('a leader imports a spreadsheet: a wrong row is named by its line and nothing is imported, then the fixed sheet is', async () => {
    expect(await page.locator('#hh-import').count()).toBe(0); // grid workers add households one by one
    const leader = await openLoggedIn(b.browser, t.httpUrl, 'community', errors);
    await leader.goto('/#/households');
    await leader.waitForSelector('#hh-import');
    expect(await leader.getAttribute('#hh-template', 'download')).toBe('households-template.csv');
    const before = t.hub.store.households.count();
    const sheet = (age: string) => Buffer.from(`\uFEFF网格,地址,老人姓名,年龄\r\n第一网格,导入路1号,孙秀英,88\r\n第二网格,导入路2号,周玉兰,${age}\r\n`);
    await leader.click('#hh-import-send');
    expect(await leader.textContent('#hh-import-msg')).toBe('请先选择 CSV 文件');
    await leader.setInputFiles('#hh-import-file', { name: 'households.csv', mimeType: 'text/csv', buffer: sheet('九十') });
    await leader.click('#hh-import-send');
    await leader.waitForSelector('#hh-import-rows li');
    expect(await leader.textContent('#hh-import-rows')).toContain('第 3 行');
    expect(await leader.textContent('#hh-import-rows')).toContain('resident_age');
    expect(t.hub.store.households.count()).toBe(before);
    await leader.setInputFiles('#hh-import-file', { name: 'households.csv', mimeType: 'text/csv', buffer: sheet('90') });
    await leader.click('#hh-import-send');
    await leader.waitForSelector('#hh-import-msg.ok:has-text("新增 2 户，更新 0 户，0 户无变化")');
    // The whole area back as a spreadsheet, in the same columns, the new households in it.
    const [download] = await Promise.all([leader.waitForEvent('download'), leader.click('#hh-csv')]);
    expect(download.suggestedFilename()).toBe('households.csv');
    const sheetBack = (await import('node:fs')).readFileSync((await download.path())!, 'utf8');
    expect(sheetBack).toContain('商城花园社区/第二网格,导入路2号,,周玉兰,90');
    expect(t.hub.store.households.count()).toBe(before + 2);
    expect(await leader.locator('#hh-import-rows li').count()).toBe(0);
    await leader.context().close();
  });

  it('an admin imports a sheet with each household\'s button, and downloads the buttons\' secrets once; a button logs in with its own', async () => {
    const admin = await openLoggedIn(b.browser, t.httpUrl, 'admin', errors);
    await admin.goto('/#/households');
    await admin.waitForSelector('#hh-import');
    const sheet = Buffer.from('\uFEFF网格,地址,老人姓名,按钮编号\r\n第一网格,安装路1号,马金山,inst-a1\r\n第一网格,安装路2号,罗春梅,inst-a2\r\n');
    await admin.setInputFiles('#hh-import-file', { name: 'install.csv', mimeType: 'text/csv', buffer: sheet });
    await admin.click('#hh-import-send');
    await admin.waitForSelector('#hh-import-devices');
    expect(await admin.textContent('#hh-import-devices')).toContain('2 个呼叫按钮');
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('#hh-secrets')]);
    expect(download.suggestedFilename()).toBe('button-secrets.csv');
    const lines = (await import('node:fs')).readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('按钮编号,密钥,住户编号,表格行');
    const [id, secretCell] = lines[1].split(',');
    expect(id).toBe('inst-a1');
    const secret = secretCell.replace(/^'/, ''); // a secret starting with "-" is marked as text for the spreadsheet
    expect((await (await t.device('inst-a1', secret)).send('test')).alertId ?? null).toBeNull();
    await expect.poll(() => t.hub.store.devices.get('inst-a1')!.lastTestAt).not.toBeNull();
    await admin.context().close();
  });

  it('in English no UI text is Chinese, and on a 360 px phone nothing is wider than the screen', async () => {
    await page.click('#lang-switch');
    await page.waitForSelector('html[lang="en"]');
    expect((await visibleUiText(page)).filter((s) => CJK.test(s))).toEqual([]);
    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForTimeout(200);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 361)
      .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 10));
    expect(wide).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, (document.querySelector('#hh-editor')?.getBoundingClientRect().top ?? 0) + window.scrollY - (document.querySelector('header.top')?.getBoundingClientRect().height ?? 0) - 8));
    await page.screenshot({ path: join(shots(), 'console-household-phone.png'), animations: 'disabled' });
    await page.click('#lang-switch');
    expect(errors.flat()).toEqual([]);
  });
});
