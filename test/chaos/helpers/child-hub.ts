/**
 * The hub as a child process for crash tests: `node --import tsx dispatcher/main.ts` on two
 * fixed loopback ports and one SQLite file, so it can be SIGKILLed and started again on the
 * same database. Records when each start was spawned and when it was ready, and lets a test
 * watch the child's output line by line (markers from the checkpoint preload, log lines).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../simulator/hub-process.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHECKPOINT_PRELOAD = fileURLToPath(new URL('./checkpoint-preload.ts', import.meta.url));

export interface ChildHubOptions {
  dbPath: string;
  env?: Record<string, string>;
  /** Extra `--import` modules (the checkpoint loop). */
  preload?: string[];
}

export interface StartRecord { spawnedAt: number; readyAt: number }

export class ChildHub {
  child: ChildProcess | null = null;
  readonly starts: StartRecord[] = [];
  private lineListeners = new Set<(line: string, at: number) => void>();
  tail = '';

  private constructor(readonly mqttPort: number, readonly httpPort: number, readonly opts: ChildHubOptions) {}

  static async create(opts: ChildHubOptions): Promise<ChildHub> {
    return new ChildHub(await freePort(), await freePort(), opts);
  }

  get mqttUrl(): string { return `mqtt://127.0.0.1:${this.mqttPort}`; }
  get httpUrl(): string { return `http://127.0.0.1:${this.httpPort}`; }
  get wsUrl(): string { return `ws://127.0.0.1:${this.httpPort}/ws`; }
  get running(): boolean { return !!this.child && this.child.exitCode === null && this.child.signalCode === null; }

  onLine(fn: (line: string, at: number) => void): () => void {
    this.lineListeners.add(fn);
    return () => this.lineListeners.delete(fn);
  }

  /** Spawns the hub and resolves once it printed its "listening" line. */
  start(): Promise<StartRecord> {
    const spawnedAt = Date.now();
    const args = ['--import', 'tsx', ...(this.opts.preload ?? []).flatMap((p) => ['--import', p]), 'dispatcher/main.ts'];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: String(this.mqttPort), ANXIN_HTTP_PORT: String(this.httpPort),
        ANXIN_DB: this.opts.dbPath, ANXIN_LOG_LEVEL: 'warn', ...(this.opts.env ?? {}) },
    });
    this.child = child;
    const feed = (stream: NodeJS.ReadableStream) => {
      let buf = '';
      stream.on('data', (d: Buffer) => {
        const at = Date.now();
        buf += d.toString();
        this.tail = (this.tail + d.toString()).slice(-6000);
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          for (const l of this.lineListeners) l(line, at);
        }
      });
    };
    feed(child.stdout!);
    feed(child.stderr!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error(`hub did not start within 60 s:\n${this.tail}`)); }, 60_000);
      const off = this.onLine((line, at) => {
        if (!line.includes('Anxin Hub: MQTT on')) return;
        clearTimeout(timer);
        off();
        const rec = { spawnedAt, readyAt: at };
        this.starts.push(rec);
        resolve(rec);
      });
      child.once('exit', (code, sig) => { clearTimeout(timer); off(); if (!this.starts.some((s) => s.spawnedAt === spawnedAt)) reject(new Error(`hub exited (${code ?? sig}) while starting:\n${this.tail}`)); });
    });
  }

  /** Sends `signal` and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Date.now();
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const at = Date.now();
    child.kill(signal);
    await gone;
    return at;
  }

  /** Kills the child from the caller's own event loop turn (no await before the signal). */
  killNow(): { at: number; gone: Promise<void> } | null {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return null;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    return { at: Date.now(), gone };
  }
}
