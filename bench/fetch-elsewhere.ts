/**
 * HTTP requests from a worker thread, timed beside the event loop of this process, for benchmarks
 * that run the hub in their own process: reading a megabyte answer here would be counted as the
 * hub's pause, and spawning a client process (curl) for each request pauses a process of this size
 * for 25–63 ms by itself.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

/** `n` GETs one after another: p50 and max time, the last answer's size, and this process's longest event-loop pause meanwhile. */
export async function timeGets(client: FetchElsewhere, url: string, token: string, n = 7): Promise<string> {
  const ms: number[] = [];
  let bytes = 0;
  const pause = monitorEventLoopDelay({ resolution: 1 });
  pause.enable();
  for (let i = 0; i < n; i++) {
    const r = await client.get(url, token);
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  pause.disable();
  ms.sort((a, b) => a - b);
  const size = bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
  return `${new URL(url).pathname}${new URL(url).search}: p50 ${ms[n >> 1].toFixed(1)} ms, max ${ms[n - 1].toFixed(1)} ms, ${size}; longest event-loop pause ${(pause.max / 1e6).toFixed(1)} ms`;
}

/** This process's longest event-loop pause over `ms` with nothing asked: the idle hub's own (its health sweep every 5 s, the collector). */
export async function idlePause(ms = 6000): Promise<string> {
  const pause = monitorEventLoopDelay({ resolution: 1 });
  pause.enable();
  await new Promise((r) => setTimeout(r, ms));
  pause.disable();
  return `no request for ${ms / 1000} s (a health sweep or more): longest event-loop pause ${(pause.max / 1e6).toFixed(1)} ms`;
}
