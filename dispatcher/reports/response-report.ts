/** Builds the response-time report for a period and grid subtree, and renders it as CSV. */
import type { Store } from '../store/store.ts';
import { computeStats, slowAccepts, statsBy, type Stats } from '../domain/response-stats.ts';

/** The review list is capped; slowAcceptsTotal gives the full count. */
const SLOW_LIST_MAX = 1000;

export interface ReportQuery { from: number; to: number; gridId: number | null; now: number }

export function buildResponseReport(store: Store, q: ReportQuery, scopePath: string) {
  const node = q.gridId === null ? null : store.grid.get(q.gridId);
  const path = node?.path ?? scopePath;
  const calls = store.reports.calls(path, q.from, q.to);
  const byGrid = [...statsBy(calls, (c) => c.gridId)].map(([gridId, s]) => ({ gridId, gridName: store.grid.find(gridId)?.name ?? '', ...s }))
    .sort((a, b) => a.gridName.localeCompare(b.gridName));
  const names = store.staff.names([...new Set(calls.map((c) => c.acceptedBy).filter((x): x is number => x !== null))]);
  const byStaff = [...statsBy(calls, (c) => c.acceptedBy)].map(([staffId, s]) => ({ staffId, name: names.get(staffId) ?? `#${staffId}`, ...s }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const allSlow = slowAccepts(calls, 180, q.now);
  const slow = allSlow.slice(0, SLOW_LIST_MAX).map((c) => {
    const hh = c.householdId != null ? store.households.get(c.householdId) : undefined;
    return { alertId: c.id, gridName: store.grid.find(c.gridId)?.name ?? '', address: hh?.address ?? '', raisedAt: c.raisedAt, acceptedAt: c.acceptedAt,
      acceptSeconds: c.acceptSeconds, acceptedBy: c.acceptedBy === null ? null : names.get(c.acceptedBy) ?? null };
  });
  return {
    from: q.from, to: q.to, gridId: node?.id ?? null, gridName: node?.name ?? null, generatedAt: q.now,
    definitions: {
      handlingRate: 'resolved / raised (处置率)', acceptedWithin60s: 'accepted within 60 s / raised', acceptedWithin180s: 'accepted within 180 s / raised',
      falseAlarmRate: '(false_alarm + resident_cancelled) / raised', times: 'seconds from raised; nearest-rank median and 90th percentile', tests: 'test presses never count',
    },
    totals: computeStats(calls), byGrid, byStaff, slowAccepts: slow, slowAcceptsTotal: allSlow.length,
  };
}

const STAT_COLS: (keyof Stats)[] = ['raised', 'accepted', 'resolved', 'handlingRate', 'acceptedWithin60s', 'acceptedWithin180s', 'falseAlarms', 'falseAlarmRate'];
const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function responseReportCsv(r: ReturnType<typeof buildResponseReport>): string {
  const head = ['scope', 'id', 'name', ...STAT_COLS, 'accept_median_s', 'accept_p90_s', 'arrive_median_s', 'arrive_p90_s', 'resolve_median_s', 'resolve_p90_s'];
  const row = (scope: string, id: unknown, name: unknown, s: Stats) =>
    [scope, id, name, ...STAT_COLS.map((k) => s[k]), s.accept.median, s.accept.p90, s.arrive.median, s.arrive.p90, s.resolve.median, s.resolve.p90].map(csvCell).join(',');
  const lines = [head.join(','), row('total', r.gridId ?? '', r.gridName ?? '', r.totals)];
  for (const g of r.byGrid) lines.push(row('grid', g.gridId, g.gridName, g));
  for (const s of r.byStaff) lines.push(row('staff', s.staffId, s.name, s));
  return lines.join('\n') + '\n';
}

export function timelineCsv(entries: { at: number; type: string; staffName: string | null; data: Record<string, unknown> }[]): string {
  const lines = ['at_iso,at_ms,event,staff,data'];
  for (const e of entries) lines.push([new Date(e.at).toISOString(), e.at, e.type, e.staffName ?? '', JSON.stringify(e.data)].map(csvCell).join(','));
  return lines.join('\n') + '\n';
}
