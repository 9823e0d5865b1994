/**
 * Runs in a worker thread (report-runner.ts starts it): reads a report's calls through its own
 * read-only connection to the hub's database and computes the figures, so a year's report
 * (hundreds of milliseconds of reading and sorting) never holds up acks and console pushes on
 * the hub's event loop. WAL mode lets this reader run beside the hub's writer; it sees what
 * was committed when its query began.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ReportRepo } from '../store/report-repo.ts';
import { reportFigures } from './report-figures.ts';

export interface FiguresRequest { id: number; path: string; from: number; to: number; now: number }

const port = parentPort!;
try {
  const db = new Database((workerData as { dbPath: string }).dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const repo = new ReportRepo(db);
  port.on('message', (m: FiguresRequest | 'stop') => {
    if (m === 'stop') { db.close(); port.close(); return; }
    try {
      port.postMessage({ id: m.id, figures: reportFigures(repo.calls(m.path, m.from, m.to), m.now) });
    } catch (err) {
      port.postMessage({ id: m.id, error: (err as Error).message });
    }
  });
} catch (err) {
  port.postMessage({ broken: (err as Error).message });
}
