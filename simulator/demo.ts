/**
 * `npm run demo`: seeds the demo community, starts the hub in this process, and plays the
 * hardware: the 20 demo call buttons (heart-beating, pressing now and then) and one RF
 * receiver hearing the four demo RF buttons. Open the console, log in as grid1 and watch.
 * Settings are the hub's (ANXIN_*); ANXIN_SERIAL defaults to the simulated receiver.
 */
import { loadConfig, ConfigError } from '../dispatcher/config.ts';
import { Hub } from '../dispatcher/hub.ts';
import { Store } from '../dispatcher/store/store.ts';
import { seedDemo, DEMO_LOGINS, DEMO_STAFF_PASSWORD } from '../dispatcher/demo-seed.ts';
import { ListenError } from '../gateway/listen.ts';
import { Fleet, DEFAULT_FLEET, demoDevices } from './fleet.ts';
import { SimReceiver } from './receiver.ts';

const RF_CODES = [0x10001, 0x10002, 0x10003, 0x10004];

async function main(): Promise<void> {
  const receiver = process.env.ANXIN_SERIAL ? null : await SimReceiver.tcp(0);
  const env = { ...process.env, ...(receiver ? { ANXIN_SERIAL: receiver.where() } : {}) };
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`anxin demo: ${err.message}\n`); process.exit(1); }
    throw err;
  }
  const store = Store.open(config.dbPath);
  seedDemo(store, Date.now());
  store.close();
  let hub: Hub;
  try {
    hub = await Hub.start(config);
  } catch (err) {
    if (err instanceof ListenError) { process.stderr.write(`anxin demo: ${err.message}\n`); process.exit(1); }
    throw err;
  }
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  process.stdout.write(`\nAnxin Hub demo\n  console: http://${host}:${hub.ports.http}/   MQTT: ${config.host}:${hub.ports.mqtt}\n` +
    `  logins (password ${DEMO_STAFF_PASSWORD}): ${DEMO_LOGINS.map((l) => l.username).join(', ')}\n` +
    `  20 simulated call buttons press about twice a minute; the RF buttons demo-rf-01..04 about once a minute.\n` +
    `  Press one yourself: ANXIN_MQTT_PORT=${hub.ports.mqtt} npm run sim -- press demo-0001\n\n`);

  const fleet = new Fleet({ ...DEFAULT_FLEET, url: `mqtt://127.0.0.1:${hub.ports.mqtt}`, devices: demoDevices(), heartbeatS: 30, pressPerMin: 2, cancelPerMin: 0.2, testPerMin: 0.3 });
  await fleet.connect();
  fleet.startActivity();
  setTimeout(() => void fleet.send('demo-0002', 'press'), 5000); // something to see straight away
  const rfTimer = receiver ? setInterval(() => {
    const code = RF_CODES[Math.floor(Math.random() * RF_CODES.length)];
    void receiver.hold(code, 0x1, 400 + Math.random() * 800);
  }, 60_000) : null;

  const stop = async () => {
    if (rfTimer) clearInterval(rfTimer);
    await fleet.stop().catch(() => {});
    await hub.stop();
    await receiver?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => { process.stderr.write(`anxin demo: ${(err as Error).stack}\n`); process.exit(1); });
