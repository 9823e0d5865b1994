/**
 * Who is on duty for a grid node at an instant. Pure: shifts and overrides in, staff ids out.
 * Shifts are a weekly pattern in the community's time zone; overrides are one-off windows
 * that add someone (on_duty = true) or take someone off (on_duty = false).
 */
export interface Shift { staffId: number; weekdays: number; startMin: number; endMin: number }
export interface Override { staffId: number; startsAt: number; endsAt: number; onDuty: boolean }

/** Bit for ISO weekday 1 (Monday) .. 7 (Sunday). */
export const weekdayBit = (isoDay: number): number => 1 << (isoDay - 1);
export const EVERY_DAY = 127;

const formatters = new Map<string, Intl.DateTimeFormat>();
const DAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The last answer per time zone, for the minute it was asked in: every call raised asks once per grid level. */
const lastAnswer = new Map<string, { minute: number; clock: { isoDay: number; minute: number } }>();

/**
 * ISO weekday and minute of day of `at` in `timeZone`. Formatting a date in a time zone costs
 * several microseconds, and a call raised asks for three or four levels in the same minute, so the
 * answer is kept for the rest of that minute (every time zone in use today is offset from UTC by
 * whole minutes, so a local minute starts where a UTC minute does).
 */
export function localClock(at: number, timeZone: string): { isoDay: number; minute: number } {
  const utcMinute = Math.floor(at / 60_000);
  const last = lastAnswer.get(timeZone);
  if (last && last.minute === utcMinute) return last.clock;
  const clock = Object.freeze(formatLocalClock(at, timeZone));
  lastAnswer.set(timeZone, { minute: utcMinute, clock });
  return clock;
}

function formatLocalClock(at: number, timeZone: string): { isoDay: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  let isoDay = 1, hour = 0, minute = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'weekday') isoDay = DAYS[p.value] ?? 1;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { isoDay, minute: hour * 60 + minute };
}

function shiftCovers(s: Shift, isoDay: number, minute: number): boolean {
  if (s.endMin > s.startMin) return (s.weekdays & weekdayBit(isoDay)) !== 0 && minute >= s.startMin && minute < s.endMin;
  // An overnight shift (e.g. 22:00-06:00) belongs to the day it starts on.
  const yesterday = isoDay === 1 ? 7 : isoDay - 1;
  return ((s.weekdays & weekdayBit(isoDay)) !== 0 && minute >= s.startMin) ||
    ((s.weekdays & weekdayBit(yesterday)) !== 0 && minute < s.endMin);
}

export function onDutyAt(shifts: readonly Shift[], overrides: readonly Override[], at: number, timeZone: string): number[] {
  return onDutyAtClock(shifts, overrides, at, localClock(at, timeZone));
}

/** As onDutyAt, with the local clock at `at` already known (roster-gaps.ts reads it for a whole week at once). */
export function onDutyAtClock(shifts: readonly Shift[], overrides: readonly Override[], at: number, { isoDay, minute }: { isoDay: number; minute: number }): number[] {
  const on = new Set<number>();
  for (const s of shifts) if (shiftCovers(s, isoDay, minute)) on.add(s.staffId);
  const active = overrides.filter((o) => at >= o.startsAt && at < o.endsAt);
  for (const o of active) if (o.onDuty) on.add(o.staffId);
  for (const o of active) if (!o.onDuty) on.delete(o.staffId);
  return [...on].sort((a, b) => a - b);
}
