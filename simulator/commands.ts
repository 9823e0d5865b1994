/**
 * The drill and load commands of `npm run sim`: fleet, responders, scenario, provision.
 * Each parses its own options; cli.ts hands them the raw arguments.
 */
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { Drill } from './drill.ts';
import { DEFAULT_FLEET, demoDevices, type DeviceCred } from './fleet.ts';
import { DEFAULT_RESPONDERS, Responders, type ResponderOptions } from './responders.ts';
import { httpJson } from './staff-client.ts';
import { reportHtml, reportText } from './report-format.ts';
import { loadScenario, ScenarioError } from './scenario-schema.ts';
import { runScenario, type ScenarioOutcome } from './scenario.ts';
import type { Report } from './tracker.ts';

export const LOAD_COMMANDS = ['fleet', 'responders', 'scenario', 'provision'] as const;

export const LOAD_HELP = `  fleet               run many devices: connect, heartbeat, press/cancel/test at rates,
                      re-send un-acked presses, reconnect with backoff; report at the end
  responders          virtual duty staff who accept, arrive at and resolve calls
  scenario FILE       play a JSON/YAML timeline of actions and expectations; exit 1 on a failure
  provision           create N test devices with secrets in bulk (admin API), write them to a file
                      (npm run sim -- <command> --help for each command's options)
`;

const HTTP_DEFAULT = () => `http://127.0.0.1:${process.env.ANXIN_HTTP_PORT && process.env.ANXIN_HTTP_PORT !== '0' ? process.env.ANXIN_HTTP_PORT : 8080}`;
const MQTT_DEFAULT = () => `mqtt://127.0.0.1:${process.env.ANXIN_MQTT_PORT && process.env.ANXIN_MQTT_PORT !== '0' ? process.env.ANXIN_MQTT_PORT : 1883}`;

const HELP: Record<string, string> = {
  fleet: `Usage: npm run sim -- fleet [options]
  --devices N            the first N demo devices (default all 20)
  --devices-file F       JSON from \`sim provision\` ([{id, secret}, …] or {devices:[…]})
  --duration S           run for S seconds, then settle and report (default 60)
  --press-rate R         presses per minute across the fleet (default 6)
  --cancel-rate R        cancels per minute (default 0)
  --test-rate R          test events per minute (default 0)
  --presses N            stop pressing after N presses (default: no limit)
  --heartbeat S          heartbeat interval, ±20% jitter (default 60; 0 = none)
  --resend S             re-send an un-acked event every S seconds (default 3)
  --connect-parallel N   devices connecting at the same time (default 100)
  --watch USER           staff login whose console measures press → console (default admin; none = off)
  --responders           also run virtual responders (see \`responders --help\` for delays)
  --accept-after S / --arrive-after S / --resolve-after S   responder delays (2 / 5 / 3)
  --settle S             after the run, wait up to S s for acks and consoles (default 30)
  --url URL / --http URL the hub's MQTT and HTTP addresses (default from ANXIN_MQTT_PORT/ANXIN_HTTP_PORT)
  --password P           staff password (default demo-pass)
  --json                 print the report as JSON   --html FILE   also write an HTML report
Exits 1 when an event was never acked or an acked call never reached the console.
`,
  responders: `Usage: npm run sim -- responders [options]
  --users a,b,c          staff logins (default grid1,grid2,community,admin)
  --password P           their password (default demo-pass)
  --accept-after S       accept a call S seconds after it is shown (default 2)
  --arrive-after S       mark on site S seconds after accepting (default 5)
  --resolve-after S      resolve S seconds after arriving (default 3)
  --jitter F             each delay × (1 ± F) (default 0.3)
  --duration S           stop after S seconds (default: until Ctrl-C)
  --http URL             the hub's HTTP address
`,
  scenario: `Usage: npm run sim -- scenario FILE [options]
  FILE is JSON or YAML (see simulator/scenarios/ and docs/simulator.md). Unless it names a hub,
  the runner starts its own (node --import tsx dispatcher/main.ts --demo on two free ports, a
  temp SQLite file), which is what makes "restartHub" steps possible.
  --url URL --http URL   run against an existing hub instead (no restartHub steps)
  --json                 print the outcome as JSON   --html FILE   also write an HTML report (expectations first)
  --quiet                no progress line
Exits 0 when every expectation held, 1 when one failed, 2 on a bad file.
`,
  provision: `Usage: npm run sim -- provision --count N (--grid ID | --households 1,2,3) [options]
  --prefix P             device id prefix (default load-); ids are P0001, P0002, …
  --start N              first number (default 1)
  --out FILE             write [{id, secret, householdId}] here (default devices-<prefix>.json)
  --admin USER --password P   an admin login (default admin / demo-pass)
  --http URL             the hub's HTTP address
With --grid, one simulated household per device is created in that grid node.
`,
};

