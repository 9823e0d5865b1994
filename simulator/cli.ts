/**
 * The simulator's command line: `npm run sim -- <command> …`. It speaks the device protocol
 * from the outside, as real hardware does.
 */
import { parseArgs } from 'node:util';
import { SimDevice } from './sim-device.ts';
import type { DeviceEventType } from '../gateway/protocol.ts';
import { EVENT_TYPES } from '../gateway/protocol.ts';
import { RECEIVER_HELP, receiverMain } from './receiver.ts';
import { LOAD_COMMANDS, LOAD_HELP, runLoadCommand, UsageError } from './commands.ts';

const HELP = `Anxin simulator - plays call devices against a running hub

Usage: npm run sim -- <command> [options]

Commands:
  press ID            connect as device ID, send one event, wait for the hub's ack,
                      print it with the round-trip time, then wait for the notify
  device ID           connect as device ID and stay online: heartbeats, prints every
                      message from the hub; type p + Enter to press, c to cancel, t to test
${LOAD_HELP}${RECEIVER_HELP}
Options:
  --url URL           MQTT URL of the hub (default mqtt://127.0.0.1:$ANXIN_MQTT_PORT or 1883)
  --secret S          the device's MQTT password (default demo-secret)
  --type T            event type for press: ${EVENT_TYPES.join(', ')} (default press)
  --timeout S         give up after S seconds without an ack (default 30)
  -h, --help          this text

Examples:
  npm run sim -- press demo-0001
  npm run sim -- receiver --port 4600 --do "press 0x10001; wait 2; test 0x10001"
  ANXIN_MQTT_PORT=18830 npm run sim -- press demo-0003 --type fall
`;

function defaultUrl(): string {
  return `mqtt://127.0.0.1:${process.env.ANXIN_MQTT_PORT && process.env.ANXIN_MQTT_PORT !== '0' ? process.env.ANXIN_MQTT_PORT : 1883}`;
}

function die(msg: string, code = 2): never {
  process.stderr.write(`sim: ${msg}\n`);
  process.exit(code);
}

async function press(id: string, url: string, secret: string, type: DeviceEventType, timeoutS: number): Promise<void> {
  const dev = new SimDevice({ url, id, secret, reconnectMs: 0 });
  try {
    await dev.connect();
  } catch (err) {
    die(`could not connect to ${url} as ${id}: ${(err as Error).message}`, 1);
  }
  process.stdout.write(`connected to ${url} as ${id}; sending ${type}\n`);
  const timer = setTimeout(() => die(`no ack from the hub within ${timeoutS} s`, 1), timeoutS * 1000);
  const r = await dev.send(type);
  clearTimeout(timer);
  process.stdout.write(`ack seq=${r.seq} alertId=${r.alertId ?? '-'} round-trip ${r.rttMs.toFixed(1)} ms (sent ${r.sends}x)\n`);
  if (r.alertId) {
    const n = await dev.waitForNotify('received', r.alertId, 3000).catch(() => null);
    if (n) process.stdout.write(`notify ${n.status} for ${n.alertId}\n`);
  }
  await dev.close();
}

async function device(id: string, url: string, secret: string): Promise<void> {
  const dev = new SimDevice({ url, id, secret, heartbeatMs: 30_000 });
  dev.on('notify', (n) => process.stdout.write(`notify ${n.status} for ${n.alertId}\n`));
  dev.on('ack', (a) => process.stdout.write(`ack seq=${a.seq} alertId=${a.alertId ?? '-'}\n`));
  dev.on('online', () => process.stdout.write(`online at ${url} as ${id}\n`));
  dev.on('mqtt-error', (e: Error) => process.stderr.write(`mqtt: ${e.message}\n`));
  await dev.connect().catch((err: Error) => die(`could not connect to ${url} as ${id}: ${err.message}`, 1));
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    const k = line.trim()[0];
    const type = k === 'p' ? 'press' : k === 'c' ? 'cancel' : k === 't' ? 'test' : null;
    if (type) void dev.send(type).then((r) => process.stdout.write(`  ${type} acked in ${r.rttMs.toFixed(1)} ms\n`));
  });
  process.on('SIGINT', () => void dev.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  if (process.argv[2] === 'receiver') return receiverMain(process.argv.slice(3));
  const argv = process.argv.slice(2);
  if ((LOAD_COMMANDS as readonly string[]).includes(argv[0])) {
    const code = await runLoadCommand(argv[0], argv).catch((err: Error) => die(err.message, err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1));
    process.exit(code);
  }
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' }, secret: { type: 'string' }, type: { type: 'string' }, timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, id] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(HELP);
    return;
  }
  const url = values.url ?? defaultUrl();
  const secret = values.secret ?? 'demo-secret';
  if (cmd === 'press' || cmd === 'device') {
    if (!id) die(`${cmd} needs a device id, e.g. npm run sim -- ${cmd} demo-0001`);
    if (cmd === 'device') return device(id, url, secret);
    const type = (values.type ?? 'press') as DeviceEventType;
    if (!EVENT_TYPES.includes(type)) die(`unknown --type ${type}: use one of ${EVENT_TYPES.join(', ')}`);
    const t = Number(values.timeout ?? 30);
    if (!Number.isFinite(t) || t <= 0) die('--timeout must be a positive number of seconds');
    return press(id, url, secret, type, t);
  }
  die(`unknown command ${cmd}: see npm run sim -- --help`);
}

main().catch((err) => die((err as Error).message, 1));
