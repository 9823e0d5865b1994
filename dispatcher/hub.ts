/**
 * Composes a whole hub: store, gateway (embedded broker), alert services, deadlines,
 * HTTP API, console WebSocket. start() brings the parts up in order; stop() takes them
 * down in reverse. Tests start a hub in-process on port 0.
 */
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { HubConfig } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { Store } from './store/store.ts';
import { Checkpointer } from './store/checkpointer.ts';
import { DeviceBroker, DEFAULT_BROKER_LIMITS } from '../gateway/broker.ts';
import { ChangeFeed } from './alerts/change-feed.ts';
import { DutyDesk } from './alerts/duty.ts';
import { DutyHint } from './push/duty-hint.ts';
import { AlertService } from './alerts/alert-service.ts';
import { DeviceIngest } from './alerts/device-ingest.ts';
import { PresenceTracker } from './alerts/presence.ts';
import { DeadlineScheduler } from './alerts/deadline-scheduler.ts';
import { HealthSweep, DEFAULT_HEALTH } from './alerts/health-sweep.ts';
import { StorageFaultMonitor } from './alerts/storage-fault.ts';
import { wsDenialAuditor } from './audit/audit-ws.ts';
import { ConsoleSocket, DEFAULT_SOCKET_OPTIONS } from './push/console-socket.ts';
import { LoginRateLimiter, DEVICE_LIMIT_POLICY } from './security/rate-limiter.ts';
import { buildHttpApp } from './http/app.ts';
import { StoreDeviceDirectory } from './device-directory.ts';
import { loadLoginKey } from './auth/login-key.ts';
import { explainListenError } from '../gateway/listen.ts';
import { ReceiverSet } from '../gateway/serial/receivers.ts';
import { RfService } from './rf/rf-service.ts';
import { ReportRunner } from './reports/report-runner.ts';
import { runReadJob } from './reports/read-jobs.ts';
import { ChangeRetention } from './alerts/change-retention.ts';
import { TimeSlicer } from './time-slicer.ts';

export interface HubOptions {
  config: HubConfig; clock?: Clock; log?: Logger;
  /** fs.fdatasync for the WAL (store/wal-sync.ts); tests pass one they hold back or make fail. */
  fdatasync?: typeof import('node:fs').fdatasync;
}

export class Hub {
  readonly log: Logger;
  readonly clock: Clock;
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly duty: DutyDesk;
  /** Tells open duty pages the board changed, at most once per 5 s. */
  readonly dutyHint: DutyHint;
  readonly alerts: AlertService;
  readonly presence: PresenceTracker;
  readonly ingest: DeviceIngest;
  readonly deadlines: DeadlineScheduler;
  readonly healthSweep: HealthSweep;
  /** Prunes change rows older than the resume window. */
  readonly changeRetention: ChangeRetention;
  readonly storageFault: StorageFaultMonitor;
  readonly broker: DeviceBroker;
  readonly socket: ConsoleSocket;
  readonly directory: StoreDeviceDirectory;
  readonly http: FastifyInstance;
  /** Brute-force limiters: staff logins (HTTP) and device logins (MQTT). */
  readonly limits: { staff: LoginRateLimiter; devices: LoginRateLimiter };
  readonly rf: RfService;
  readonly receivers: ReceiverSet;
  /** Builds report figures off the event loop. */
  readonly reports: ReportRunner;
  /** Long jobs (console catch-ups, alert lists) run a few milliseconds per turn of the event loop. */
  readonly slicer: TimeSlicer;
  ports = { mqtt: 0, http: 0, mqttTls: 0 };
  private started = false;
  private checkpointer: Checkpointer | null = null;

