/**
 * Getting attention: a loud repeating two-tone siren (WebAudio, no audio file), a phone's
 * vibration with each burst, a flashing tab title and favicon, and system notifications where
 * the user allowed them. Browsers only let a page make sound (and vibrate) after a click, so
 * arm() must run inside a click handler. Muting stops the vibration too.
 */
const SIREN_EVERY_MS = 2000;
/** Three long pulses, inside the siren's period: felt in a pocket, and not one continuous buzz. */
const BUZZ_MS = [500, 150, 500, 150, 500];

const icon = (fill) => `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="${fill}"/><path d="M32 14v22M32 44v6" stroke="#fff" stroke-width="8" stroke-linecap="round"/></svg>`)}`;
const ICON_CALM = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#2f6f5e"/><path d="M20 33l8 8 16-18" stroke="#fff" stroke-width="7" fill="none" stroke-linecap="round"/></svg>')}`;
const ICON_ALERT = icon('#e02b20');
const ICON_ALERT2 = icon('#ffd23f');

export class Alarm {
  constructor() {
    this.ctx = null;
    this.muted = false;
    this.ringing = false;
    this.sirenTimer = null;
    this.flashTimer = null;
    this.flashOn = false;
    this.baseTitle = document.title;
    this.alertTitle = '';
    this.notified = new Set();
    this.beeps = 0;
    this.buzzes = 0;
    this.onChange = () => {};
  }

  /** Must be called from a click: creates/resumes the audio context and asks for notifications. */
  arm() {
    try {
      const AC = window.AudioContext || window.webkitAudioContext;
      if (!this.ctx && AC) {
        this.ctx = new AC();
        this.ctx.onstatechange = () => this.onChange();
      }
      this.ctx?.resume?.();
    } catch { /* no audio on this device */ }
    this.muted = false;
    if ('Notification' in window && Notification.permission === 'default') {
      Notification.requestPermission().catch(() => {});
    }
    if (this.ringing) this.attention();
    this.onChange();
  }

  /** Sound is armed: the audio context runs and the user has not muted it. */
  get armed() {
    return !!this.ctx && this.ctx.state === 'running' && !this.muted;
  }

  mute() {
    this.muted = true;
    vibrate(0);
    this.onChange();
  }

  setTitles(base, alertTitle) {
    this.baseTitle = base;
    this.alertTitle = alertTitle;
    if (!this.ringing) document.title = base;
  }

  /** Turns the siren and flashing on or off; `calls` are the ringing calls (for notifications). */
  update(calls, describe) {
    const ring = calls.length > 0;
    for (const c of calls) {
      if (this.notified.has(c.id)) continue;
      this.notified.add(c.id);
      this.notify(c, describe);
    }
    if (ring === this.ringing) return;
    this.ringing = ring;
    clearInterval(this.sirenTimer);
    clearInterval(this.flashTimer);
    if (ring) {
      this.attention();
      this.sirenTimer = setInterval(() => this.attention(), SIREN_EVERY_MS);
      this.flash();
      this.flashTimer = setInterval(() => this.flash(), 800);
    } else {
      vibrate(0);
      this.flashOn = false;
      document.title = this.baseTitle;
      setFavicon(ICON_CALM);
    }
    this.onChange();
  }

  flash() {
    this.flashOn = !this.flashOn;
    document.title = this.flashOn ? `● ${this.alertTitle}` : `○ ${this.alertTitle}`;
    setFavicon(this.flashOn ? ICON_ALERT : ICON_ALERT2);
  }

  /** One siren burst and, on a phone, one vibration, unless muted. */
  attention() {
    this.siren();
    if (!this.muted && vibrate(BUZZ_MS)) this.buzzes++;
  }

  /** One burst of a loud two-tone siren, about 1.2 s long. */
  siren() {
    if (!this.armed) return;
    const ctx = this.ctx;
    const t0 = ctx.currentTime + 0.02;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    for (let i = 0; i < 4; i++) osc.frequency.setValueAtTime(i % 2 ? 660 : 960, t0 + i * 0.3);
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.6, t0 + 0.03);
    gain.gain.setValueAtTime(0.6, t0 + 1.15);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 1.2);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + 1.22);
    this.beeps++;
  }

  notify(call, describe) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      const { title, body } = describe(call);
      const n = new Notification(title, { body, tag: call.id, requireInteraction: true });
      n.onclick = () => { window.focus(); n.close(); };
    } catch { /* some browsers only allow notifications from a service worker */ }
  }

  reset() {
    this.update([], () => ({}));
    this.notified.clear();
  }
}

/** False where the device cannot vibrate, or the browser has not yet seen a tap on the page. */
function vibrate(pattern) {
  try { return typeof navigator.vibrate === 'function' && navigator.vibrate(pattern); } catch { return false; }
}

export function setFavicon(href) {
  let link = document.querySelector('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.append(link);
  }
  link.href = href;
}

export { ICON_CALM };
