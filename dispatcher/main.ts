/**
 * The hub's command line: `npm start` (run), `npm start -- --demo` (seed the demo community
 * and run), `npm run hub -- create-admin NAME` (first account), `audit-verify`, `backup FILE`, `--help`.
 */
import { createInterface } from 'node:readline/promises';
import { loadConfig, ConfigError, settingsHelp, type HubConfig } from './config.ts';
import { Hub } from './hub.ts';
import { Store } from './store/store.ts';
import { seedDemo, DEMO_LOGINS, DEMO_STAFF_PASSWORD, DEMO_DEVICE_SECRET } from './demo-seed.ts';
import { hashSecret } from './auth/secrets.ts';
import { ListenError } from '../gateway/listen.ts';
import { auditVerify } from './audit/verify-cli.ts';
import { backupDb } from './store/backup-cli.ts';

const HELP = `Anxin Hub (安心) - emergency-call hub for elderly people who live alone

Usage:
  npm start                          run the hub
  npm start -- --demo                seed the demo community (idempotent) and run
  npm run hub -- create-admin NAME   create an admin account (asks for the password,
                                     or reads ANXIN_ADMIN_PASSWORD)
  npm run hub -- audit-verify        check the audit log's hash chain in ANXIN_DB: exit 0 when
                                     intact, 1 when a row was changed or removed
  npm run hub -- backup FILE         copy ANXIN_DB to FILE, consistent, while the hub runs; the
                                     copy is checked and counted (never overwrites a file)
  npm run hub -- --help              this text

Settings (environment variables):
${settingsHelp()}
`;

function fail(msg: string): never {
  process.stderr.write(`anxin: ${msg}\n`);
  process.exit(1);
}

async function createAdmin(config: HubConfig, name: string | undefined): Promise<void> {
  if (!name || !/^[A-Za-z0-9_.-]{2,64}$/.test(name)) fail('create-admin needs a username of 2-64 letters, digits, _ . or -');
  let password = process.env.ANXIN_ADMIN_PASSWORD;
  if (!password) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    password = await rl.question(`password for ${name}: `);
    rl.close();
  }
  if (!password || password.length < 10) fail('the password must have at least 10 characters');
  const store = Store.open(config.dbPath);
  try {
    if (store.staff.byUsername(name)) fail(`user ${name} already exists`);
    store.staff.create({ username: name, displayName: name, role: 'admin', scopeNodeId: null, phone: '' }, await hashSecret(password), Date.now());
    process.stdout.write(`admin ${name} created in ${config.dbPath}\n`);
  } finally {
    store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  let config: HubConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const [cmd, ...rest] = argv.filter((a) => a !== '--demo');
  if (cmd === 'create-admin') return createAdmin(config, rest[0]);
  if (cmd === 'audit-verify') {
    process.exitCode = auditVerify(config.dbPath, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
    return;
  }
  if (cmd === 'backup') {
    process.exitCode = backupDb(config.dbPath, rest[0], (t) => process.stdout.write(t), (t) => process.stderr.write(t));
    return;
  }
  if (cmd !== undefined) fail(`unknown command ${cmd}: see --help`);

  if (argv.includes('--demo')) {
    const store = Store.open(config.dbPath);
    const { created } = seedDemo(store, Date.now());
    store.close();
    process.stdout.write(`${created ? 'Seeded' : 'Found'} the demo community 商城花园社区 in ${config.dbPath}.\nDemo logins (password ${DEMO_STAFF_PASSWORD}):\n` +
      DEMO_LOGINS.map((l) => `  ${l.username.padEnd(10)} ${l.who}`).join('\n') +
      `\nDemo devices demo-0001..demo-0020, MQTT password ${DEMO_DEVICE_SECRET}.\n`);
  }

  let hub: Hub;
  try {
    hub = await Hub.start(config);
  } catch (err) {
    if (err instanceof ListenError) fail(err.message);
    throw err;
  }
  if (hub.store.staff.count() === 0) {
    hub.log.warn('no staff accounts yet: create the first with `npm run hub -- create-admin NAME`');
  }
  process.stdout.write(`Anxin Hub: MQTT on ${config.host}:${hub.ports.mqtt}, console on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${hub.ports.http}/\n`);
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    hub.log.info({ sig }, 'stopping');
    hub.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main(process.argv.slice(2)).catch((err) => fail((err as Error).stack ?? String(err)));
