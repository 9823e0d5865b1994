/**
 * Who is on duty (#/duty) in headless Debian Chromium: the community leader sees each grid's
 * staff on duty with presence and where a call would ring, edits a grid's roster (a shift added
 * and deleted with two taps, a leave that uncovers the grid, the escalation time, a change the
 * hub refuses, in the hub's words, the roster gap a leave opens) and manages a grid worker's account; a grid worker reads their own roster without controls;
 * an admin renames and moves a node and removes one added by mistake; a worker whose password a leader set is led to set their own;
 * English leaves no CJK, and five tabs fit a 360 px phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { CHROMIUM, CJK, launchBrowser, loginAs, openLoggedIn, openPage, state, visibleUiText } from './console-page.ts';

let t: TestHub;
let b: { browser: Browser; close(): Promise<void> };
let leader: Page;
const errors: string[][] = [];
const nodeIds = new Map<string, number>();
const row = (name: string) => `.duty-node[data-node="${nodeIds.get(name)}"]`;
// ANXIN_SCREENSHOTS=1 writes docs/screenshots/console-duty-{desktop,phone}.png; otherwise a temp dir.
const shots = () => (process.env.ANXIN_SCREENSHOTS === '1' ? 'docs/screenshots' : (shotDir ??= mkdtempSync(join(tmpdir(), 'anxin-duty-shots-'))));
let shotDir: string | undefined;

async function openDuty(page: Page): Promise<void> {
  await page.click('a.tab[data-page="duty"]');
  await page.waitForSelector('.duty-node', { timeout: 10_000 });
}

async function refresh(page: Page): Promise<void> {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/duty');
  await page.click('#duty-refresh');
  await answered;
  await page.waitForTimeout(100);
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)').toBe(true);
  t = await startTestHub();
  for (const n of t.hub.store.grid.list()) nodeIds.set(n.name, n.id);
  b = await launchBrowser();
  leader = await openLoggedIn(b.browser, t.httpUrl, 'community', errors);
}, 60_000);

afterAll(async () => {
  await b?.close();
  await t?.stop();
});

describe('duty page', { timeout: 60_000 }, () => {
  it('shows who is on duty, who is connected, and where a call would ring', async () => {
    await openDuty(leader);
    expect(await leader.locator('.duty-node').count()).toBe(3);
    // The demo's rosters cover every grid around the clock: no gaps in the next 7 days.
    expect(await (await leader.waitForSelector('#gaps-none')).textContent()).toBe('未来 7 天内，2 个网格每时每刻都有本级人员值班。');
    // Only the leader's console is open: both grids' workers are on duty but not online, so their calls go up at once.
    expect(await leader.textContent('#duty-offline strong')).toBe('2');
    expect(await leader.textContent(`${row('第一网格')} .duty-ring`)).toContain('商城花园社区');
    expect(await leader.getAttribute(`${row('第一网格')} .duty-person`, 'class')).toContain('off');
    expect(await leader.getAttribute(`${row('第一网格')} a.tel`, 'href')).toMatch(/^tel:\d+/);
    expect(await leader.textContent(`${row('商城花园社区')} .duty-ring .flag`)).toContain('1');

    // grid1 opens a console: the hub tells the open page, which shows it within seconds, with no refresh.
    const grid1 = await t.console('grid1');
    // Within the hint's 5 s gap (the leader's own console was told moments ago) and its 1 s spread.
    await leader.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('on'), `${row('第一网格')} .duty-person`, { timeout: 10_000 });
    expect(await leader.textContent(`${row('第一网格')} .duty-ring .flag`)).toContain('本级');
    expect(await leader.textContent('#duty-offline strong')).toBe('1');
    grid1.close();
    await leader.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('off'), `${row('第一网格')} .duty-person`, { timeout: 10_000 });
    await refresh(leader); // the button still asks at once
    expect(await leader.textContent('#duty-offline strong')).toBe('2');
  });

  it('a leader adds a shift, deletes it with a second tap, and puts a worker on leave', async () => {
    await leader.click(`${row('第二网格')} .roster-toggle`);
    const ed = `${row('第二网格')} .roster`;
    await leader.waitForSelector(`${ed} .shift-form`);
    expect(await leader.locator(`${ed} .shifts li`).count()).toBe(1); // the demo worker, every day
    expect(await leader.textContent(`${ed} .shifts li`)).toContain('每天');

    // Without a day the form says so and sends nothing.
    await leader.selectOption(`${ed} .shift-form select[name=staffId]`, { label: '张敏 (社区网格长)' });
    await leader.fill(`${ed} .shift-form input[name=start]`, '08:00');
    await leader.fill(`${ed} .shift-form input[name=end]`, '18:00');
    await leader.click(`${ed} .shift-form button[type=submit]`);
    expect(await leader.textContent(`${ed} .roster-msg`)).toBe('请至少选择一天');
    for (const d of [1, 2, 3, 4, 5]) await leader.check(`${ed} .shift-form input[name=day][value="${d}"]`);
    await leader.click(`${ed} .shift-form button[type=submit]`);
    await leader.waitForFunction((sel) => document.querySelectorAll(`${sel} .shifts li`).length === 2, ed);
    expect(await leader.locator(`${ed} .shifts li`, { hasText: '周一–周五' }).textContent()).toContain('08:00–18:00');
    const grid2Node = t.hub.store.grid.list().find((n) => n.name === '第二网格')!;
    expect(t.hub.store.rosters.shifts(grid2Node.id)).toHaveLength(2);

    // One tap arms the delete; the second removes the shift.
    const del = leader.locator(`${ed} .shifts li`, { hasText: '周一–周五' }).locator('.roster-delete');
    await del.click();
    expect(await del.textContent()).toBe('确认删除？');
    expect(t.hub.store.rosters.shifts(grid2Node.id)).toHaveLength(2);
    await del.click();
    await leader.waitForFunction((sel) => document.querySelectorAll(`${sel} .shifts li`).length === 1, ed);
    expect(t.hub.store.rosters.shifts(grid2Node.id)).toHaveLength(1);

    // A change the hub refuses (ends before it starts) shows the hub's reason and changes nothing.
    const grid2Name = (await leader.textContent(`${ed} .shifts li strong`))!;
    await leader.selectOption(`${ed} .override-form select[name=staffId]`, { label: grid2Name });
    await leader.selectOption(`${ed} .override-form select[name=kind]`, 'leave');
    const to = await leader.inputValue(`${ed} .override-form input[name=to]`);
    await leader.fill(`${ed} .override-form input[name=from]`, to);
    await leader.fill(`${ed} .override-form input[name=to]`, (await leader.inputValue(`${ed} .override-form input[name=to]`)).replace(/T\d\d:\d\d/, 'T00:00'));
    await leader.click(`${ed} .override-form button[type=submit]`);
    await leader.waitForSelector(`${ed} .roster-msg.bad:has-text("endsAt")`);
    expect(t.hub.store.rosters.overrides(grid2Node.id, 0)).toEqual([]);

    // Leave from now for 8 hours: the grid has nobody on duty. The times are typed as the community's
    // clock shows them (Asia/Shanghai), whatever zone the browser is in (the machine's: UTC here).
    const wall = (ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(ms).replace(' ', 'T');
    await leader.fill(`${ed} .override-form input[name=from]`, wall(Date.now() - 60_000));
    await leader.fill(`${ed} .override-form input[name=to]`, wall(Date.now() + 8 * 3_600_000));
    await leader.click(`${ed} .override-form button[type=submit]`);
    await leader.waitForSelector(`${ed} .overrides li:has-text("请假")`);
    await leader.waitForSelector(`${row('第二网格')}.c-empty`);
    expect(await leader.textContent(`${row('第二网格')} .duty-people`)).toContain('当前无人值班');
    // The gap the leave opens is under the board, with where the grid's calls go meanwhile.
    const gap = await leader.waitForSelector(`#roster-gaps .gap-node[data-node="${grid2Node.id}"] li.up`);
    expect(await gap.textContent()).toContain('本级无人，呼叫直接转到 商城花园社区');
    expect(await leader.textContent('#roster-gaps')).toMatch(/1 个节点的排班有空档，其中 0 个/);
    // One tap from the gap to that grid's roster: closed here, it opens.
    await leader.click(`${row('第二网格')} .roster-toggle`);
    await leader.waitForSelector(ed, { state: 'detached' });
    await leader.click(`#roster-gaps .gap-node[data-node="${grid2Node.id}"] .gap-roster`);
    await leader.waitForSelector(`${ed} .override-form`);
    const leave = t.hub.store.rosters.overrides(grid2Node.id, Date.now());
    expect(leave).toEqual([expect.objectContaining({ onDuty: false })]);
    expect(Math.abs(leave[0].endsAt - (Date.now() + 8 * 3_600_000))).toBeLessThan(5 * 60_000);
    // The roster stays open while the board is redrawn.
    await refresh(leader);
    expect(await leader.isVisible(`${ed} .override-form`)).toBe(true);
    // Someone else (an admin, elsewhere) takes the leave back: the hub's hint says a roster was edited,
    // so the gap goes from this page without a Refresh (within the hint's 5 s gap and its spread).
    const other = await t.login('admin');
    expect((await t.api('DELETE', `/api/grid/${grid2Node.id}/roster/overrides/${leave[0].id}`, other)).status).toBe(200);
    await leader.waitForSelector(`#roster-gaps .gap-node[data-node="${grid2Node.id}"]`, { state: 'detached', timeout: 15_000 });

    // Escalation time: 90 s for this grid, shown on the board.
    await leader.fill(`${ed} .escalate-form input`, '90');
    await leader.click(`${ed} .escalate-form button[type=submit]`);
    await leader.waitForSelector(`${row('第二网格')} .duty-ring:has-text("1 分 30 秒")`);
    expect(t.hub.store.grid.find(grid2Node.id)!.escalateAfterS).toBe(90);
  });

  it('a leader adds a grid worker account, changes its phone, gives it a new password and disables it with a second tap', async () => {
    const box = '#staff-admin';
    await leader.waitForSelector(`${box} .staff-create-form`);
    expect(await leader.locator(`${box} .staff-create-form select[name=role] option`).allTextContents()).toEqual(['网格员']);
    const form = `${box} .staff-create-form`;
    await leader.fill(`${form} input[name=username]`, 'grid1');
    await leader.fill(`${form} input[name=displayName]`, '陈静');
    await leader.selectOption(`${form} select[name=scopeNodeId]`, String(nodeIds.get('第一网格')));
    await leader.fill(`${form} input[name=password]`, 'first-pass-1');
    await leader.click(`${form} button[type=submit]`);
    await leader.waitForSelector('#staff-msg.bad:has-text("taken")'); // the hub's reason
    await leader.fill(`${form} input[name=username]`, 'grid1c');
    await leader.click(`${form} button[type=submit]`);
    const account = () => t.hub.store.staff.byUsername('grid1c');
    // The hub hashes the password and waits for the disk before it answers: on a loaded machine that is more than expect.poll's default second.
    await expect.poll(() => account()?.displayName ?? null, { timeout: 10_000 }).toBe('陈静');
    const row = `${box} .staff-row[data-staff="${account()!.id}"]`;
    await leader.waitForSelector(row);

    await leader.click(`${row} .staff-edit`);
    await leader.fill(`${row} .staff-edit-form input[name=phone]`, '13800000031');
    await leader.click(`${row} .staff-edit-form button[type=submit]`);
    await expect.poll(() => account()!.phone, { timeout: 10_000 }).toBe('13800000031');
    await leader.waitForSelector(`${row} .staff-edit-form`, { state: 'detached' }); // closed once the hub said yes

    await leader.click(`${row} .staff-password`);
    await leader.fill(`${row} .staff-password-form input[name=newPassword]`, 'second-pass-2');
    await leader.click(`${row} .staff-password-form button[type=submit]`);
    await leader.waitForSelector(`${row} .staff-password-form`, { state: 'detached' }); // closed once the hub said yes
    expect((await t.api('POST', '/api/session', undefined, { username: 'grid1c', password: 'second-pass-2' })).status).toBe(200);

    await leader.click(`${row} .staff-disable`);
    expect(account()!.disabled).toBe(false);
    await leader.click(`${row} .staff-disable`);
    await expect.poll(() => account()!.disabled, { timeout: 10_000 }).toBe(true);
    await leader.waitForSelector(`${row}.disabled .staff-enable`);
  });

  it('a leader imports grid workers with their shifts from a sheet, and downloads their first passwords once; the board shows them on duty', async () => {
    await leader.waitForSelector('#staff-import');
    expect(await leader.getAttribute('#staff-template', 'download')).toBe('staff-template.csv');
    const sheet = Buffer.from('\uFEFF账号,姓名,网格,值班日,开始,结束\r\nqian.hua,钱华,第二网格,每天,00:00,24:00\r\n');
    await leader.setInputFiles('#staff-import-file', { name: 'staff-and-shifts.csv', mimeType: 'text/csv', buffer: sheet });
    await leader.click('#staff-import-send');
    await leader.waitForSelector('#staff-import-msg.ok:has-text("新增 1 个账号，修改 0 个，0 个已有且无变化")');
    const [download] = await Promise.all([leader.waitForEvent('download'), leader.click('#staff-passwords')]);
    expect(download.suggestedFilename()).toBe('first-passwords.csv');
    const lines = (await import('node:fs')).readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('账号,姓名,初始密码,表格行');
    const [username, , password] = lines[1].split(',');
    expect(username).toBe('qian.hua');
    expect((await t.api('POST', '/api/session', undefined, { username, password })).body.user.mustChangePassword).toBe(true);
    const id = t.hub.store.staff.byUsername('qian.hua')!.id;
    await leader.waitForSelector(`#staff-admin .staff-row[data-staff="${id}"] .staff-pending`); // the list shows the new account, its password still to set
    await refresh(leader);
    expect(await leader.textContent(row('第二网格'))).toContain('钱华'); // on the board, on duty around the clock

    // The same sheet corrected: the page lists the change first and makes it when told.
    const corrected = Buffer.from('\uFEFF账号,姓名,网格,电话,值班日,开始,结束\r\nqian.hua,钱华,第二网格,139 0000 0077,每天,00:00,24:00\r\n');
    await leader.setInputFiles('#staff-import-file', { name: 'staff-and-shifts.csv', mimeType: 'text/csv', buffer: corrected });
    await leader.click('#staff-import-send');
    await leader.waitForSelector('#staff-import-confirm');
    expect(await leader.textContent('#staff-import-rows li')).toBe('第 2 行qian.hua 电话');
    expect(t.hub.store.staff.byUsername('qian.hua')!.phone).toBe('');
    await leader.click('#staff-import-confirm');
    await leader.waitForSelector('#staff-import-msg.ok:has-text("新增 0 个账号，修改 1 个")');
    expect(t.hub.store.staff.byUsername('qian.hua')!.phone).toBe('139 0000 0077');
  });

  it('the staff list finds an account by name, phone or grid, and lists those still on a first password', async () => {
    const staffRows = () => leader.$$eval('#staff-list .staff-row', (rows) => rows.map((r) => Number((r as HTMLElement).dataset.staff)));
    await leader.waitForSelector('#staff-filter');
    expect(await leader.textContent('#staff-count')).toMatch(/^共 \d+ 人$/);
    await leader.fill('#staff-filter', '钱');
    expect(await staffRows()).toEqual([t.hub.store.staff.byUsername('qian.hua')!.id]);
    expect(await leader.textContent('#staff-count')).toMatch(/^找到 1 人（共 \d+ 人）$/);
    await leader.fill('#staff-filter', '第二网格 qian');
    expect((await staffRows())).toHaveLength(1);
    await leader.fill('#staff-filter', 'nobody-called-this');
    expect([await staffRows(), await leader.textContent('#staff-count')]).toEqual([[], '没有符合的账号']);
    await leader.fill('#staff-filter', '');
    await leader.check('#staff-pending-only');
    const pending = await staffRows();
    expect(pending).toContain(t.hub.store.staff.byUsername('qian.hua')!.id);
    for (const id of pending) expect(t.hub.store.staff.get(id)!.mustChangePassword).toBe(true);
    await leader.uncheck('#staff-pending-only');
    expect((await staffRows()).length).toBeGreaterThan(pending.length);
    // The sheet of accounts and shifts, in the import's columns.
    const [sheet] = await Promise.all([leader.waitForEvent('download'), leader.click('#staff-export')]);
    expect(sheet.suggestedFilename()).toBe('staff-and-shifts.csv');
    const rows = (await import('node:fs')).readFileSync((await sheet.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]).toBe('账号,姓名,角色,网格,电话,值班日,开始,结束,值班网格');
    expect(rows.find((r) => r.startsWith('qian.hua,'))).toBe('qian.hua,钱华,网格员,管城区/城东路街道/商城花园社区/第二网格,139 0000 0077,每天,00:00,24:00,');
  });

  it('in English no UI text is Chinese, and on a 360 px phone five tabs fit with nothing wider than the screen', async () => {
    await leader.click('#lang-switch');
    await leader.waitForSelector('html[lang="en"]');
    await leader.waitForSelector(`${row('第二网格')} .roster .shift-form`);
    expect((await visibleUiText(leader)).filter((s) => CJK.test(s))).toEqual([]);
    expect(await leader.textContent('a.tab[data-page="duty"]')).toBe('Duty');
    await leader.evaluate(() => window.scrollTo(0, 0));
    await leader.screenshot({ path: join(shots(), 'console-duty-desktop.png'), animations: 'disabled' });
    await leader.setViewportSize({ width: 360, height: 780 });
    await leader.waitForTimeout(200);
    const wide = await leader.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 361)
      .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 10));
    expect(wide).toEqual([]);
    const tabs = await leader.locator('a.tab').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(new Set(tabs).size).toBe(1); // one row
    await leader.evaluate(() => window.scrollTo(0, 0));
    await leader.screenshot({ path: join(shots(), 'console-duty-phone.png'), animations: 'disabled' });
    await leader.click('#lang-switch');
    await leader.setViewportSize({ width: 1280, height: 900 });
  });

  it('a grid worker sees their own grid, reads its roster without controls, and changes their own password', async () => {
    const grid1 = await openLoggedIn(b.browser, t.httpUrl, 'grid1', errors);
    await openDuty(grid1);
    expect(await grid1.locator('.duty-node').count()).toBe(1);
    await grid1.click(`${row('第一网格')} .roster-toggle`);
    await grid1.waitForSelector(`${row('第一网格')} .roster .shifts li`);
    for (const sel of ['.shift-form', '.override-form', '.escalate-form', '.roster-delete', '.node-edit-toggle', '.node-toggle']) expect(await grid1.locator(sel).count(), sel).toBe(0);
    expect(await grid1.textContent(`${row('第一网格')} .roster`)).toContain('排班由网格长或管理员修改');
    expect(await grid1.locator('#staff-admin').count()).toBe(0);

    // Their own password, at the foot of the page: checked here first, then the hub checks the current one.
    const me = '#me-password';
    await grid1.fill(`${me} input[name=currentPassword]`, 'demo-pass');
    await grid1.fill(`${me} input[name=newPassword]`, 'my-own-pass');
    await grid1.fill(`${me} input[name=repeat]`, 'my-own-pasz');
    await grid1.click(`${me} button[type=submit]`);
    expect(await grid1.textContent('#me-msg')).toBe('两次输入的新密码不一致');
    await grid1.fill(`${me} input[name=currentPassword]`, 'wrong-pass');
    await grid1.fill(`${me} input[name=repeat]`, 'my-own-pass');
    await grid1.click(`${me} button[type=submit]`);
    await grid1.waitForSelector('#me-msg.bad code');
    await grid1.fill(`${me} input[name=currentPassword]`, 'demo-pass');
    await grid1.click(`${me} button[type=submit]`);
    await grid1.waitForSelector('#me-msg.ok');
    expect((await t.api('POST', '/api/session', undefined, { username: 'grid1', password: 'demo-pass' })).status).toBe(401);
    expect((await t.api('POST', '/api/session', undefined, { username: 'grid1', password: 'my-own-pass' })).status).toBe(200);
    expect((await state(grid1)).user).toBe('grid1'); // this session stays
    await grid1.context().close();
    expect(errors.flat()).toEqual([]);
  });
  it('an admin renames and moves a node, is told why a grid with households stays, and removes a node added by mistake with a second tap', async () => {
    const admin = await openLoggedIn(b.browser, t.httpUrl, 'admin', errors);
    await openDuty(admin);
    const community = row('商城花园社区');
    await admin.click(`${community} .node-toggle`);
    await admin.fill(`${community} .node-form input[name=name]`, '第三网络');
    await admin.click(`${community} .node-form button[type=submit]`);
    const typo = admin.locator('.duty-node', { has: admin.locator('.duty-name strong', { hasText: '第三网络' }) });
    await typo.waitFor();
    const typoId = Number(await typo.getAttribute('data-node'));

    // Rename it: the board shows the new name.
    await typo.locator('.node-edit-toggle').click();
    await typo.locator('.node-edit input[name=name]').fill('第三网格');
    await typo.locator('.node-edit button[type=submit]').click();
    await admin.waitForFunction((id) => document.querySelector(`.duty-node[data-node="${id}"] .duty-name strong`)?.textContent === '第三网格', typoId);
    expect(t.hub.store.grid.get(typoId).name).toBe('第三网格');

    // Move it under the street, then back under the community: no call was raised there, so it may.
    const street = nodeIds.get('城东路街道')!;
    const moveTo = async (parentId: number) => {
      await admin.click(`.duty-node[data-node="${typoId}"] .node-edit-toggle`);
      await admin.selectOption(`.duty-node[data-node="${typoId}"] .node-move select`, String(parentId));
      await admin.click(`.duty-node[data-node="${typoId}"] .node-move button`);
      await admin.waitForSelector(`.duty-node[data-node="${typoId}"] .node-edit`, { state: 'detached' });
      expect(t.hub.store.grid.get(typoId).parentId).toBe(parentId);
    };
    await moveTo(street);
    await moveTo(nodeIds.get('商城花园社区')!);

    // A grid with households: two taps, and the hub's reason under the form; the node stays.
    const grid2 = row('第二网格');
    await admin.click(`${grid2} .node-edit-toggle`);
    await admin.click(`${grid2} .node-remove`);
    expect(await admin.textContent(`${grid2} .node-remove`)).toBe('再点一次删除');
    await admin.click(`${grid2} .node-remove`);
    await admin.waitForSelector(`${grid2} .node-edit .roster-msg.bad code`);
    expect(await admin.textContent(`${grid2} .node-edit .roster-msg`)).toMatch(/household/);
    expect(t.hub.store.grid.find(nodeIds.get('第二网格')!)).toBeDefined();

    // The node added by mistake goes.
    const added = `.duty-node[data-node="${typoId}"]`;
    await admin.click(`${added} .node-edit-toggle`);
    await admin.click(`${added} .node-remove`);
    await admin.click(`${added} .node-remove`);
    await admin.waitForSelector(added, { state: 'detached' });
    expect(t.hub.store.grid.find(typoId)).toBeUndefined();
    await admin.context().close();
    expect(errors.flat()).toEqual([]);
  });
  it('a worker whose password a leader set is asked, on every page, to set their own; the banner leads to the form and goes once it is done', async () => {
    const lead = await t.login('community');
    const made = await t.api('POST', '/api/staff', lead, { username: 'w77', displayName: '吴芳', role: 'staff', scopeNodeId: nodeIds.get('第一网格'), password: 'given-pass-77' });
    expect(made.status).toBe(201);
    await leader.reload();
    await openDuty(leader);
    await leader.waitForSelector(`.staff-row[data-staff="${made.body.staff.id}"] .staff-pending`); // the leader sees it is still theirs
    const p = await openPage(b.browser, t.httpUrl, { width: 360, height: 740 }, 2);
    errors.push(p.errors);
    const page = p.page;
    await loginAs(page, 'w77', 'given-pass-77');
    await page.waitForSelector('#password-banner:not([hidden])');
    expect(await page.textContent('#password-banner')).toContain('别人为您设置');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // A change is held, in the console's words; the hub's own reason is in English for API clients.
    const hhId = t.hub.store.devices.householdOf('demo-0002')!;
    await page.goto(`/#/households?id=${hhId}`);
    await page.waitForSelector('#hh-editor');
    await page.fill('#hh-contacts .contact input[name=phone]', '13755556666');
    await page.click('#hh-save');
    await page.waitForSelector('#hh-msg.bad code');
    expect(await page.textContent('#hh-msg.bad code')).toContain('请先设置自己的密码');
    await page.waitForSelector('#password-banner:not([hidden])');
    await page.click('#password-go');
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.name === 'currentPassword');
    await page.fill('#me-password input[name=currentPassword]', 'given-pass-77');
    await page.fill('#me-password input[name=newPassword]', 'wu-fang-own-1');
    await page.fill('#me-password input[name=repeat]', 'wu-fang-own-1');
    await page.click('#me-password button[type=submit]');
    await page.waitForSelector('#me-msg.ok');
    await page.waitForSelector('#password-banner', { state: 'hidden' });
    expect(t.hub.store.staff.byUsername('w77')!.mustChangePassword).toBe(false);
    await p.ctx.close();
    expect(errors.flat()).toEqual([]);
  });
});
