/**
 * Keeping a duty phone's screen on (Screen Wake Lock API). A phone whose screen goes dark soon
 * freezes the page: its live connection drops, and a call would not ring until someone woke the
 * phone. So on a touch screen the console keeps the screen on by default while it is open; on a
 * desk computer it is off by default. Either way the user's choice is kept on this device.
 * The browser drops the lock whenever the page is hidden; it is asked for again when the page
 * shows. Where the browser has no such API, the switch is not offered.
 */
const KEY = 'anxin.keepAwake';

export class ScreenAwake {
  constructor(onChange = () => {}) {
    this.onChange = onChange;
    this.supported = typeof navigator !== 'undefined' && 'wakeLock' in navigator;
    this.lock = null;
    this.failed = null;
    this.wanted = this.supported && readChoice();
    if (this.supported) document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') this.sync(); });
  }

  /** True while the browser holds the screen on for this page. */
  get held() {
    return !!this.lock && !this.lock.released;
  }

  toggle() {
    this.wanted = !this.wanted;
    try { localStorage.setItem(KEY, this.wanted ? 'on' : 'off'); } catch { /* private mode: for this visit only */ }
    this.sync();
  }

  /** Holds or lets go of the lock to match the choice; a refusal (battery saver, policy) is shown, not thrown. */
  async sync() {
    if (!this.supported) return;
    if (!this.wanted) {
      const l = this.lock;
      this.lock = null;
      this.failed = null;
      await l?.release().catch(() => {});
      return this.onChange();
    }
    if (this.held || document.visibilityState !== 'visible') return this.onChange();
    try {
      this.lock = await navigator.wakeLock.request('screen');
      this.failed = null;
      this.lock.addEventListener('release', () => this.onChange());
    } catch (err) {
      this.lock = null;
      this.failed = err?.name ?? 'Error';
    }
    this.onChange();
  }

  /** Logging out: the screen may sleep again, but the choice stays for the next login. */
  release() {
    const l = this.lock;
    this.lock = null;
    l?.release().catch(() => {});
  }
}

function readChoice() {
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch { /* no storage */ }
  if (saved === 'on' || saved === 'off') return saved === 'on';
  return typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
}
