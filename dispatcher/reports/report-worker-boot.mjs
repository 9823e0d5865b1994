// Starts report-worker.ts in a worker thread through tsx (the hub's TypeScript runtime), whether or not
// the thread that starts it has a TypeScript loader (plain node, tsx, vitest). Plain JavaScript for that reason.
import { parentPort, workerData } from 'node:worker_threads';

try {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(workerData.file, import.meta.url);
} catch (err) {
  parentPort.postMessage({ broken: String((err && err.message) || err) });
}
