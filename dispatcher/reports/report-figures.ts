/**
 * The figures of a response-time report from its calls: totals, per grid, per accepting staff
 * member, per hour of the day the call came in (local time: is 3 a.m. answered as fast as 3 p.m.?),
 * and the slow-accept review list. Pure and structured-cloneable, so the report worker
 * (report-worker.ts) can compute them off the event loop and hand them back; names and
 * addresses are added on the hub's side (response-report.ts).
 */
import { computeStats, slowAccepts, statsBy, type CallFacts, type Stats } from '../domain/response-stats.ts';
import { localClock } from '../domain/roster.ts';

/** The review list is capped; slowTotal gives the full count. */
export const SLOW_LIST_MAX = 1000;
/** A call accepted later than this (or not at all and older) is on the review list. */
export const SLOW_ACCEPT_S = 180;

export type ReportCall = CallFacts & { householdId: number | null };
export type SlowCall = ReportCall & { acceptSeconds: number | null };

export interface ReportFigures {
  totals: Stats;
  byGrid: [gridId: number, stats: Stats][];
  byStaff: [staffId: number, stats: Stats][];
  /** All 24 hours of the day, in order, each with the calls raised in it (local time). */
  byHour: [hour: number, stats: Stats][];
  slow: SlowCall[];
  slowTotal: number;
}

export function reportFigures(calls: ReportCall[], now: number, timeZone: string): ReportFigures {
  const allSlow = slowAccepts(calls, SLOW_ACCEPT_S, now);
  const hourOf = localHours(timeZone);
  const byHour = statsBy(calls, (c) => hourOf(c.raisedAt));
  return {
    totals: computeStats(calls),
    byGrid: [...statsBy(calls, (c) => c.gridId)],
    byStaff: [...statsBy(calls, (c) => c.acceptedBy)],
    byHour: Array.from({ length: 24 }, (_, h) => [h, byHour.get(h) ?? computeStats([])]),
    slow: allSlow.slice(0, SLOW_LIST_MAX),
    slowTotal: allSlow.length,
  };
}

/**
 * The local hour of an instant. The offset from UTC is read once per UTC hour (a year of calls:
 * 8,760 readings, not one per call) and is the same for the whole of it: offsets change on the hour.
 */
export function localHours(timeZone: string): (at: number) => number {
  const offsetAt = new Map<number, number>();
  return (at) => {
    const hour = Math.floor(at / 3_600_000);
    let offset = offsetAt.get(hour);
    if (offset === undefined) offsetAt.set(hour, (offset = localClock(hour * 3_600_000, timeZone).minute - ((hour * 60) % 1440)));
    return Math.floor((((Math.floor(at / 60_000) % 1440) + offset + 2880) % 1440) / 60);
  };
}
