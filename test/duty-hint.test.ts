/**
 * Open duty pages are told when the board changed: a staff member's console opening or closing, a
 * roster, node or account edit. At most one hint per 5 s (a shift change opens and closes many
 * consoles), the first at once. The throttle on the injected clock, then a real hub with real
 * WebSocket consoles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../dispatcher/clock.ts';
import { DutyHint } from '../dispatcher/push/duty-hint.ts';
import { startTestHub, type TestHub } from './helpers/hub-harness.ts';
import type { ConsoleClient } from './helpers/console-client.ts';

describe('DutyHint', () => {
  it('tells at once after a quiet spell, and changes within 5 s once, when the 5 s are up', () => {
    const clock = new ManualClock(0);
    const told: number[] = [];
    const hint = new DutyHint(clock, () => told.push(clock.now()));
    hint.poke();
    expect(told).toEqual([0]);
    clock.advance(1000);
    hint.poke();
    clock.advance(1000);
    hint.poke();
    expect(told).toEqual([0]);
    clock.advance(3000);
    expect(told).toEqual([0, 5000]);
    clock.advance(20_000); // quiet
    hint.poke();
    expect(told).toEqual([0, 5000, 25_000]);
    hint.poke();
    hint.stop();
    clock.advance(10_000);
    expect(told).toEqual([0, 5000, 25_000]); // stopped: the pending one is dropped
  });

  it('carries the areas changed since the last hint; one change anywhere makes it go everywhere', () => {
    const clock = new ManualClock(0);
    const told: (readonly string[] | null)[] = [];
    const hint = new DutyHint(clock, (areas) => told.push(areas));
    hint.poke('/1/2/3/');
    hint.poke('/1/2/4/');
    hint.poke('/1/2/3/');
    clock.advance(5000);
    hint.poke(null);
    hint.poke('/1/2/4/');
    clock.advance(5000);
    expect(told).toEqual([['/1/2/3/'], ['/1/2/4/', '/1/2/3/'], null]);
  });

  it('says whether an edit was among the changes, not only someone\'s presence', () => {
    const clock = new ManualClock(0);
    const told: boolean[] = [];
    const hint = new DutyHint(clock, (_areas, edited) => told.push(edited));
    hint.poke('/1/', false);
    hint.poke('/1/', false);
    hint.poke('/1/', true);
    hint.poke('/1/', false);
    clock.advance(5000);
    hint.poke('/1/', false);
    clock.advance(5000);
    expect(told).toEqual([false, true, false]);
  });
});

describe('duty hints on a hub', () => {
  let t: TestHub;
  let clock: ManualClock;
  let watcher: ConsoleClient;
  const hints = () => watcher.frames.filter((f) => f.type === 'duty').length;
  const quiet = () => clock.advance(10_000); // past the gap: the next change is told at once

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2026-12-02T10:00:00Z'));
    t = await startTestHub({ clock });
    watcher = await t.console('community');
    await watcher.waitFor((f) => f.type === 'duty'); // its own arrival, told after its snapshot: counted before the tests count
  });
  afterAll(async () => { await t?.stop(); });

  it('a staff member coming online or going is told to every open console; a second tab of theirs is not', async () => {
    quiet();
    const before = hints();
    const grid2 = await t.console('grid2');
    await expect.poll(hints).toBe(before + 1);
    quiet();
    const again = await t.console('grid2'); // already online
    await new Promise((r) => setTimeout(r, 200));
    expect(hints()).toBe(before + 1);
    again.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(hints()).toBe(before + 1); // still online in the other tab
    grid2.close();
    await expect.poll(hints).toBe(before + 2);
    expect(grid2.frames.some((f) => f.type === 'duty')).toBe(true); // its own arrival was told to it as well
    expect(watcher.frames.filter((f) => f.type === 'duty').at(-1)).toEqual({ type: 'duty' }); // presence only: no roster changed
  });

  it('a hint goes to the consoles above, below or on the area where the change was, not to the other grids', async () => {
    quiet();
    const grid1 = await t.console('grid1');
    const admin = await t.console('admin');
    quiet(); // the hint their arrivals made (one now, one at the end of the gap) has gone out
    await new Promise((r) => setTimeout(r, 300));
    quiet();
    const [w0, g0, a0] = [hints(), grid1.frames.filter((f) => f.type === 'duty').length, admin.frames.filter((f) => f.type === 'duty').length];
    const grid2 = await t.console('grid2'); // 第二网格's worker comes online
    await expect.poll(hints).toBe(w0 + 1); // the community leader's board shows 第二网格
    await expect.poll(() => admin.frames.filter((f) => f.type === 'duty').length).toBe(a0 + 1); // the admin's shows everything
    await new Promise((r) => setTimeout(r, 200));
    expect(grid1.frames.filter((f) => f.type === 'duty').length).toBe(g0); // 第一网格's board does not show it
    grid2.close();
    admin.close();
    grid1.close();
    // Their going is told too: let those hints go out before the next test counts.
    await new Promise((r) => setTimeout(r, 300));
    quiet();
    await new Promise((r) => setTimeout(r, 300));
  });

  it('a roster edit is told; a refused one and a read are not', async () => {
    quiet();
    const before = hints();
    const leader = await t.login('community');
    const nodeId = t.hub.store.grid.list().find((n) => n.name === '第一网格')!.id;
    const grid1 = t.hub.store.staff.byUsername('grid1')!.id;
    expect((await t.api('GET', `/api/grid/${nodeId}/roster`, leader)).status).toBe(200);
    const bad = await t.api('POST', `/api/grid/${nodeId}/roster/shifts`, leader, { staffId: grid1, weekdays: [1], start: '08:00', end: '08:00' });
    expect(bad.status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    expect(hints()).toBe(before);
    const ok = await t.api('POST', `/api/grid/${nodeId}/roster/shifts`, leader, { staffId: grid1, weekdays: [1, 2], start: '08:00', end: '17:00' });
    expect(ok.status).toBe(201);
    await expect.poll(hints).toBe(before + 1);
    expect(watcher.frames.filter((f) => f.type === 'duty').at(-1)).toEqual({ type: 'duty', edited: true }); // the gaps are asked again too
    // Within the gap: told once more when it ends, not now.
    expect((await t.api('DELETE', `/api/grid/${nodeId}/roster/shifts/${ok.body.id}`, leader)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(hints()).toBe(before + 1);
    clock.advance(5000);
    await expect.poll(hints).toBe(before + 2);
  });
});
