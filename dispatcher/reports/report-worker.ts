/**
 * Runs in a worker thread (report-runner.ts starts it). Reads through its own
 * read-only connection to the hub's database and builds what read-jobs.ts names (a report's
 * figures, the device and household lists), so a year's report or a list of 10,000 devices (hundreds of
 * milliseconds of reading, sorting and serializing) never holds up acks and console pushes on the
 * hub's event loop. WAL mode lets this reader run beside the hub's writer; it sees what was
 * committed when its query began.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ReportRepo } from '../store/report-repo.ts';
import { DeviceListRepo } from '../store/device-list-repo.ts';
import { HealthRepo } from '../store/health-repo.ts';
import { HouseholdListRepo } from '../store/household-list-repo.ts';
import { runReadJob, type ReadJob } from './read-jobs.ts';

export type ReadRequest = ReadJob & { id: number };

const port = parentPort!;
try {
  const db = new Database((workerData as { dbPath: string }).dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const readers = { reports: new ReportRepo(db), deviceLists: new DeviceListRepo(db), health: new HealthRepo(db), householdLists: new HouseholdListRepo(db) };
  port.on('message', (m: ReadRequest | 'stop') => {
    if (m === 'stop') { db.close(); port.close(); return; }
    try {
      const result = runReadJob(readers, m);
      // A list's bytes are moved to the hub's thread, not copied: 6 MB copied there cost it a pause.
      port.postMessage({ id: m.id, result }, result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : []);
    } catch (err) {
      port.postMessage({ id: m.id, error: (err as Error).message });
    }
  });
} catch (err) {
  port.postMessage({ broken: (err as Error).message });
}
