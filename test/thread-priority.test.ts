/**
 * The event loop's thread first (dispatcher/thread-priority.ts): a real hub process gives every
 * thread but its main one the nice value ANXIN_HELPER_NICE, threads it starts later included (the
 * report worker); 0 leaves them alone; a bad value stops the hub with the setting's name.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { HubProcess } from '../simulator/hub-process.ts';
import { httpJson } from '../simulator/staff-client.ts';
import { loadConfig, ConfigError } from '../dispatcher/config.ts';

/** Nice value of each thread of `pid` (field 19 of /proc/PID/task/TID/stat). */
function niceByThread(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(Number(tid), Number(fields[16]));
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

async function until(check: () => boolean, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const helpersAt = (pid: number, nice: number) => [...niceByThread(pid)].every(([tid, n]) => tid === pid || n === nice);

describe.skipIf(process.platform !== 'linux')('helper threads', () => {
  it('run at nice 10 by default, the event loop at 0, threads started later too', async () => {
    const proc = await HubProcess.start({ env: { ANXIN_LOG_LEVEL: 'error' } });
    try {
      const pid = proc.pid!;
      const before = niceByThread(pid);
      expect(before.get(pid)).toBe(0);
      expect(before.size).toBeGreaterThan(4);
      expect(await until(() => helpersAt(pid, 10))).toBe(true);
      // A report starts the report worker's thread from the main thread (at nice 0); the next scan lowers it.
      const { token } = await httpJson(proc.httpUrl, 'POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' });
      await httpJson(proc.httpUrl, 'GET', '/api/reports/response-times', token);
      expect((await httpJson(proc.httpUrl, 'GET', '/healthz')).reports).toMatchObject({ mode: 'worker' });
      expect(await until(() => helpersAt(pid, 10))).toBe(true);
      const after = niceByThread(pid);
      expect([...after.keys()].filter((t) => !before.has(t)).length).toBeGreaterThan(0);
      expect(after.get(pid)).toBe(0);
    } finally {
      await proc.stop();
    }
  });

  it('ANXIN_HELPER_NICE=0 leaves every thread alone', async () => {
    const proc = await HubProcess.start({ env: { ANXIN_LOG_LEVEL: 'error', ANXIN_HELPER_NICE: '0' } });
    try {
      const { token } = await httpJson(proc.httpUrl, 'POST', '/api/session', undefined, { username: 'admin', password: 'demo-pass' });
      await httpJson(proc.httpUrl, 'GET', '/api/reports/response-times', token);
      await new Promise((r) => setTimeout(r, 2500)); // longer than one rescan
      expect(helpersAt(proc.pid!, 0)).toBe(true);
    } finally {
      await proc.stop();
    }
  });
});

describe('ANXIN_HELPER_NICE', () => {
  it('takes 0..19 and refuses anything else, naming the setting', () => {
    expect(loadConfig({}).helperNice).toBe(10);
    expect(loadConfig({ ANXIN_HELPER_NICE: '0' }).helperNice).toBe(0);
    expect(loadConfig({ ANXIN_HELPER_NICE: '19' }).helperNice).toBe(19);
    for (const bad of ['-1', '20', '5.5', 'low']) {
      let err: unknown;
      try { loadConfig({ ANXIN_HELPER_NICE: bad }); } catch (e) { err = e; }
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([expect.stringContaining(`ANXIN_HELPER_NICE=${JSON.stringify(bad)}`)]);
    }
  });
});
