/**
 * The console app: login or shell (header, banners, one page at a time), the live feed into
 * the alert book, and the alarm. Pages: #/calls (default), #/duty, #/devices, #/stats, #/rf, and
 * #/households, reached from the devices page (its tab stays lit there).
 */
import { h, tx, v, clear } from './dom.js';
import { t, getLang, setLang, onLang } from './i18n.js';
import { api, session, logout, onAuthLost } from './api.js';
import { AlertBook } from './queue.js';
import { LiveFeed } from './live.js';
import { Alarm, setFavicon, ICON_CALM } from './alarm.js';
import { ScreenAwake } from './screen-awake.js';
import { loginView } from './view-login.js';
import { CallsView } from './view-calls.js';
import { DevicesView } from './view-devices.js';
import { StatsView } from './view-stats.js';
import { RfView } from './view-rf.js';
import { DutyView } from './view-duty.js';
import { HouseholdsView } from './view-households.js';
import { throttle } from './throttle.js';

const PAGES = { calls: CallsView, duty: DutyView, devices: DevicesView, stats: StatsView, rf: RfView, households: HouseholdsView };
/** The tabs: five share a 360 px phone's row. The households page lights its parent's tab. */
const TABS = ['calls', 'duty', 'devices', 'stats', 'rf'];
const tabOf = (page) => (page === 'households' ? 'devices' : page);

class App {
  constructor(root) {
    this.root = root;
    this.book = new AlertBook();
    this.alarm = new Alarm();
    this.alarm.onChange = () => this.renderStatus();
    this.awake = new ScreenAwake(() => this.renderStatus());
    this.user = null;
    this.serverOffset = 0;
    /** Alerts of a snapshot still to come (a big one arrives in pages). */
    this.receiving = 0;
    this.conn = { state: 'connecting' };
    this.page = null;
    this.view = null;
    this.views = {};
    this.feed = new LiveFeed({
      token: () => session.load()?.token ?? null,
      onFrame: (f) => this.frame(f),
      onStatus: (s) => { this.conn = s; this.renderStatus(); },
      onAuthLost: () => this.authLost(),
    });
    onAuthLost(() => this.authLost());
    onLang(() => this.relabel());
    window.addEventListener('hashchange', () => this.route());
    setInterval(() => this.tick(), 1000);
    // The list is redrawn at most ten times a second; the alarm below still hears every change at once.
    this.renderCalls = throttle(() => { if (this.view instanceof CallsView) this.view.render(); }, 100);
  }

  now() { return Date.now() + this.serverOffset; }

  async boot() {
    const s = session.load();
    if (!s) return this.showLogin();
    this.user = s.user;
    try {
      const me = await api('GET', '/api/me');
      this.user = me.user;
    } catch (err) {
      if (err.status === 401) return; // authLost() has already shown the login
    }
    this.showShell();
  }

  showLogin(message) {
    this.feed.stop();
    this.view?.unmount?.();
    this.view = null;
    this.views = {};
    this.user = null;
    this.book.clear();
    this.alarm.reset();
    this.awake.release();
    setFavicon(ICON_CALM);
    clear(this.root).append(loginView({ message, arm: () => this.alarm.arm(), langSwitch: langButton(), onLoggedIn: (user) => { this.user = user; this.showShell(); } }));
    document.documentElement.lang = getLang() === 'en' ? 'en' : 'zh-CN';
  }

  authLost() {
    if (!this.user) return;
    session.clear();
    this.showLogin('login.expired');
  }

