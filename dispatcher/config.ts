/**
 * Settings, read once from ANXIN_* environment variables and validated. Every bad value is
 * reported together at start-up. The result is passed down; nothing reads process.env later.
 */
import { z } from 'zod';
import { readTlsFiles, type TlsMaterial } from './security/tls-files.ts';
import { parseReceiverList, type ReceiverSpec } from '../gateway/serial/spec.ts';

const port = (def: number) =>
  z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0, 'must be 0..65535').max(65535, 'must be 0..65535').default(def);
const seconds = (def: number, min = 1) =>
  z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').min(min, `must be at least ${min}`).default(def);

export const SETTINGS = {
  ANXIN_HOST: { schema: z.string().min(1, 'must not be empty').default('0.0.0.0'), doc: 'Bind address for MQTT and HTTP', def: '0.0.0.0' },
  ANXIN_MQTT_PORT: { schema: port(1883), doc: 'MQTT port for devices (0 picks a free port)', def: '1883' },
  ANXIN_HTTP_PORT: { schema: port(8080), doc: 'HTTP API, WebSocket and console port (0 picks a free port)', def: '8080' },
  ANXIN_DB: { schema: z.string().min(1, 'must not be empty').default('./data/anxin.db'), doc: 'SQLite database file (created and migrated on start)', def: './data/anxin.db' },
  ANXIN_LOGIN_KEY_FILE: { schema: z.string().default(''), doc: 'Key that lets the hub remember device logins across restarts (made on first start, mode 0600)', def: '<ANXIN_DB>.login-key' },
  ANXIN_LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'), doc: 'Log level', def: 'info' },
  ANXIN_ESCALATE_AFTER_S: { schema: seconds(60), doc: 'Escalate an unaccepted call after this many seconds (per grid node override in the store)', def: '60' },
  ANXIN_ARRIVE_WITHIN_S: { schema: seconds(1800), doc: 'Re-notify an accepted call with nobody on site after this many seconds', def: '1800' },
  ANXIN_CANCEL_WINDOW_S: { schema: seconds(120), doc: 'A resident may cancel a call within this many seconds of raising it', def: '120' },
  ANXIN_HEARTBEAT_GRACE_S: { schema: seconds(30, 0), doc: 'Grace added to 2 x heartbeat interval before a device counts as offline', def: '30' },
  ANXIN_TZ: { schema: z.string().default('Asia/Shanghai').refine(validTimeZone, 'must be an IANA time zone such as Asia/Shanghai'), doc: 'Default time zone for rosters', def: 'Asia/Shanghai' },
  ANXIN_SESSION_TTL_H: { schema: seconds(12, 1), doc: 'Staff login session lifetime in hours', def: '12' },
  ANXIN_MQTT_MAX_PACKET: { schema: z.coerce.number().int().min(256, 'must be at least 256').max(1_048_576, 'must be at most 1048576').default(4096), doc: 'Largest MQTT packet a device may send, in bytes', def: '4096' },
  ANXIN_MAX_PENDING_CONNECTIONS: { schema: z.coerce.number().int().min(1).default(2000), doc: 'Cap on MQTT connections that have not yet authenticated', def: '2000' },
  ANXIN_SERIAL: { schema: z.string().default('').transform((v, ctx) => { const r = parseReceiverList(v); for (const message of r.problems) ctx.addIssue({ code: 'custom', message }); return r.specs; }),
    doc: 'RF receivers, comma-separated: /dev/ttyUSB0?baud=9600&framing=fd-df&supervise_s=0&node=ID&name=N or tcp://host:port?... (docs/rf-buttons.md)', def: 'none' },
  ANXIN_RF_REPEAT_WINDOW_MS: { schema: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be whole milliseconds').min(200, 'must be at least 200').max(10_000, 'must be at most 10000').default(1500),
    doc: 'RF copies of one code closer together than this are one press (repeats, or several receivers)', def: '1500' },
  ANXIN_MQTT_CONNECT_TIMEOUT_MS: { schema: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be whole milliseconds').min(100, 'must be at least 100').max(120_000, 'must be at most 120000').default(10_000),
    doc: 'An MQTT connection that has not sent CONNECT (or finished TLS) within this many ms is closed', def: '10000' },
  ANXIN_WS_PING_MS: { schema: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be whole milliseconds').min(100, 'must be at least 100').max(600_000, 'must be at most 600000').default(30_000),
    doc: 'Console WebSocket ping interval; a console that misses one ping is terminated', def: '30000' },
  ANXIN_CONSOLE_PROCESS: { schema: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    doc: 'Hold the consoles\' WebSockets in a process of their own, off the thread that commits alarms (off: in the hub process; TLS consoles always are)', def: 'on' },
  ANXIN_TLS_CERT: { schema: z.string().default(''), doc: 'PEM certificate (chain) file: enables HTTPS and MQTT over TLS (with ANXIN_TLS_KEY)', def: 'none' },
  ANXIN_TLS_KEY: { schema: z.string().default(''), doc: 'PEM private key file for ANXIN_TLS_CERT', def: 'none' },
  ANXIN_MQTT_TLS_PORT: { schema: port(8883), doc: 'MQTT over TLS port, when ANXIN_TLS_CERT is set (0 picks a free port)', def: '8883' },
} as const;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