  constructor(readonly config: HubConfig, opts: Omit<HubOptions, 'config'> = {}) {
    this.log = opts.log ?? pino({ level: config.logLevel });
    this.clock = opts.clock ?? systemClock;
    this.store = Store.open(config.dbPath, opts.fdatasync);
    this.store.wal.onFailure = (err) => this.log.error({ err, db: config.dbPath },
      'fdatasync of the WAL failed: unsynced device events refused (devices re-send); every commit now uses SQLite\'s own fsync');
    this.store.wal.onReleaseError = (err) => this.log.error({ err }, 'work released after a commit failed');
    this.feed = new ChangeFeed(this.store);
    this.duty = new DutyDesk(this.store, config.timeZone);
    this.directory = new StoreDeviceDirectory(this.store, loadLoginKey(config.loginKeyPath, (m) => this.log.warn(m)));
    this.presence = new PresenceTracker(this.store, this.clock, this.log);
    this.alerts = new AlertService(this.store, this.feed, this.duty, { notify: (d, a, s) => this.broker.send({ kind: 'notify', deviceId: d, alertId: a, status: s }) },
      { escalateAfterS: config.escalateAfterS, arriveWithinS: config.arriveWithinS, cancelWindowS: config.cancelWindowS }, this.log);
    this.deadlines = new DeadlineScheduler(this.store, this.alerts, this.clock, this.log);
    this.healthSweep = new HealthSweep(this.store, this.alerts, this.clock, this.log, { ...DEFAULT_HEALTH, heartbeatGraceS: config.heartbeatGraceS });
    this.limits = { staff: new LoginRateLimiter(() => this.clock.now()), devices: new LoginRateLimiter(() => this.clock.now(), DEVICE_LIMIT_POLICY) };
    this.presence.onWritten((batch) => { for (const o of batch) if (typeof o.battery === 'number') this.healthSweep.batteryHeard(o.id, o.battery); });
    this.ingest = new DeviceIngest(this.store, this.alerts, this.presence, this.log, () => this.deadlines.arm());
    this.storageFault = new StorageFaultMonitor(this.store, this.alerts, this.clock, this.log);
    this.ingest.faults = this.storageFault;
    this.healthSweep.onError = (err) => this.storageFault.noticed(err);
    this.changeRetention = new ChangeRetention(this.store, this.clock, this.log);
    this.broker = new DeviceBroker({
      ...DEFAULT_BROKER_LIMITS, host: config.host, port: config.mqttPort,
      maxPacketBytes: config.mqttMaxPacket, maxPendingConnections: config.maxPendingConnections,
      connectTimeoutMs: config.mqttConnectTimeoutMs, limiter: this.limits.devices,
      tls: config.tls ? { port: config.mqttTlsPort, cert: config.tls.cert, key: config.tls.key } : undefined,
    }, this.directory, this.ingest, this.log.child({ part: 'gateway' }), () => this.clock.now());
    this.rf = new RfService(this.store, this.alerts, this.clock, this.log.child({ part: 'rf' }));
    this.receivers = new ReceiverSet(config.serial, { sink: this.ingest, directory: this.rf, observer: this.rf, now: () => this.clock.now(),
      log: this.log.child({ part: 'serial' }), repeatWindowMs: config.rfRepeatWindowMs });
    this.rf.receivers = () => ({ statuses: this.receivers.statuses(), counters: this.receivers.counters });
    this.slicer = new TimeSlicer(5, (err) => this.log.error({ err }, 'a sliced job failed'));
    this.socket = new ConsoleSocket(this.store, this.alerts, this.duty, this.feed, this.clock, this.log.child({ part: 'ws' }),
      this.slicer, { ...DEFAULT_SOCKET_OPTIONS, pingMs: config.wsPingMs, ownProcess: config.consoleProcess });
    this.storageFault.sink = this.socket;
    this.socket.volatile = () => this.storageFault.volatile();
    this.socket.onDenied = wsDenialAuditor(this.store.db, this.clock, this.log);
    this.dutyHint = new DutyHint(this.clock, (areas, edited) => this.socket.pushDutyHint(areas, edited));
    this.duty.onChange((area, edited) => this.dutyHint.poke(area, edited));
    this.reports = new ReportRunner(this.store.db.memory ? null : config.dbPath,
      (job) => runReadJob(this.store, job), this.log.child({ part: 'reports' }));
    this.http = buildHttpApp({
      store: this.store, alerts: this.alerts, clock: this.clock, config,
      health: () => this.health(),
      closeSockets: (m, why, code) => this.socket.closeFor(m, why, code),
      disconnectDevice: (id) => { this.directory.forget(id); this.broker.disconnect(id); },
      rearm: () => this.deadlines.arm(),
      dutyChanged: (area) => this.duty.changed(area),
      rf: this.rf,
      limits: this.limits,
      reports: this.reports,
      slicer: this.slicer,
    }, this.log);
  }