  /** Header, banners and the page container; the current page view is (re)attached by the caller. */
  buildShell() {
    this.statusEls = {
      conn: h('span.conn', { id: 'conn-state' }),
      sound: h('button.sound', { type: 'button', id: 'sound-toggle', onclick: () => (this.alarm.armed ? this.alarm.mute() : this.alarm.arm()) }),
      awake: this.awake.supported ? h('button.small.awake', { type: 'button', id: 'awake-toggle', onclick: () => this.awake.toggle() }) : null,
      waiting: h('span.nav-badge', { id: 'waiting-badge' }),
      connBanner: h('div.banner.conn-banner', { id: 'conn-banner', role: 'alert', hidden: true }),
      soundBanner: h('div.banner.sound-banner', { id: 'sound-banner', hidden: true }),
      callStrip: h('a.banner.call-strip', { id: 'call-strip', href: '#/calls', hidden: true }),
      // A password someone else set: the hub holds this account's changes (not its calls) until it sets its own.
      passwordBanner: h('div.banner.password-banner', { id: 'password-banner', role: 'status', hidden: true },
        tx('span', 'me.mustChange'), tx('button.small', 'me.mustChangeGo', null, { type: 'button', id: 'password-go', onclick: () => this.toPasswordForm() })),
    };
    const nav = h('nav.tabs', TABS.map((p) => h('a.tab', { href: `#/${p}`, 'data-page': p, class: p === tabOf(this.page) ? 'on' : '' },
      tx('span', `nav.${p}`), p === 'calls' ? this.statusEls.waiting : null)));
    const header = h('header.top',
      h('div.brand', tx('span', 'app.brand')),
      nav,
      h('div.tools', this.statusEls.conn, this.statusEls.sound, this.statusEls.awake, langButton(),
        h('span.who', v('span', this.user?.displayName ?? '')),
        tx('button.small.logout', 'nav.logout', null, { type: 'button', id: 'logout', onclick: () => this.logout() })));
    this.main = h('main.page', { id: 'page' });
    clear(this.root).append(header, this.statusEls.connBanner, this.statusEls.soundBanner, this.statusEls.callStrip, this.statusEls.passwordBanner, this.main);
    document.documentElement.lang = getLang() === 'en' ? 'en' : 'zh-CN';
    this.alarm.setTitles(t('app.title'), t('app.newCall'));
  }

  showShell() {
    this.buildShell();
    this.view?.unmount?.();
    this.view = null;
    this.page = null;
    this.route();
    if (this.feed.stopped) this.feed.start();
    this.awake.sync();
    this.changed();
  }

