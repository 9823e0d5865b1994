/** Issue: response-time log and reports. Every figure checked against a hand-computed fixture. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import { computeStats, percentile } from '../dispatcher/domain/response-stats.ts';
import { localHours } from '../dispatcher/reports/report-figures.ts';

const T0 = Date.parse('2026-10-01T00:00:00Z');
let t: TestHub;
// Ten calls in 第一网格 (accept seconds; null = never accepted), outcomes, arrive and resolve seconds.
const FIXTURE: { accept: number | null; arrive: number | null; resolve: number | null; outcome: string | null; by: 'grid1' | 'community' | null }[] = [
  { accept: 10, arrive: 300, resolve: 900, outcome: 'assisted', by: 'grid1' },
  { accept: 20, arrive: 400, resolve: 1000, outcome: 'assisted', by: 'grid1' },
  { accept: 30, arrive: 500, resolve: 1100, outcome: 'hospital', by: 'grid1' },
  { accept: 45, arrive: 600, resolve: 1200, outcome: 'false_alarm', by: 'grid1' },
  { accept: 59, arrive: 700, resolve: 1300, outcome: 'assisted', by: 'grid1' },
  { accept: 61, arrive: 800, resolve: 1400, outcome: 'not_home', by: 'community' },
  { accept: 90, arrive: null, resolve: 1500, outcome: 'false_alarm', by: 'community' },
  { accept: 179, arrive: 900, resolve: 1600, outcome: 'assisted', by: 'community' },
  { accept: 200, arrive: 1000, resolve: null, outcome: null, by: 'community' },
  { accept: null, arrive: null, resolve: null, outcome: null, by: null },
];

beforeAll(async () => {
  t = await startTestHub();
  const s = t.hub.store;
  const grid = s.grid.findChild(s.grid.findChild(s.grid.findChild(s.grid.findChild(null, '管城区')!.id, '城东路街道')!.id, '商城花园社区')!.id, '第一网格')!;
  const hh = s.householdLists.list(null).find((h) => h.gridId === grid.id)!;
  FIXTURE.forEach((f, i) => {
    const raisedAt = T0 + i * 3_600_000;
    const at = (x: number | null) => (x === null ? null : raisedAt + x * 1000);
    const id = `fixture-${i}`;
    s.alerts.insert({ id, kind: 'call', reason: 'press', deviceId: 'demo-0001', householdId: hh.id, gridId: grid.id, gridPath: grid.path, state: 'raised', level: 0, presses: 1, isTest: false, detail: '', raisedAt, deadlineAt: null, deadlineKind: null });
    const row = s.alerts.get(id)!;
    const by = f.by ? s.staff.byUsername(f.by)!.id : null;
    s.alerts.save({ ...row, state: f.resolve !== null ? 'resolved' : f.accept !== null ? 'accepted' : 'raised', acceptedAt: at(f.accept), acceptedBy: by, onSiteAt: at(f.arrive), resolvedAt: at(f.resolve), resolvedBy: f.resolve !== null ? by : null, outcome: f.outcome as never }, raisedAt);
  });
});
afterAll(async () => { await t.stop(); });

describe('response-time report', () => {
  it('percentiles use the nearest-rank method', () => {
    expect(percentile([10, 20, 30, 45, 59, 61, 90, 179, 200], 50)).toBe(59);
    expect(percentile([10, 20, 30, 45, 59, 61, 90, 179, 200], 90)).toBe(200);
    expect(percentile([], 50)).toBeNull();
    expect(computeStats([]).handlingRate).toBeNull();
  });

  it('totals match the hand-computed figures', async () => {
    const r = await t.api('GET', `/api/reports/response-times?from=${T0 - 1}&to=${T0 + 86_400_000}`, await t.login('admin'));
    expect(r.status).toBe(200);
    const x = r.body.totals;
    expect(x.raised).toBe(10);
    expect(x.accepted).toBe(9);
    expect(x.resolved).toBe(8);
    expect(x.handlingRate).toBeCloseTo(0.8);        // 8 / 10
    expect(x.acceptedWithin60s).toBeCloseTo(0.5);   // 10,20,30,45,59
    expect(x.acceptedWithin180s).toBeCloseTo(0.8);  // + 61, 90, 179
    expect(x.falseAlarms).toBe(2);
    expect(x.falseAlarmRate).toBeCloseTo(0.2);
    expect(x.accept).toEqual({ median: 59, p90: 200 });
    // arrive: 300..1000 without the nulls → [300,400,500,600,700,800,900,1000]: p50 rank 4, p90 rank ceil(7.2)=8
    expect(x.arrive).toEqual({ median: 600, p90: 1000 });
    // resolve: [900..1600] (8 values) → p50 rank 4 = 1200, p90 rank 8 = 1600
    expect(x.resolve).toEqual({ median: 1200, p90: 1600 });
  });

  it('per staff member and the slow-accept review list', async () => {
    const r = await t.api('GET', `/api/reports/response-times?from=${T0 - 1}&to=${T0 + 86_400_000}`, await t.login('admin'));
    const g1 = r.body.byStaff.find((s: any) => s.name.includes('第一网格'));
    expect(g1.raised).toBe(5);
    expect(g1.acceptedWithin60s).toBe(1);
    expect(g1.accept).toEqual({ median: 30, p90: 59 });
    const c = r.body.byStaff.find((s: any) => s.name.includes('社区'));
    expect(c.raised).toBe(4);
    expect(c.accept).toEqual({ median: 90, p90: 200 });
    expect(r.body.byGrid).toHaveLength(1);
    expect(r.body.byGrid[0].gridName).toBe('第一网格');
    const slow = r.body.slowAccepts.map((s: any) => s.alertId);
    expect(slow).toEqual(['fixture-8', 'fixture-9']); // accepted after 200 s, and never accepted
    expect(r.body.slowAccepts[0].acceptSeconds).toBe(200);
  });

  it('per hour of the day, on the community\'s clock: every hour listed, each call in the hour it came in', async () => {
    const admin = await t.login('admin');
    const r = await t.api('GET', `/api/reports/response-times?from=${T0 - 1}&to=${T0 + 86_400_000}`, admin);
    expect(r.body.timeZone).toBe('Asia/Shanghai');
    expect(r.body.byHour.map((x: { hour: number }) => x.hour)).toEqual([...Array(24).keys()]);
    // The fixture's calls come in hourly from 08:00 Shanghai (00:00 UTC).
    const raised = r.body.byHour.map((x: { raised: number }) => x.raised);
    expect(raised).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect([r.body.byHour[8].accept.median, r.body.byHour[16].accept.median, r.body.byHour[16].acceptedWithin180s]).toEqual([10, 200, 0]);
    expect([r.body.byHour[17].accepted, r.body.byHour[17].acceptedWithin60s, r.body.byHour[3].acceptedWithin60s]).toEqual([0, 0, null]);
    const csv = await (await fetch(`${t.httpUrl}/api/reports/response-times?from=${T0 - 1}&to=${T0 + 86_400_000}`, { headers: { authorization: `Bearer ${admin}`, accept: 'text/csv' } })).text();
    expect(csv.split('\n').filter((l) => l.startsWith('hour,'))).toHaveLength(10);
    expect(csv).toContain('hour,16,16:00-17:00 Asia/Shanghai,1,1,0,0,0,0,0,0,200,200,');
  });

  it('reads the local hour in any zone: half-hour offsets, and both sides of a daylight-saving change', () => {
    const kolkata = localHours('Asia/Kolkata');
    expect([kolkata(Date.parse('2026-10-01T00:29:00Z')), kolkata(Date.parse('2026-10-01T00:30:00Z')), kolkata(Date.parse('2026-10-01T18:29:59Z'))]).toEqual([5, 6, 23]);
    const berlin = localHours('Europe/Berlin'); // summer time ends 2026-10-25 at 03:00 CEST (01:00 UTC)
    expect([berlin(Date.parse('2026-10-25T00:59:00Z')), berlin(Date.parse('2026-10-25T01:00:00Z')), berlin(Date.parse('2026-10-25T22:30:00Z'))]).toEqual([2, 2, 23]);
    const shanghai = localHours('Asia/Shanghai');
    expect([shanghai(Date.parse('2026-10-01T15:59:59Z')), shanghai(Date.parse('2026-10-01T16:00:00Z'))]).toEqual([23, 0]);
  });

  it('CSV export, scope limits and bad queries', async () => {
    const admin = await t.login('admin');
    const res = await fetch(`${t.httpUrl}/api/reports/response-times?from=${T0 - 1}&to=${T0 + 86_400_000}`, { headers: { authorization: `Bearer ${admin}`, accept: 'text/csv' } });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const csv = await res.text();
    expect(csv.split('\n')[1]).toMatch(/^total,/);
    expect(csv).toContain('0.8');
    const grid2 = await t.login('grid2');
    const mine = await t.api('GET', `/api/reports/response-times?from=${T0 - 1}&to=${T0 + 86_400_000}`, grid2);
    expect(mine.body.totals.raised).toBe(0); // nothing leaks from 第一网格
    const g1id = t.hub.store.grid.list().find((n) => n.name === '第一网格')!.id;
    expect((await t.api('GET', `/api/reports/response-times?grid=${g1id}`, grid2)).status).toBe(403);
    expect((await t.api('GET', '/api/reports/response-times?from=abc', admin)).status).toBe(400);
    expect((await t.api('GET', `/api/reports/response-times?from=10&to=5`, admin)).status).toBe(400);
  });
});