function num(v: string | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0, got ${v}`);
  return n;
}

export class UsageError extends Error {}

function loadDevices(file: string): DeviceCred[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const list = Array.isArray(raw) ? raw : (raw as { devices?: unknown[] }).devices;
  if (!Array.isArray(list) || !list.every((d) => d && typeof d.id === 'string' && typeof d.secret === 'string')) {
    throw new UsageError(`${file}: expected [{id, secret}, …]`);
  }
  return list.map((d: DeviceCred) => ({ id: d.id, secret: d.secret }));
}

function respondersFrom(v: Record<string, string | boolean | undefined>, httpUrl: string): ResponderOptions {
  const s = (k: string) => v[k] as string | undefined;
  return {
    httpUrl,
    users: s('users') ? s('users')!.split(',').map((x) => x.trim()).filter(Boolean) : DEFAULT_RESPONDERS.users,
    password: s('password') ?? DEFAULT_RESPONDERS.password,
    acceptAfterMs: num(s('accept-after'), 2, 'accept-after') * 1000,
    arriveAfterMs: num(s('arrive-after'), 5, 'arrive-after') * 1000,
    resolveAfterMs: num(s('resolve-after'), 3, 'resolve-after') * 1000,
    jitter: num(s('jitter'), DEFAULT_RESPONDERS.jitter, 'jitter'),
  };
}

const str = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;

/** The report as text or JSON on stdout, and as HTML to --html FILE; a scenario's outcome (its name and expectations) with it. */
function emit(report: Report, v: { json?: boolean; html?: string }, scenario?: ScenarioOutcome): void {
  if (v.json) process.stdout.write(JSON.stringify(scenario ?? report, null, 2) + '\n');
  else process.stdout.write(reportText(report));
  if (v.html) {
    writeFileSync(v.html, scenario ? reportHtml(report, `Scenario: ${scenario.name}`, scenario.checks) : reportHtml(report));
    process.stderr.write(`HTML report written to ${v.html}\n`);
  }
}

let ticks = 0;
/** The live progress line: rewritten in place on a terminal, every 10th line when logging to a file. */
const progress = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
  else if (ticks++ % 10 === 0) process.stderr.write(`${line}\n`);
};

/** Runs a load command; resolves to the exit code. */
export async function runLoadCommand(cmd: string, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(HELP[cmd]); return 0; }
  if (cmd === 'fleet') {
    const { values: v } = parseArgs({ args: argv, allowPositionals: true, options: {
      devices: str, 'devices-file': str, duration: str, 'press-rate': str, 'cancel-rate': str, 'test-rate': str, presses: str, heartbeat: str,
      resend: str, 'connect-parallel': str, watch: str, responders: flag, 'accept-after': str, 'arrive-after': str, 'resolve-after': str,
      settle: str, url: str, http: str, password: str, json: flag, html: str, users: str, jitter: str } });
    const httpUrl = v.http ?? HTTP_DEFAULT();
    const devices = v['devices-file'] ? loadDevices(v['devices-file']) : demoDevices(Math.min(20, Math.max(1, num(v.devices, 20, 'devices'))));
    const watch = v.watch === 'none' ? null : { user: v.watch ?? 'admin', password: v.password ?? 'demo-pass' };
    const drill = new Drill({
      httpUrl, watch, progress,
      responders: v.responders ? respondersFrom(v, httpUrl) : null,
      fleet: {
        ...DEFAULT_FLEET, url: v.url ?? MQTT_DEFAULT(), devices,
        heartbeatS: num(v.heartbeat, 60, 'heartbeat'), pressPerMin: num(v['press-rate'], 6, 'press-rate'), cancelPerMin: num(v['cancel-rate'], 0, 'cancel-rate'),
        testPerMin: num(v['test-rate'], 0, 'test-rate'), maxPresses: num(v.presses, 0, 'presses'), resendMs: num(v.resend, 3, 'resend') * 1000,
        connectParallel: Math.max(1, num(v['connect-parallel'], 100, 'connect-parallel')),
      },
    });
    const durationMs = num(v.duration, 60, 'duration') * 1000;
    try {
      await drill.start();
      drill.fleet.startActivity();
      await new Promise<void>((r) => { process.once('SIGINT', () => r()); setTimeout(r, durationMs); });
      drill.fleet.stopActivity();
      await drill.settle(num(v.settle, 30, 'settle') * 1000);
      if (process.stderr.isTTY) process.stderr.write('\n');
      const report = drill.report();
      emit(report, v);
      return report.losses.neverAcked + report.losses.neverOnConsole > 0 ? 1 : 0;
    } finally {
      await drill.stop();
    }
  }
  if (cmd === 'responders') {
    const { values: v } = parseArgs({ args: argv, allowPositionals: true, options: { users: str, password: str, 'accept-after': str, 'arrive-after': str, 'resolve-after': str, jitter: str, duration: str, http: str } });
    const r = new Responders(respondersFrom(v, v.http ?? HTTP_DEFAULT()));
    r.on('action', (user: string, action: string, alertId: string) => process.stdout.write(`${new Date().toISOString()} ${user} ${action} ${alertId}\n`));
    await r.start();
    process.stdout.write(`responders on duty: ${r.opts.users.join(', ')} (Ctrl-C to stop)\n`);
    await new Promise<void>((res) => { process.once('SIGINT', () => res()); if (v.duration) setTimeout(res, num(v.duration, 0, 'duration') * 1000); });
    r.stop();
    process.stdout.write(`${JSON.stringify(r.stats)}\n`);
    return 0;
  }
  if (cmd === 'scenario') {
    const { values: v, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { url: str, http: str, json: flag, html: str, quiet: flag } });
    // Ctrl-C or a kill ends the run through process.exit, so the 'exit' hook stops a hub the runner started.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
    const file = positionals[1];
    if (!file) throw new UsageError('scenario needs a FILE, e.g. npm run sim -- scenario simulator/scenarios/morning-drill.yaml');
    let sc;
    try { sc = loadScenario(file); } catch (err) {
      if (err instanceof ScenarioError) { process.stderr.write(`sim: ${err.message}\n`); return 2; }
      throw err;
    }
    const out = await runScenario(sc, { mqttUrl: v.url, httpUrl: v.http, progress: v.quiet || v.json ? undefined : progress, say: v.json ? undefined : (s) => process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${s}\n`) });
    emit(out.report, v, out);
    if (!v.json) process.stdout.write(`Scenario "${out.name}": ${out.ok ? 'all expectations held' : `${out.checks.filter((c) => !c.ok).length} expectation(s) FAILED`}\n`);
    return out.ok ? 0 : 1;
  }
  if (cmd === 'provision') {
    const { values: v } = parseArgs({ args: argv, allowPositionals: true, options: { count: str, prefix: str, start: str, grid: str, households: str, out: str, admin: str, password: str, http: str } });
    const count = num(v.count, 0, 'count');
    if (!count) throw new UsageError('provision needs --count N');
    if (!v.grid === !v.households) throw new UsageError('give exactly one of --grid ID or --households 1,2,3');
    const httpUrl = v.http ?? HTTP_DEFAULT();
    const prefix = v.prefix ?? 'load-';
    const { token } = await httpJson(httpUrl, 'POST', '/api/session', undefined, { username: v.admin ?? 'admin', password: v.password ?? 'demo-pass' });
    const body = { prefix, count, start: v.start ? num(v.start, 1, 'start') : undefined, ...(v.grid ? { gridId: num(v.grid, 0, 'grid') } : { householdIds: v.households!.split(',').map(Number) }) };
    const t0 = performance.now();
    const r = await httpJson(httpUrl, 'POST', '/api/devices/bulk', token, body);
    const out = v.out ?? `devices-${prefix.replace(/[^A-Za-z0-9_.-]/g, '')}.json`;
    writeFileSync(out, JSON.stringify(r.devices, null, 1));
    process.stdout.write(`provisioned ${r.count} devices (${r.devices[0].id} … ${r.devices[r.count - 1].id}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `ids and secrets in ${out}\nrun them: npm run sim -- fleet --devices-file ${out}\n`);
    return 0;
  }
  throw new UsageError(`unknown command ${cmd}`);
}
