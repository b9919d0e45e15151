// The local session cluster: infrastructure, then ResourceManager, JobManager and dispatcher,
// then the TaskManagers, each a child process we supervise. It owns the shutdown order (services
// first, then the infrastructure it started) and treats any child that exits on its own as fatal.

import { join } from 'node:path';
import {
  ensureInfra,
  findFreePort,
  isPortOpen,
  PidFile,
  redact,
  spawnService,
  waitFor,
  type ManagedProcess,
  type ServiceName,
} from '../infra';
import { InfraError, PortInUseError } from '../infra/infra.errors';
import { getOverview, isHealthy, type ClusterOverview } from './rest.client';

export interface LocalClusterOptions {
  readonly taskmanagers: number;
  readonly slots: number;
  readonly port: number;
  readonly dataDir: string;
  readonly repoRoot: string;
  readonly natsUrl?: string;
  readonly databaseUrl?: string;
  readonly logLevel?: string;
  /** Deadline for each start-up step (default 90 s: two cores shared with builds are slow). */
  readonly startTimeoutMs?: number;
  readonly print?: (line: string) => void;
  /**
   * Called once the cluster is up (e.g. to run a job on it); the cluster keeps running meanwhile
   * and afterwards. The signal aborts when the cluster stops. A rejection is printed, not fatal.
   */
  readonly onReady?: (cluster: { readonly natsUrl: string; readonly restUrl: string }, signal: AbortSignal) => Promise<unknown>;
}

/** The cluster was asked to stop while it was still starting. */
export class StartAbortedError extends InfraError {
  readonly code = 'CLUSTER_START_ABORTED';
}

/** A service or server we started exited although nobody asked it to. */
export class UnexpectedExitError extends InfraError {
  readonly code = 'CLUSTER_CHILD_EXITED';
}

interface Child {
  readonly process: ManagedProcess;
  readonly kind: 'service' | 'infra';
}

export class LocalCluster {
  private readonly children: Child[] = [];
  private pidFile?: PidFile;
  private stopRequested = false;
  private failure?: UnexpectedExitError;
  private wakeUp!: () => void;
  private readonly stopSignal = new Promise<void>((resolve) => (this.wakeUp = resolve));
  private shutdownPromise?: Promise<void>;
  private readonly print: (line: string) => void;
  private natsUrl?: string;
  private readonly stopping = new AbortController();