type Settings = typeof SETTINGS;
export type RawConfig = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export interface HubConfig {
  host: string;
  mqttPort: number;
  httpPort: number;
  dbPath: string;
  /** The device login memo's key file (auth/login-key.ts); null for an in-memory database: a key for this run only. */
  loginKeyPath: string | null;
  logLevel: RawConfig['ANXIN_LOG_LEVEL'];
  escalateAfterS: number;
  arriveWithinS: number;
  cancelWindowS: number;
  heartbeatGraceS: number;
  timeZone: string;
  sessionTtlH: number;
  mqttMaxPacket: number;
  maxPendingConnections: number;
  serial: ReceiverSpec[];
  rfRepeatWindowMs: number;
  mqttConnectTimeoutMs: number;
  wsPingMs: number;
  /** Consoles' WebSockets held by the console process (push/console-process.ts) rather than the hub's. */
  consoleProcess: boolean;
  mqttTlsPort: number;
  /** Certificate and key read and checked at start-up; null serves plain HTTP and MQTT only. */
  tls: TlsMaterial | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined>): HubConfig {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS)) {
    const value = env[name] === '' ? undefined : env[name];
    const r = (s.schema as z.ZodType).safeParse(value);
    if (r.success) raw[name] = r.data;
    else problems.push(`${name}=${JSON.stringify(value)}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  }
  const tls = readTlsFiles(raw.ANXIN_TLS_CERT as string | undefined, raw.ANXIN_TLS_KEY as string | undefined, problems);
  if (problems.length) throw new ConfigError(problems);
  const c = raw as RawConfig;
  return {
    host: c.ANXIN_HOST,
    mqttPort: c.ANXIN_MQTT_PORT,
    httpPort: c.ANXIN_HTTP_PORT,
    dbPath: c.ANXIN_DB,
    loginKeyPath: c.ANXIN_LOGIN_KEY_FILE || (c.ANXIN_DB === ':memory:' ? null : `${c.ANXIN_DB}.login-key`),
    logLevel: c.ANXIN_LOG_LEVEL,
    escalateAfterS: c.ANXIN_ESCALATE_AFTER_S,
    arriveWithinS: c.ANXIN_ARRIVE_WITHIN_S,
    cancelWindowS: c.ANXIN_CANCEL_WINDOW_S,
    heartbeatGraceS: c.ANXIN_HEARTBEAT_GRACE_S,
    timeZone: c.ANXIN_TZ,
    sessionTtlH: c.ANXIN_SESSION_TTL_H,
    mqttMaxPacket: c.ANXIN_MQTT_MAX_PACKET,
    maxPendingConnections: c.ANXIN_MAX_PENDING_CONNECTIONS,
    serial: c.ANXIN_SERIAL,
    rfRepeatWindowMs: c.ANXIN_RF_REPEAT_WINDOW_MS,
    mqttConnectTimeoutMs: c.ANXIN_MQTT_CONNECT_TIMEOUT_MS,
    wsPingMs: c.ANXIN_WS_PING_MS,
    consoleProcess: c.ANXIN_CONSOLE_PROCESS === 'on',
    mqttTlsPort: c.ANXIN_MQTT_TLS_PORT,
    tls,
  };
}

/** The settings table for --help and the README. */
export function settingsHelp(): string {
  return Object.entries(SETTINGS).map(([k, s]) => `  ${k.padEnd(32)} ${s.doc} (default ${s.def})`).join('\n');
}
