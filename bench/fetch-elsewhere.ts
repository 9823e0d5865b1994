/**
 * HTTP requests from a worker thread, for benchmarks that run the hub in their own process and time
 * its event loop: reading a megabyte answer there would be counted as the hub's pause, and spawning a
 * client process (curl) for each request pauses a process of this size for 25–63 ms by itself.
 */
import { Worker } from 'node:worker_threads';

const CLIENT = `
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', async ({ url, token }) => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
    const bytes = (await res.arrayBuffer()).byteLength;
    parentPort.postMessage({ status: res.status, bytes, ms: performance.now() - t });
  });`;

export interface Fetched { status: number; bytes: number; ms: number }

export class FetchElsewhere {
  private readonly worker = new Worker(CLIENT, { eval: true });

  /** One GET with the bearer token, one at a time: the answer read whole in the worker. */
  get(url: string, token: string): Promise<Fetched> {
    return new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage({ url, token });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
