/**
 * A hub run as a child process (`node --import tsx dispatcher/main.ts --demo`, the same as
 * `npx tsx dispatcher/main.ts --demo` without npx's start-up cost) on two free loopback ports
 * picked once and kept across restarts, with its SQLite file in a temp directory. Scenarios
 * use it to restart the hub in the middle of a drill; the benchmarks use it so the hub has a
 * process of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface HubProcessOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Extra modules to preload after tsx (the benchmarks' event-loop probe). */
  preload?: string[];
  /** Forward the hub's stderr (warnings, errors) to ours. */
  showLog?: boolean;
}

export class HubProcess {
  child: ChildProcess | null = null;
  starts = 0;
  private output = '';

  private constructor(readonly mqttPort: number, readonly httpPort: number, readonly dir: string, readonly opts: HubProcessOptions) {}

  get dbPath(): string { return join(this.dir, 'anxin.db'); }
  get mqttUrl(): string { return `mqtt://127.0.0.1:${this.mqttPort}`; }
  get httpUrl(): string { return `http://127.0.0.1:${this.httpPort}`; }
  get pid(): number | undefined { return this.child?.pid; }

  static async start(opts: HubProcessOptions = {}): Promise<HubProcess> {
    const h = new HubProcess(await freePort(), await freePort(), mkdtempSync(join(tmpdir(), 'anxin-sim-hub-')), opts);
    await h.launch();
    return h;
  }

  private launch(): Promise<void> {
    const env = {
      ...process.env, ANXIN_HOST: '127.0.0.1', ANXIN_MQTT_PORT: String(this.mqttPort), ANXIN_HTTP_PORT: String(this.httpPort),
      ANXIN_DB: this.dbPath, ANXIN_LOG_LEVEL: 'warn', ...(this.opts.env ?? {}),
    };
    const child = spawn(process.execPath, [...(this.opts.nodeArgs ?? []), '--import', 'tsx', ...(this.opts.preload ?? []).flatMap((m) => ['--import', m]), 'dispatcher/main.ts', '--demo'], {
      cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    // Never leave an orphaned hub behind when this process ends (Ctrl-C, a failed run).
    const reap = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    this.output = '';
    child.stderr!.on('data', (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-4000);
      if (this.opts.showLog) process.stderr.write(d);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hub did not start within 30 s:\n${this.output}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        this.output = (this.output + d.toString()).slice(-4000);
        if (this.output.includes('Anxin Hub: MQTT on')) { clearTimeout(timer); resolve(); }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`hub exited with ${code} while starting:\n${this.output}`)); });
    });
  }

  /** SIGTERM and wait (SIGKILL after 10 s). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => { clearTimeout(t); resolve(); });
      child.kill(signal);
    });
  }

  /**
   * Stops the hub (SIGTERM, or SIGKILL for a crash), stays down `downMs`, starts it again on the same ports and file.
   * `whileDown` runs while the hub is stopped (a benchmark rewriting the file).
   */
  async restart(downMs = 0, crash = false, whileDown?: () => void): Promise<void> {
    await this.kill(crash ? 'SIGKILL' : 'SIGTERM');
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    whileDown?.();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
