/** A seeded in-process hub whose warnings and errors are captured as parsed log lines. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { Hub } from '../../../dispatcher/hub.ts';
import { loadConfig } from '../../../dispatcher/config.ts';
import { Store } from '../../../dispatcher/store/store.ts';
import { seedDemo } from '../../../dispatcher/demo-seed.ts';

export type LogLine = { at: number; msg: string; [k: string]: unknown };

export async function startLoggedHub(dbPath: string, lines: LogLine[]): Promise<Hub> {
  const s = Store.open(dbPath);
  seedDemo(s, Date.now());
  s.close();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) { const j = JSON.parse(l); lines.push({ ...j, at: j.time, msg: j.msg }); }
      cb();
    },
  });
  const config = loadConfig({ ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: '0', ANXIN_HTTP_PORT: '0', ANXIN_DB: dbPath });
  return Hub.start(config, { log: pino({ level: 'warn' }, sink) });
}