  static async start(config: HubConfig, opts: Omit<HubOptions, 'config'> = {}): Promise<Hub> {
    const hub = new Hub(config, opts);
    try {
      await hub.start();
    } catch (err) {
      await hub.stop().catch(() => {});
      throw err;
    }
    return hub;
  }

  async start(): Promise<void> {
    this.started = true;
    if (this.config.dbPath !== ':memory:') {
      this.checkpointer = new Checkpointer(this.store.db, this.config.dbPath, (m) => this.log.warn({ db: this.config.dbPath }, m), { gate: this.ingest });
    }
    this.deadlines.start();
    this.healthSweep.start();
    this.changeRetention.start();
    this.ports.mqtt = await this.broker.start();
    this.ports.mqttTls = this.broker.boundTlsPort;
    this.socket.attach(this.http.server);
    try {
      await this.http.listen({ host: this.config.host, port: this.config.httpPort, backlog: 4096 });
    } catch (err) {
      throw explainListenError(err as NodeJS.ErrnoException, this.config.host, this.config.httpPort, 'ANXIN_HTTP_PORT', 'HTTP');
    }
    const addr = this.http.server.address();
    this.ports.http = typeof addr === 'object' && addr ? addr.port : this.config.httpPort;
    this.log.info({ mqttPort: this.ports.mqtt, httpPort: this.ports.http, mqttTlsPort: this.ports.mqttTls || undefined, https: !!this.config.tls, host: this.config.host, db: this.config.dbPath }, 'Anxin Hub listening');
    this.receivers.start();
  }

  health(): Record<string, unknown> {
    let db = 'ok';
    try { this.store.db.prepare('SELECT 1').get(); } catch { db = 'error'; }
    return {
      ok: db === 'ok', db, mqttPort: this.ports.mqtt, httpPort: this.ports.http,
      consoles: this.socket.connectedCount(), consolesCatchingUp: this.socket.catchingUp(),
      consoleUpgrades: { ...this.socket.upgrades.stats }, consoleProcess: this.socket.consoleProcess(), openAlerts: this.store.alerts.openCount(),
      eventsCommitted: this.ingest.committed, storageFaults: this.ingest.storageFaults,
      receivers: this.receivers.statuses(),
      walCheckpoints: this.checkpointer ? { background: this.checkpointer.running, ...this.checkpointer.stats } : null,
      reports: { mode: this.reports.mode, ...this.reports.stats },
      walSync: { deferred: this.store.wal.deferrable, failed: this.store.wal.failed?.message ?? null, pending: this.store.wal.pending, ...this.store.wal.stats },
    };
  }

  /** Stops in reverse order. Safe to call twice, and after a failed start. */
  async stop(): Promise<void> {
    if (!this.started && !this.store.db.open) return;
    this.started = false;
    this.receivers.stop();
    this.socket.stop();
    this.dutyHint.stop();
    this.checkpointer?.stop(); // lets go of device events held for a handover: they commit while the broker is still up
    await this.http.close().catch(() => {});
    this.store.wal.drain(); // acks and notifications of committed events go out before the broker closes
    await this.broker.stop();
    this.deadlines.stop();
    this.healthSweep.stop();
    this.changeRetention.stop();
    this.storageFault.stop();
    this.presence.stop();
    await this.reports.close();
    this.store.close();
  }
}
