/** Helpers for driving the console in headless Debian Chromium (playwright-core). */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer } from 'node:net';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];

/**
 * One browser; chromium.launch() gives it a fresh temporary profile (user-data-dir) of its own and
 * removes it on close. Pages get their own contexts, so each has its own login.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return { browser, async close() { await browser.close(); } };
}

/**
 * A page in its own context (own localStorage), that records every call card id it ever
 * rendered (window.__seenIds) and fails the test on uncaught page errors.
 */
export async function openPage(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 900 }, scale = 1,
  storageState?: Awaited<ReturnType<BrowserContext['storageState']>>): Promise<{ page: Page; ctx: BrowserContext; errors: string[] }> {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor: scale, baseURL: baseUrl, storageState });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    const w = window as unknown as { __seenIds: Record<string, number> };
    w.__seenIds = {};
    new MutationObserver((muts) => {
      for (const m of muts) for (const n of m.addedNodes) {
        if (n instanceof HTMLElement && n.matches('article.card') && n.dataset.id && !(n.dataset.id in w.__seenIds)) w.__seenIds[n.dataset.id] = Date.now();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  return { page, ctx, errors };
}

export async function loginAs(page: Page, username: string, password = 'demo-pass'): Promise<void> {
  await page.goto('/');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#conn-state[data-state="live"]', { timeout: 10_000 });
}

/** Opens a page, logs `user` in, and collects the page's script errors into `errors`. */
export async function openLoggedIn(browser: Browser, baseUrl: string, user: string, errors: string[][]): Promise<Page> {
  const p = await openPage(browser, baseUrl);
  errors.push(p.errors);
  await loginAs(p.page, user);
  return p.page;
}

export const card = (id: string) => `article.card[data-id="${id}"]`;

export async function state(page: Page): Promise<{ user: string | null; conn: string; armed: boolean; ringing: boolean; beeps: number; lastSeq: number | null; connects: number; open: string[] }> {
  return page.evaluate(() => (window as any).__anxin.state());
}

/** Visible text of the UI that is not server data (data-v) nor a language name shown in its own language (data-own-lang). */
export async function visibleUiText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el) continue;
      if (el.closest('[data-v], [data-own-lang], title, script, style, noscript')) continue;
      if (!el.checkVisibility?.() || el.closest('[hidden]')) continue;
      out.push(text);
    }
    return out;
  });
}

export const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
