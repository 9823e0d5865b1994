/**
 * The figures of a response-time report from its calls: totals, per grid, per accepting staff
 * member, and the slow-accept review list. Pure and structured-cloneable, so the report worker
 * (report-worker.ts) can compute them off the event loop and hand them back; names and
 * addresses are added on the hub's side (response-report.ts).
 */
import { computeStats, slowAccepts, statsBy, type CallFacts, type Stats } from '../domain/response-stats.ts';

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
  slow: SlowCall[];
  slowTotal: number;
}

export function reportFigures(calls: ReportCall[], now: number): ReportFigures {
  const allSlow = slowAccepts(calls, SLOW_ACCEPT_S, now);
  return {
    totals: computeStats(calls),
    byGrid: [...statsBy(calls, (c) => c.gridId)],
    byStaff: [...statsBy(calls, (c) => c.acceptedBy)],
    slow: allSlow.slice(0, SLOW_LIST_MAX),
    slowTotal: allSlow.length,
  };
}
