/**
 * A scenario step's expectations about device health as the watching console shows it: a low battery
 * raised or cleared after a battery step, devices whose links were dropped shown offline and then
 * cleared once they are back. Each waits on what the console has heard (Drill.states), not on the hub's
 * store, so a check passes only if a duty officer would have seen it.
 */
import type { Drill } from './drill.ts';
import type { AlertLike } from './staff-client.ts';
import { sleep, until } from './poll.ts';

export type CheckFn = (label: string, ok: boolean, detail: string) => void;

const isOpen = (a: AlertLike) => a.state === 'raised' || a.state === 'accepted';
const since = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);

/** The devices among `ids` with an open technical alert for `reason` on the watching console. */
function openFor(drill: Drill, reason: string, ids: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const a of drill.states.values()) if (a.reason === reason && a.deviceId && ids.has(a.deviceId) && isOpen(a)) out.add(a.deviceId);
  return out;
}

export interface BatteryExpect { lowBatteryOnConsoleWithinS?: number; batteryClearedOnConsoleWithinS?: number }

/** After a battery step: the device's low battery on the console (new or already open), or none open. */
export async function expectBattery(drill: Drill, label: string, device: string, e: BatteryExpect, t0: number, check: CheckFn): Promise<void> {
  const one = new Set([device]);
  if (e.lowBatteryOnConsoleWithinS !== undefined) {
    const what = `${label} ${device} low battery on a console`;
    if (!drill.watcher) return check(what, false, 'no watching console (watch: false)');
    const took = await until(() => openFor(drill, 'low_battery', one).size > 0, e.lowBatteryOnConsoleWithinS * 1000);
    check(`${what} within ${e.lowBatteryOnConsoleWithinS} s`, took !== null, took !== null ? `after ${since(t0)} s` : `not after ${since(t0)} s`);
  }
  if (e.batteryClearedOnConsoleWithinS !== undefined) {
    const what = `${label} ${device} low battery cleared on a console`;
    if (!drill.watcher) return check(what, false, 'no watching console (watch: false)');
    // Passes with none open; says so when there was none to clear, so a drill that fitted new batteries
    // to a button never reported low does not read as a clearing.
    const hadOne = openFor(drill, 'low_battery', one).size > 0;
    const took = await until(() => openFor(drill, 'low_battery', one).size === 0, e.batteryClearedOnConsoleWithinS * 1000);
    check(`${what} within ${e.batteryClearedOnConsoleWithinS} s`, took !== null,
      took === null ? `still open after ${since(t0)} s` : hadOne ? `after ${since(t0)} s` : 'none was open');
  }
}

export interface OfflineExpect { offlineOnConsoleWithinS?: number; offlineClearedWithinS?: number }

/**
 * After a dropLinks step: every device cut off shown offline on the console within the time given
 * (from the drop), then none of them still offline within the time given from the moment their links
 * come back (`forS` after the drop). The hub raises "offline" only after 2 x the device's heartbeat
 * interval + the grace (ANXIN_HEARTBEAT_GRACE_S) of silence, so a drop shorter than that raises nothing.
 */
export async function expectOffline(drill: Drill, label: string, hit: string[], forS: number, e: OfflineExpect, t0: number, check: CheckFn): Promise<void> {
  if (e.offlineOnConsoleWithinS === undefined && e.offlineClearedWithinS === undefined) return;
  const ids = new Set(hit);
  const n = `${hit.length} device${hit.length === 1 ? '' : 's'} cut off`;
  if (!drill.watcher) return check(`${label} ${n} offline on a console`, false, 'no watching console (watch: false)');
  if (hit.length === 0) return check(`${label} devices offline on a console`, false, 'no device was cut off (the percent is too small for the fleet)');
  if (e.offlineOnConsoleWithinS !== undefined) {
    const took = await until(() => openFor(drill, 'offline', ids).size === ids.size, e.offlineOnConsoleWithinS * 1000);
    check(`${label} ${n} offline on a console within ${e.offlineOnConsoleWithinS} s`, took !== null,
      took !== null ? `after ${since(t0)} s` : `${openFor(drill, 'offline', ids).size} shown after ${since(t0)} s`);
  }
  if (e.offlineClearedWithinS !== undefined) {
    const backAt = t0 + forS * 1000;
    const wait = backAt - performance.now();
    if (wait > 0) await sleep(wait);
    const took = await until(() => openFor(drill, 'offline', ids).size === 0, e.offlineClearedWithinS * 1000);
    check(`${label} ${n} cleared on a console within ${e.offlineClearedWithinS} s of their links coming back`, took !== null,
      took !== null ? `after ${since(backAt)} s` : `${openFor(drill, 'offline', ids).size} still offline after ${since(backAt)} s`);
  }
}
