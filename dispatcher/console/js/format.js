/** Times and durations for people, in the current language. */
import { t, locale } from './i18n.js';

const pad = (n) => String(n).padStart(2, '0');

/** A running clock for elapsed time: "04:07" or "1:04:07". */
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** A duration in seconds as words: "45 s", "3 min 05 s", "2 h 10 min"; null → "—". */
export function duration(sec) {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const s = Math.round(sec);
  if (s < 60) return t('unit.s', { n: s });
  if (s < 3600) return t('unit.min', { m: Math.floor(s / 60), s: pad(s % 60) });
  return t('unit.h', { h: Math.floor(s / 3600), m: pad(Math.floor((s % 3600) / 60)) });
}

export function ago(ms, now) {
  if (!ms) return t('dev.never');
  const d = Math.max(0, now - ms);
  if (d < 60_000) return t('ago.now');
  if (d < 3600_000) return t('ago.min', { n: Math.floor(d / 60_000) });
  if (d < 86400_000) return t('ago.h', { n: Math.floor(d / 3600_000) });
  return t('ago.d', { n: Math.floor(d / 86400_000) });
}

export function dateTime(ms, timeZone) {
  if (!ms) return '—';
  return new Intl.DateTimeFormat(locale(), { timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

export function percent(share) {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${(share * 100).toFixed(share >= 0.995 || share === 0 ? 0 : 1)}%`;
}

/** ago() as a key and vars, so the label stays marked as translated text. */
export function agoKey(ms, now) {
  const dt = Math.max(0, now - ms);
  if (dt < 60_000) return ['ago.now'];
  if (dt < 3600_000) return ['ago.min', { n: Math.floor(dt / 60_000) }];
  if (dt < 86400_000) return ['ago.h', { n: Math.floor(dt / 3600_000) }];
  return ['ago.d', { n: Math.floor(dt / 86400_000) }];
}