  route() {
    if (!this.user) return;
    const want = (location.hash.replace(/^#\/?/, '') || 'calls').split('?')[0];
    const page = PAGES[want] ? want : 'calls';
    if (page === this.page && this.view) return this.view.hashChanged?.();
    this.view?.unmount?.();
    this.page = page;
    // Views are kept while logged in, so a half-filled resolve form survives a look at another page.
    this.view = this.views[page] ?? (this.views[page] = new PAGES[page](this));
    clear(this.main);
    this.view.mount(this.main);
    for (const a of this.root.querySelectorAll('.tab')) a.classList.toggle('on', a.dataset.page === tabOf(page));
    this.renderStatus();
  }

  relabel() {
    document.documentElement.lang = getLang() === 'en' ? 'en' : 'zh-CN';
    if (!this.user) return this.showLogin();
    this.buildShell();
    if (this.view) {
      this.main.append(this.view.root);
      this.view.relabel();
    }
    this.renderStatus();
  }

  frame(f) {
    if (f.type === 'hello' || f.type === 'resumed') this.receiving = 0;
    if (f.type === 'hello') {
      this.serverOffset = f.serverTime - Date.now();
      if (f.user) this.user = f.user;
    } else if (f.type === 'snapshot' || f.type === 'snapshot_page') {
      this.receiving = f.remaining || 0;
      this.book.snapshotPage(f.alerts ?? [], f.type === 'snapshot', !f.remaining);
      this.changed();
    } else if (f.type === 'change' && f.alert) {
      if (this.book.apply(f.alert)) this.changed();
    } else if (f.type === 'duty') {
      this.view?.dutyChanged?.(f.edited === true);
    }
    // Back online: hints may have been missed meanwhile. Not as an edit: after a hub restart every duty page would ask for its gaps at once.
    if (f.type === 'hello') this.view?.dutyChanged?.();
  }

  applyAlert(alert) {
    this.book.apply(alert);
    this.changed();
  }

  changed() {
    this.renderCalls();
    const ringing = this.book.ringing(this.user);
    this.alarm.update(ringing, (c) => ({ title: t('notify.title'), body: `${c.household?.address ?? c.deviceId ?? ''} ${c.household?.residents?.[0]?.name ?? ''}`.trim() }));
    this.renderStatus();
  }

  renderStatus() {
    const el = this.statusEls;
    if (!el || !this.user) return;
    const c = this.conn;
    el.conn.className = `conn ${c.state}`;
    el.conn.replaceChildren(tx('span', c.state === 'live' ? 'conn.live' : c.state === 'down' ? 'conn.down' : 'conn.connecting'));
    el.conn.dataset.state = c.state;
    el.connBanner.hidden = !(c.state === 'down' || (c.state === 'connecting' && c.attempt > 0));
    if (!el.connBanner.hidden) {
      const secs = c.retryAt ? Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000)) : 0;
      el.connBanner.replaceChildren(tx('span', 'conn.down'), ' ', secs > 0 ? tx('span.retry', 'conn.retryIn', { n: secs }) : null, ' ',
        tx('button.small', 'conn.retryNow', null, { type: 'button', onclick: () => this.feed.retryNow() }));
    }
    const armed = this.alarm.armed;
    el.sound.className = `sound ${armed ? 'on' : 'off'}`;
    el.sound.dataset.armed = String(armed);
    el.sound.replaceChildren(h('span.dot', armed ? '●' : '○'), ' ', tx('span', armed ? 'sound.on' : 'sound.muted'));
    el.sound.title = t(armed ? 'sound.mute' : 'sound.turnOn');
    el.soundBanner.hidden = armed;
    if (el.awake) {
      const a = this.awake;
      el.awake.className = `small awake ${a.held ? 'on' : a.wanted ? 'refused' : 'off'}`;
      el.awake.dataset.state = a.held ? 'on' : a.wanted ? 'refused' : 'off';
      // On a phone only the sun shows, coloured by the state (console.css); the words are its title.
      el.awake.replaceChildren(h('span.dot', a.held ? '●' : '○'), h('span.awake-icon', { 'aria-hidden': 'true' }, '\u2600\uFE0E'), tx('span.awake-label', 'awake.label'));
      el.awake.title = t(a.held ? 'awake.on' : a.wanted ? 'awake.refused' : 'awake.off', { why: a.failed ?? '' });
      el.awake.setAttribute('aria-label', el.awake.title);
    }
    if (!armed) {
      el.soundBanner.replaceChildren(tx('strong', 'sound.off'), ' ',
        tx('button.big.primary', 'sound.turnOn', null, { type: 'button', id: 'arm-sound', onclick: () => this.alarm.arm() }));
    }
    const waiting = this.book.calls().filter((a) => a.state === 'raised' || a.state === 'cancelled').length;
    el.waiting.textContent = waiting ? String(waiting) : '';
    el.waiting.hidden = !waiting;
    el.passwordBanner.hidden = !this.user.mustChangePassword;
    el.callStrip.hidden = !(this.alarm.ringing && this.page !== 'calls');
    if (!el.callStrip.hidden) el.callStrip.replaceChildren(tx('strong', 'app.newCall'));
  }

  toPasswordForm() {
    if (location.hash === '#/duty?password') this.view?.hashChanged?.();
    else location.hash = '#/duty?password';
  }

  /** The holder set their own password: the hub no longer holds their changes. */
  ownPasswordSet() {
    if (this.user) this.user = { ...this.user, mustChangePassword: false };
    this.renderStatus();
  }

  tick() {
    if (this.view instanceof CallsView) this.view.tick(this.now());
    if (this.conn.state !== 'live') this.renderStatus();
  }

  async logout() {
    this.feed.stop();
    await logout();
    this.user = null;
    this.showLogin();
  }
}

/** The switch names the other language in that language (中文 / English), as is the custom. */
function langButton() {
  const other = getLang() === 'en' ? 'zh' : 'en';
  return h('button.small.lang', { type: 'button', id: 'lang-switch', lang: other === 'zh' ? 'zh-CN' : 'en', 'data-own-lang': '', onclick: () => setLang(other) }, other === 'zh' ? '中文' : 'English');
}

const app = new App(document.getElementById('app'));
// Small hooks for tests and for people debugging at a desk.
window.__anxin = {
  app,
  killSocket: (holdMs = 0) => app.feed.kill(holdMs),
  state: () => ({
    user: app.user?.username ?? null, conn: app.conn.state, armed: app.alarm.armed, ringing: app.alarm.ringing, beeps: app.alarm.beeps,
    buzzes: app.alarm.buzzes, awake: app.awake.held,
    lastSeq: app.feed.lastSeq, connects: app.feed.connects, open: [...app.book.open.keys()],
  }),
};
app.boot();
