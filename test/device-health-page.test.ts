/**
 * One page of the devices health list (reports/device-health-page.ts): counts over every device not
 * revoked, then the filters, the ranking (most urgent first) and the cut. Pure: plain rows in, no hub.
 */
import { describe, expect, it } from 'vitest';
import { healthPage, WHOLE_LIST, type HealthRow } from '../dispatcher/reports/device-health-page.ts';

const row = (id: string, more: Partial<HealthRow> = {}): HealthRow => ({
  id, status: 'online', supervised: true, problems: [], revokedAt: null, battery: 80, address: `${id} road`, residentName: 'Wang', ...more,
});

const rows: HealthRow[] = [
  row('d-ok-2'),
  row('d-battery', { problems: ['low_battery'] }),
  row('d-silent', { status: 'offline', problems: ['offline', 'low_battery'] }),
  row('d-ok-1', { residentName: 'Li Mei' }),
  row('d-never', { status: 'never_connected' }),
  row('rf-1', { status: 'unsupervised', supervised: false, problems: ['test_overdue'] }),
  row('rf-2', { status: 'unsupervised', supervised: false, problems: ['offline'] }),
  row('d-gone', { status: 'offline', problems: ['offline'], revokedAt: 5 }),
];

describe('healthPage', () => {
  it('counts every device not revoked and ranks silent, never heard, weak battery, missed test, then the rest by id', () => {
    const p = healthPage(rows, WHOLE_LIST);
    expect(p.summary).toEqual({ total: 7, offline: 1, neverConnected: 1, lowBattery: 2, testOverdue: 1, withProblems: 4 });
    expect(p.devices.map((d) => d.id)).toEqual(['d-silent', 'd-never', 'd-battery', 'rf-1', 'd-ok-1', 'd-ok-2', 'rf-2']);
    expect(p.matched).toBe(7);
  });

  it('never calls an RF button offline, even with an offline problem on record', () => {
    const p = healthPage(rows, { ...WHOLE_LIST, onlyProblems: true });
    expect(p.devices.map((d) => d.id)).not.toContain('rf-2');
    expect(p.matched).toBe(p.summary.withProblems);
  });

  it('cuts pages that follow one another without overlap, and a page past the end is empty', () => {
    const first = healthPage(rows, { ...WHOLE_LIST, limit: 3 });
    const second = healthPage(rows, { ...WHOLE_LIST, limit: 3, offset: 3 });
    const third = healthPage(rows, { ...WHOLE_LIST, limit: 3, offset: 6 });
    expect([...first.devices, ...second.devices, ...third.devices].map((d) => d.id)).toEqual(healthPage(rows, WHOLE_LIST).devices.map((d) => d.id));
    expect(third.devices).toHaveLength(1);
    const past = healthPage(rows, { ...WHOLE_LIST, limit: 3, offset: 100 });
    expect(past).toMatchObject({ devices: [], matched: 7, offset: 100 });
    expect(past.summary.total).toBe(7);
  });

  it('searches the id, the address and the resident, in any case, with the counts still over everything', () => {
    expect(healthPage(rows, { ...WHOLE_LIST, search: '  LI MEI ' }).devices.map((d) => d.id)).toEqual(['d-ok-1']);
    expect(healthPage(rows, { ...WHOLE_LIST, search: 'RF-' }).devices.map((d) => d.id)).toEqual(['rf-1', 'rf-2']);
    const road = healthPage(rows, { ...WHOLE_LIST, search: 'd-never road' });
    expect(road.devices.map((d) => d.id)).toEqual(['d-never']);
    expect(road.summary.total).toBe(7);
    const none = healthPage(rows, { ...WHOLE_LIST, search: 'nobody', onlyProblems: true });
    expect(none).toMatchObject({ devices: [], matched: 0 });
    expect(healthPage(rows, { ...WHOLE_LIST, search: 'd-gone' }).devices).toEqual([]); // revoked: GET /api/devices lists it
  });

  it('flags a weak battery from its last report before the sweep raises it; an RF button\'s battery is not known', () => {
    const weak = [row('d-weak', { battery: 12 }), row('d-fine', { battery: 20 }), row('rf-weak', { supervised: false, status: 'unsupervised', battery: 5 })];
    const p = healthPage(weak, { ...WHOLE_LIST, onlyProblems: true, lowBatteryPct: 20 });
    expect(p.devices.map((d) => d.id)).toEqual(['d-weak']);
    expect(p.summary.lowBattery).toBe(1);
  });

  it('answers an empty scope with zero counts', () => {
    expect(healthPage([], WHOLE_LIST)).toEqual({ summary: { total: 0, offline: 0, neverConnected: 0, lowBattery: 0, testOverdue: 0, withProblems: 0 }, matched: 0, offset: 0, devices: [] });
  });
});
