/** Builds the response-time report for a period and grid subtree, and renders it as CSV. */
import type { Store } from '../store/store.ts';
import type { Stats } from '../domain/response-stats.ts';
import { reportFigures, type ReportFigures } from './report-figures.ts';
import { csvRow } from './csv.ts';

/** `timeZone`: the local clock of the hours of the day (byHour). */
export interface ReportQuery { from: number; to: number; gridId: number | null; now: number; timeZone: string }

/** The grid subtree a report covers: the asked grid, or the staff member's scope. */
export function reportPath(store: Store, q: ReportQuery, scopePath: string): string {
  return (q.gridId === null ? null : store.grid.get(q.gridId))?.path ?? scopePath;
}

/** The whole report on the calling thread (tests, benchmarks, and the hub when no worker can run). */
export function buildResponseReport(store: Store, q: ReportQuery, scopePath: string) {
  return reportFromFigures(store, q, reportFigures(store.reports.calls(reportPath(store, q, scopePath), q.from, q.to), q.now, q.timeZone));
}

/** The report from its figures, with grid and staff names and household addresses. */
export function reportFromFigures(store: Store, q: ReportQuery, f: ReportFigures) {
  const node = q.gridId === null ? null : store.grid.get(q.gridId);
  const gridName = (id: number) => store.grid.find(id)?.name ?? '';
  const names = store.staff.names([...new Set([...f.byStaff.map(([id]) => id), ...f.slow.map((c) => c.acceptedBy).filter((x): x is number => x !== null)])]);
  const byGrid = f.byGrid.map(([gridId, s]) => ({ gridId, gridName: gridName(gridId), ...s })).sort((a, b) => a.gridName.localeCompare(b.gridName));
  const byStaff = f.byStaff.map(([staffId, s]) => ({ staffId, name: names.get(staffId) ?? `#${staffId}`, ...s })).sort((a, b) => a.name.localeCompare(b.name));
  const slow = f.slow.map((c) => {
    const hh = c.householdId != null ? store.households.get(c.householdId) : undefined;
    return { alertId: c.id, gridName: gridName(c.gridId), address: hh?.address ?? '', raisedAt: c.raisedAt, acceptedAt: c.acceptedAt,
      acceptSeconds: c.acceptSeconds, acceptedBy: c.acceptedBy === null ? null : names.get(c.acceptedBy) ?? null };
  });
  return {
    from: q.from, to: q.to, gridId: node?.id ?? null, gridName: node?.name ?? null, generatedAt: q.now,
    definitions: {
      handlingRate: 'resolved / raised (处置率)', acceptedWithin60s: 'accepted within 60 s / raised', acceptedWithin180s: 'accepted within 180 s / raised',
      falseAlarmRate: '(false_alarm + resident_cancelled) / raised', times: 'seconds from raised; nearest-rank median and 90th percentile', tests: 'test presses never count',
    },
    totals: f.totals, byGrid, byStaff, timeZone: q.timeZone, byHour: f.byHour.map(([hour, st]) => ({ hour, ...st })),
    slowAccepts: slow, slowAcceptsTotal: f.slowTotal,
  };
}

const STAT_COLS: (keyof Stats)[] = ['raised', 'accepted', 'resolved', 'handlingRate', 'acceptedWithin60s', 'acceptedWithin180s', 'falseAlarms', 'falseAlarmRate'];

export function responseReportCsv(r: ReturnType<typeof reportFromFigures>): string {
  const head = ['scope', 'id', 'name', ...STAT_COLS, 'accept_median_s', 'accept_p90_s', 'arrive_median_s', 'arrive_p90_s', 'resolve_median_s', 'resolve_p90_s'];
  const row = (scope: string, id: unknown, name: unknown, s: Stats) =>
    csvRow([scope, id, name, ...STAT_COLS.map((k) => s[k]), s.accept.median, s.accept.p90, s.arrive.median, s.arrive.p90, s.resolve.median, s.resolve.p90]);
  const lines = [head.join(','), row('total', r.gridId ?? '', r.gridName ?? '', r.totals)];
  for (const g of r.byGrid) lines.push(row('grid', g.gridId, g.gridName, g));
  for (const s of r.byStaff) lines.push(row('staff', s.staffId, s.name, s));
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  for (const x of r.byHour) if (x.raised) lines.push(row('hour', x.hour, `${hh(x.hour)}-${hh(x.hour + 1)} ${r.timeZone}`, x));
  return lines.join('\n') + '\n';
}

export function timelineCsv(entries: { at: number; type: string; staffName: string | null; data: Record<string, unknown> }[]): string {
  const lines = ['at_iso,at_ms,event,staff,data'];
  for (const e of entries) lines.push(csvRow([new Date(e.at).toISOString(), e.at, e.type, e.staffName ?? '', JSON.stringify(e.data)]));
  return lines.join('\n') + '\n';
}
