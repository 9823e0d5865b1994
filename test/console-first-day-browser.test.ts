/**
 * The first day of a real community, in headless Debian Chromium, on a hub with nothing in it but
 * the admin account `npm run hub -- create-admin` makes: the admin builds the grid tree from the
 * duty page, creates a grid worker's account and puts them on the roster, registers a household;
 * a button registered for it (over the API, as an installer does) presses, and the worker's
 * console rings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { CHROMIUM, launchBrowser, loginAs, openPage, state } from './console-page.ts';
import { Store } from '../dispatcher/store/store.ts';
import { hashSecretSync } from '../dispatcher/auth/secrets.ts';
import { tempDbPath } from './helpers/hub-harness.ts';

let t: TestHub;
let b: { browser: Browser; close(): Promise<void> };
let admin: Page;
const errors: string[][] = [];
const node = (name: string) => `.duty-node:has(> .duty-name strong[data-v]:text-is("${name}"))`;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)').toBe(true);
  const { dbPath } = tempDbPath();
  const s = Store.open(dbPath);
  s.staff.create({ username: 'chief', displayName: 'chief', role: 'admin', scopeNodeId: null, phone: '' }, hashSecretSync('chief-password'), Date.now());
  s.close();
  t = await startTestHub({ demo: false, dbPath });
  b = await launchBrowser();
  const p = await openPage(b.browser, t.httpUrl);
  errors.push(p.errors);
  admin = p.page;
  await loginAs(admin, 'chief', 'chief-password');
  admin.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await b?.close();
  await t?.stop();
});

async function addNode(parent: string | null, name: string, level: string): Promise<void> {
  const form = parent === null ? '.node-form' : `${node(parent)} .node-form`;
  if (parent !== null) await admin.click(`${node(parent)} .node-toggle`);
  await admin.fill(`${form} input[name=name]`, name);
  await admin.selectOption(`${form} select[name=level]`, level);
  await admin.click(`${form} button[type=submit]`);
  await admin.waitForSelector(node(name));
}

describe('first day', { timeout: 90_000 }, () => {
  it('an admin builds the grid tree, a worker account, a roster and a household; the first call rings the worker', async () => {
    // The households page opened once before any grid exists: its grid list must not be kept from then.
    await admin.goto('/#/households');
    await admin.click('#hh-new');
    await admin.waitForSelector('#hh-editor');
    await admin.click('a.tab[data-page="duty"]');
    await admin.waitForSelector('.duty-body .node-form');
    await addNode(null, '金水区', 'district');
    await addNode('金水区', '花园路街道', 'street');
    await addNode('花园路街道', '农科路社区', 'community');
    // A twin name is refused in the hub's words, and nothing is added.
    await admin.click(`${node('农科路社区')} .node-toggle`);
    expect(await admin.locator(`${node('农科路社区')} .node-form select[name=level] option`).first().getAttribute('value')).toBe('grid');
    await admin.click(`${node('农科路社区')} .node-toggle`);
    await addNode('农科路社区', '一网格', 'grid');
    await admin.click(`${node('农科路社区')} .node-toggle`);
    await admin.fill(`${node('农科路社区')} .node-form input[name=name]`, '一网格');
    await admin.click(`${node('农科路社区')} .node-form button[type=submit]`);
    await admin.waitForSelector(`${node('农科路社区')} .node-form .roster-msg.bad:has-text("already")`);
    expect(t.hub.store.grid.list().map((n) => n.name)).toEqual(['金水区', '花园路街道', '农科路社区', '一网格']);
    const gridId = t.hub.store.grid.list().find((n) => n.name === '一网格')!.id;

    // The worker's account, then a round-the-clock shift on the grid's roster.
    const form = '#staff-admin .staff-create-form';
    await admin.waitForSelector(`${form} select[name=scopeNodeId] option[value="${gridId}"]`, { state: 'attached' });
    await admin.fill(`${form} input[name=username]`, 'wang');
    await admin.fill(`${form} input[name=displayName]`, '王芳');
    await admin.selectOption(`${form} select[name=scopeNodeId]`, String(gridId));
    await admin.fill(`${form} input[name=phone]`, '13800000051');
    await admin.fill(`${form} input[name=password]`, 'wang-password');
    await admin.click(`${form} button[type=submit]`);
    await expect.poll(() => t.hub.store.staff.byUsername('wang')?.scopeNodeId ?? null).toBe(gridId);
    await admin.click(`${node('一网格')} .roster-toggle`);
    const ed = `${node('一网格')} .roster`;
    await admin.waitForSelector(`${ed} .shift-form select[name=staffId] option:text-is("王芳")`, { state: 'attached' });
    await admin.selectOption(`${ed} .shift-form select[name=staffId]`, { label: '王芳' });
    for (let d = 1; d <= 7; d++) await admin.check(`${ed} .shift-form input[name=day][value="${d}"]`);
    await admin.fill(`${ed} .shift-form input[name=start]`, '00:00');
    await admin.fill(`${ed} .shift-form input[name=end]`, '00:00');
    await admin.click(`${ed} .shift-form button[type=submit]`);
    await admin.waitForSelector(`${ed} .shifts li:has-text("00:00–24:00")`);

    // The household, from the devices page.
    await admin.click('a.tab[data-page="devices"]');
    await admin.click('#dev-households');
    await admin.click('#hh-new');
    await admin.selectOption('#hh-grid', String(gridId));
    await admin.fill('#hh-address', '农科路8号院3号楼2单元301室');
    await admin.fill('#hh-residents .resident input[name=name]', '周玉兰');
    await admin.fill('#hh-residents .resident input[name=age]', '86');
    await admin.fill('#hh-contacts .contact input[name=name]', '周涛');
    await admin.fill('#hh-contacts .contact input[name=phone]', '13700000051');
    await admin.click('#hh-save');
    await admin.waitForSelector('#hh-msg.ok');
    const hh = (await t.api('GET', '/api/households?q=301', await t.login('chief', 'chief-password'))).body.households[0];
    expect(hh).toMatchObject({ gridId, residents: [{ name: '周玉兰', age: 86 }] });

    // An installer registers the button; the worker's console rings on its first press.
    const dev = await t.api('POST', '/api/devices', await t.login('chief', 'chief-password'), { id: 'nk-0001', householdId: hh.id });
    const worker = await openPage(b.browser, t.httpUrl);
    errors.push(worker.errors);
    await loginAs(worker.page, 'wang', 'wang-password');
    const { alertId } = await (await t.device('nk-0001', dev.body.secret)).send('press');
    await worker.page.waitForSelector(`article.card[data-id="${alertId}"]`, { timeout: 5000 });
    expect(await worker.page.textContent(`article.card[data-id="${alertId}"]`)).toContain('周玉兰');
    await expect.poll(async () => (await state(worker.page)).ringing).toBe(true);

    // The day's changes are in the audit log, under the statistics, with who made them.
    await admin.click('a.tab[data-page="stats"]');
    await admin.waitForSelector('#audit tr');
    await admin.fill('#audit input[name=target]', '/api/households');
    await admin.selectOption('#audit select[name=action]', 'admin_change');
    await admin.click('#audit button[type=submit]');
    await admin.waitForFunction(() => [...document.querySelectorAll('#audit tr')].length === 1);
    expect(await admin.textContent('#audit tr')).toContain('chief');
    expect(await admin.textContent('#audit tr')).toContain('POST /api/households');
    const worker2 = await openPage(b.browser, t.httpUrl);
    errors.push(worker2.errors);
    await loginAs(worker2.page, 'wang', 'wang-password');
    await worker2.page.click('a.tab[data-page="stats"]');
    await worker2.page.waitForSelector('.stats .section-head');
    expect(await worker2.page.locator('#audit').count()).toBe(0); // admins only
    expect(errors.flat()).toEqual([]);
  });
});