  constructor(private readonly options: LocalClusterOptions) {
    this.print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Starts everything, then runs until stop() or a child's death; resolves with the exit code. */
  async run(): Promise<number> {
    const started = Date.now();
    try {
      const overview = await this.start();
      this.print(`\nRunnel cluster is up (${((Date.now() - started) / 1000).toFixed(1)} s): ${this.restUrl}`);
      this.print(JSON.stringify(overview, null, 2));
      this.print('Press Ctrl-C to stop.\n');
      if (this.options.onReady && this.natsUrl) {
        const natsUrl = this.natsUrl;
        void this.options.onReady({ natsUrl, restUrl: this.restUrl }, this.stopping.signal).catch((error: unknown) => {
          if (!this.stopping.signal.aborted) this.print(`${error instanceof Error ? error.message : String(error)}`);
        });
      }
      await this.stopSignal;
    } catch (error) {
      if (!(error instanceof StartAbortedError) && !this.failure) {
        this.print(`cluster start failed: ${error instanceof Error ? error.message : String(error)}`);
        this.failure = new UnexpectedExitError('start failed', { cause: error });
      }
    }
    await this.shutdown();
    return this.failure ? 1 : 0;
  }

  /** Asks the cluster to stop (signal handler); run() then shuts down and resolves. */
  stop(): void {
    this.stopRequested = true;
    this.wakeUp();
  }

  /** Second Ctrl-C: SIGKILL everything now. */
  killAll(): void {
    for (const child of this.children) void child.process.kill();
  }

  private async start(): Promise<ClusterOverview> {
    const o = this.options;
    const timeoutMs = o.startTimeoutMs ?? 90_000;
    const { pidFile, cleaned } = await PidFile.claim(join(o.dataDir, 'cluster.pid.json'));
    this.pidFile = pidFile;
    if (cleaned.length > 0) this.print(`stopped processes left by an earlier cluster: ${cleaned.join(', ')}`);
    if (await isPortOpen(o.port)) {
      throw new PortInUseError(`port ${o.port} is already in use on 127.0.0.1; pass another --port`);
    }

    const infra = await ensureInfra({
      natsUrl: o.natsUrl,
      databaseUrl: o.databaseUrl,
      dataDir: o.dataDir,
      log: this.print,
      onProcessStarted: (proc) => this.track(proc, 'infra'),
    });
    this.checkStop();
    this.natsUrl = infra.natsUrl;
    this.print(`NATS ${infra.natsUrl}, Postgres ${redact(infra.databaseUrl)}`);

    const common = { NATS_URL: infra.natsUrl, HTTP_HOST: '127.0.0.1', LOG_LEVEL: o.logLevel ?? 'info' };
    const [rmPort, jmPort] = [await findFreePort(), await findFreePort()];
    const control: Array<[ServiceName, number, Record<string, string>]> = [
      ['resourcemanager', rmPort, { DATABASE_URL: infra.databaseUrl }],
      ['jobmanager', jmPort, { DATABASE_URL: infra.databaseUrl }],
      ['dispatcher', o.port, {}],
    ];
    for (const [service, port, env] of control) {
      this.startService(service, service, { ...common, ...env, HTTP_PORT: String(port) });
    }
    await Promise.all(
      control.map(([service, port]) =>
        this.waitUntil(() => isHealthy(`http://127.0.0.1:${port}`), `${service} /health on port ${port}`, timeoutMs),
      ),
    );

    for (let i = 1; i <= o.taskmanagers; i++) {
      // RESOURCE_ID from our own environment would give every TaskManager the same id.
      const env = { ...common, TM_SLOTS: String(o.slots), HTTP_PORT: '0', RESOURCE_ID: undefined };
      this.startService('taskmanager', `taskmanager-${i}`, env);
    }
    return this.waitUntil(
      async () => {
        const overview = await getOverview(this.restUrl);
        return overview && overview.taskmanagers === o.taskmanagers ? overview : undefined;
      },
      `the dispatcher's /overview to report ${o.taskmanagers} taskmanagers`,
      timeoutMs,
    );
  }

  private startService(service: ServiceName, name: string, env: Record<string, string | undefined>): void {
    this.checkStop();
    const proc = spawnService({ service, name, env, repoRoot: this.options.repoRoot });
    this.track(proc, 'service');
  }

  private track(proc: ManagedProcess, kind: Child['kind']): void {
    this.children.push({ process: proc, kind });
    this.pidFile?.add(proc.name, proc.pid, kind === 'infra' ? 'SIGINT' : 'SIGTERM');
    void proc.exited.then((info) => {
      this.pidFile?.remove(proc.pid);
      if (this.stopRequested || this.shutdownPromise) return;
      const tail = kind === 'infra' ? `\n${proc.logs().slice(-20).join('\n')}` : '';
      this.failure = new UnexpectedExitError(
        `${proc.name} (pid ${proc.pid}) exited unexpectedly (code ${info.code}, signal ${info.signal})`,
      );
      this.print(`${this.failure.message}; stopping the cluster${tail}`);
      this.wakeUp();
    });
  }

  private checkStop(): void {
    if (this.stopRequested) throw new StartAbortedError('stop requested during start-up');
    if (this.failure) throw this.failure;
  }

  private waitUntil<T>(check: () => Promise<T>, description: string, timeoutMs: number): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
    return waitFor(check, {
      description,
      timeoutMs,
      intervalMs: 200,
      abortIf: () => {
        try {
          this.checkStop();
          return undefined;
        } catch (error) {
          return error as Error;
        }
      },
    });
  }

  /** Services first (in parallel), then the infrastructure we started; idempotent. */
  private shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.stopping.abort();
      const started = Date.now();
      const running = (kind: Child['kind']) =>
        this.children.filter((c) => c.kind === kind && !c.process.exitInfo()).map((c) => c.process);
      const services = running('service');
      if (services.length > 0) this.print(`stopping ${services.map((p) => p.name).join(', ')}`);
      const exits = await Promise.all(services.map((p) => p.stop(10_000)));
      services.forEach((p, i) => {
        if (exits[i]?.signal === 'SIGKILL') this.print(`${p.name} did not stop within 10 s and was killed`);
      });
      const infra = running('infra');
      // A server that died while the services stopped is worth a line: it should not happen.
      for (const c of this.children.filter((c) => c.kind === 'infra' && c.process.exitInfo())) {
        const info = c.process.exitInfo();
        this.print(`${c.process.name} had already exited (code ${info?.code}, signal ${info?.signal})`);
      }
      if (infra.length > 0) this.print(`stopping ${infra.map((p) => p.name).join(', ')}`);
      await Promise.all(infra.map((p) => p.stop(15_000)));
      // Anything still recorded (a child whose exit we have not seen yet) stays in the pid file
      // for the next start's clean-up; otherwise the file goes.
      if (this.children.every((c) => c.process.exitInfo())) this.pidFile?.release();
      this.print(`cluster stopped (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    })();
    return this.shutdownPromise;
  }
}
