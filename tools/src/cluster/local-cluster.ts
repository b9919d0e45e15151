// The local session cluster, run as a supervisor: infrastructure, then ResourceManager, JobManager
// and dispatcher, then the TaskManagers, each a child process. After start-up no member's death
// stops the cluster: a TaskManager, a control service, NATS or Postgres that dies is reported and
// started again with back-off (running jobs recover through their checkpoints); only Ctrl-C or
// SIGTERM stops it. It owns the shutdown order: TaskManagers first (so they deregister), then
// JobManager and dispatcher, then the ResourceManager, then the infrastructure it started.

import { join } from 'node:path';
import {
  ensureInfra,
  findFreePort,
  isPortOpen,
  isProcessAlive,
  PidFile,
  redact,
  spawnService,
  waitFor,
  type LogLevelName,
  type ManagedProcess,
  type ServiceName,
} from '../infra';
import { InfraError, PortInUseError } from '../infra/infra.errors';
import { getJson, getOverview, isHealthy, isLeader, type ClusterOverview } from './rest.client';
import type { SecureCluster } from './secure-cluster.setup';
import { redactNatsUrls } from '@runnel/protocol/nats-connect-options';
import { releaseStaleLeaders } from './stale-leaders';

export type ResourceProviderName = 'standalone' | 'process';

export interface LocalClusterOptions {
  readonly taskmanagers: number;
  readonly slots: number;
  readonly port: number;
  readonly dataDir: string;
  readonly repoRoot: string;
  readonly natsUrl?: string;
  readonly databaseUrl?: string;
  /** Level of the services' own log files (LOG_LEVEL; default info). */
  readonly logLevel?: string;
  /** Lowest level of service log lines shown on the terminal (default warn); files get everything. */
  readonly consoleLogLevel?: LogLevelName;
  /**
   * `standalone` (default): this command starts `taskmanagers` TaskManagers and replaces dead ones.
   * `process`: the ResourceManager starts them on demand; `taskmanagers` is its MIN_TASKMANAGERS.
   */
  readonly resourceProvider?: ResourceProviderName;
  /** Standby instances of each control service (dispatcher, JobManager, ResourceManager); default 0. */
  readonly standbys?: number;
  /** Extra environment for every service (e.g. TM_IDLE_TIMEOUT_MS, HEARTBEAT_TIMEOUT_MS in tests). */
  readonly serviceEnv?: Readonly<Record<string, string>>;
  /** `--secure`: NATS users per role, a Postgres password and a REST token (secure-cluster.setup.ts). */
  readonly secure?: SecureCluster;
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

/** A service or server we started exited during start-up (afterwards it is restarted instead). */
export class UnexpectedExitError extends InfraError {
  readonly code = 'CLUSTER_CHILD_EXITED';
}

type Role = 'infra' | 'taskmanager' | 'jobmanager' | 'dispatcher' | 'resourcemanager';
export type ClusterMemberRole = Role;

/** What `memberInfo()` tells about one supervised process (the soak picks its victims from these). */
export interface ClusterMemberInfo {
  readonly name: string;
  readonly role: Role;
  readonly pid: number;
  readonly alive: boolean;
  /** HTTP port of a control service (its /health says whether it leads). */
  readonly port?: number;
  readonly restarts: number;
}

/** One supervised member: its current process and how to start it again. */
interface Member {
  readonly name: string;
  readonly role: Role;
  readonly port?: number;
  process: ManagedProcess;
  readonly restart: () => Promise<ManagedProcess>;
  startedAt: number;
  /** Next back-off before a restart (doubles per quick death, back to 1 s after a good run). */
  backoffMs: number;
  restarts: number;
}

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** A member that ran this long before dying starts again after the shortest back-off. */
const STABLE_AFTER_MS = 60_000;
/** Exit code of a service whose settings are wrong: starting it again cannot help. */
const CONFIG_ERROR_EXIT = 2;

export class LocalCluster {
  private readonly members: Member[] = [];
  private pidFile?: PidFile;
  private stopRequested = false;
  private ready = false;
  private failure?: UnexpectedExitError;
  private wakeUp!: () => void;
  private readonly stopSignal = new Promise<void>((resolve) => (this.wakeUp = resolve));
  /** killAll() ran (a second Ctrl-C): processes end by SIGKILL on purpose, not for a stop timeout. */
  private killedAll = false;
  private shutdownPromise?: Promise<void>;
  private readonly print: (line: string) => void;
  private natsUrl?: string;
  private readonly stopping = new AbortController();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private standbyUrls: string[] = [];

  constructor(private readonly options: LocalClusterOptions) {
    this.print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  private get provider(): ResourceProviderName {
    return this.options.resourceProvider ?? 'standalone';
  }

  /** Starts everything, then supervises until stop(); resolves with the exit code. */
  async run(): Promise<number> {
    const started = Date.now();
    try {
      const overview = await this.start();
      this.ready = true;
      this.printReady(overview, Date.now() - started);
      if (this.options.onReady && this.natsUrl) {
        const natsUrl = this.natsUrl;
        void this.options.onReady({ natsUrl, restUrl: this.restUrl }, this.stopping.signal).catch((error: unknown) => {
          if (!this.stopping.signal.aborted) this.print(`${error instanceof Error ? error.message : String(error)}`);
        });
      }
      await this.stopSignal;
    } catch (error) {
      if (!(error instanceof StartAbortedError)) {
        // The error start() threw is the cause; a server that exited because start-up was undone
        // after it is a consequence and is not reported in its place.
        this.print(`cluster start failed: ${error instanceof Error ? error.message : String(error)}`);
        this.failure ??= new UnexpectedExitError('start failed', { cause: error });
      }
    }
    await this.shutdown();
    return this.failure ? 1 : 0;
  }

  /** The supervised processes as they are now. */
  memberInfo(): ClusterMemberInfo[] {
    return this.members.map((m) => ({
      name: m.name,
      role: m.role,
      pid: m.process.pid,
      alive: !m.process.exitInfo(),
      ...(m.port !== undefined ? { port: m.port } : {}),
      restarts: m.restarts,
    }));
  }

  /** Asks the cluster to stop (signal handler); run() then shuts down and resolves. */
  stop(): void {
    this.stopRequested = true;
    this.wakeUp();
  }

  /** Second Ctrl-C: SIGKILL everything now. */
  killAll(): void {
    this.killedAll = true;
    for (const member of this.members) void member.process.kill();
  }

  private printReady(overview: ClusterOverview, tookMs: number): void {
    const tms = overview.taskmanagers;
    const slots = overview['slots-total'] ?? 0;
    this.print('');
    this.print(`Runnel cluster is up (${(tookMs / 1000).toFixed(1)} s)`);
    this.print(`  dashboard and REST API  ${this.restUrl}`);
    this.print(`  NATS                    ${redactNatsUrls(this.natsUrl ?? '')}`);
    this.print(
      `  TaskManagers            ${tms} with ${slots} slots` +
        (this.provider === 'process' ? ' (the ResourceManager starts more on demand and stops idle ones)' : ''),
    );
    if (this.standbyUrls.length > 0) {
      this.print(`  standbys                ${this.options.standbys} of each control service (REST also on ${this.standbyUrls.join(', ')})`);
    }
    this.print(`  logs                    ${join(this.options.dataDir, 'logs')}/<service>.log`);
    this.print('Press Ctrl-C to stop.\n');
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
      // Recorded at once (pid file), supervised below once we know how to restart it.
      onProcessStarted: (proc) => this.pidFile?.add(proc.name, proc.pid, 'SIGINT'),
      ...o.secure?.infra,
    });
    for (const server of infra.servers) {
      this.supervise({ name: server.name, role: 'infra', process: server.process, restart: server.restart });
    }
    this.checkStop();
    this.natsUrl = infra.natsUrl;
    this.print(`NATS ${redactNatsUrls(infra.natsUrl)}, Postgres ${redact(infra.databaseUrl)}`);
    if (infra.servers.some((server) => server.name === 'nats')) {
      // Our own NATS, just started: leader keys there are a crashed run's (see stale-leaders.ts).
      try {
        const released = await releaseStaleLeaders(infra.natsUrl, o.secure?.infra.natsCredentials);
        if (released.length > 0) this.print(`released the leaderships of an earlier run that did not stop: ${released.join(', ')}`);
      } catch (error) {
        this.print(`could not release the leaderships of an earlier run (services wait for them to expire): ${(error as Error).message}`);
      }
    }

    const common = {
      NATS_URL: infra.natsUrl,
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: o.logLevel ?? 'info',
      ...o.serviceEnv,
    };
    const [rmPort, jmPort] = [await findFreePort(), await findFreePort()];
    const providerEnv: Record<string, string> =
      this.provider === 'process'
        ? {
            RESOURCE_PROVIDER: 'process',
            MIN_TASKMANAGERS: String(o.taskmanagers),
            TM_SLOTS: String(o.slots),
            TM_LOG_DIR: join(o.dataDir, 'logs'),
          }
        : {};
    const control: Array<[ServiceName, string, number, Record<string, string>]> = [
      ['resourcemanager', 'resourcemanager', rmPort, { DATABASE_URL: infra.databaseUrl, ...providerEnv }],
      ['jobmanager', 'jobmanager', jmPort, { DATABASE_URL: infra.databaseUrl }],
      ['dispatcher', 'dispatcher', o.port, {}],
    ];
    // Standbys elect with the leaders (NATS KV) and take over within a lease when one dies.
    for (let i = 1; i <= (o.standbys ?? 0); i++) {
      for (const [service, , , env] of control.slice(0, 3)) {
        control.push([service, `${service}-standby${o.standbys === 1 ? '' : `-${i}`}`, await findFreePort(), env]);
      }
    }
    for (const [service, name, port, env] of control) {
      this.startService(service, name, service, { ...common, ...env, HTTP_PORT: String(port) });
    }
    await Promise.all(
      control.map(([, name, port]) =>
        this.waitUntil(() => isHealthy(`http://127.0.0.1:${port}`), `${name} /health on port ${port}`, timeoutMs),
      ),
    );
    this.standbyUrls = control.filter(([service, name]) => service === 'dispatcher' && name !== 'dispatcher').map(([, , port]) => `http://127.0.0.1:${port}`);
    // Healthy is not serving: only a leader answers NATS requests (a job submitted to a cluster
    // whose dispatcher was still a standby found nobody). A leader of each service, then.
    await Promise.all(
      (['resourcemanager', 'jobmanager', 'dispatcher'] as const).map((service) => {
        const urls = control.filter(([s]) => s === service).map(([, , port]) => `http://127.0.0.1:${port}`);
        return this.waitUntil(async () => (await Promise.all(urls.map(isLeader))).some(Boolean), `a ${service} leader`, timeoutMs);
      }),
    );

    if (this.provider === 'standalone') {
      for (let i = 1; i <= o.taskmanagers; i++) {
        // RESOURCE_ID from our own environment would give every TaskManager the same id.
        const env = { ...common, TM_SLOTS: String(o.slots), HTTP_PORT: '0', RESOURCE_ID: undefined };
        this.startService('taskmanager', `taskmanager-${i}`, 'taskmanager', env);
      }
    }
    return this.waitUntil(
      async () => {
        const overview = await getOverview(this.restUrl);
        return overview && overview.taskmanagers >= o.taskmanagers ? overview : undefined;
      },
      `the dispatcher's /overview to report ${o.taskmanagers} taskmanagers`,
      timeoutMs,
    );
  }

  private startService(service: ServiceName, name: string, role: Role, env: Record<string, string | undefined>): void {
    this.checkStop();
    const spawn = (): ManagedProcess =>
      spawnService({
        service,
        name,
        // Each service serves its own files of the logs directory (REST /jobmanager/logs, /taskmanagers/:id/logs);
        // the launcher writes <name>.log, so the service does not write it again.
        env: { LOG_DIR: join(this.options.dataDir, 'logs'), LOG_NAME: name, LOG_TO_FILE: 'false', ...(this.options.secure?.envFor(role, env) ?? env) },
        repoRoot: this.options.repoRoot,
        output: {
          type: 'service',
          file: join(this.options.dataDir, 'logs', `${name}.log`),
          minLevel: this.options.consoleLogLevel ?? 'warn',
          nameWidth: 16,
        },
      });
    const port = Number(env['HTTP_PORT']) || undefined;
    this.supervise({ name, role, process: spawn(), restart: async () => spawn(), ...(port ? { port } : {}) });
  }

  private supervise(spec: { name: string; role: Role; port?: number; process: ManagedProcess; restart: () => Promise<ManagedProcess> }): void {
    const member: Member = { ...spec, startedAt: Date.now(), backoffMs: MIN_BACKOFF_MS, restarts: 0 };
    this.members.push(member);
    this.watch(member);
  }

  private watch(member: Member): void {
    const proc = member.process;
    this.pidFile?.add(proc.name, proc.pid, member.role === 'infra' ? 'SIGINT' : 'SIGTERM');
    void proc.exited.then((info) => {
      this.pidFile?.remove(proc.pid);
      if (this.stopRequested || this.shutdownPromise || member.process !== proc) return;
      const how = info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
      const tail = member.role === 'infra' ? `\n${proc.logs().slice(-10).map((l) => `    ${l}`).join('\n')}` : '';
      if (!this.ready || info.code === CONFIG_ERROR_EXIT) {
        // During start-up (or with wrong settings) a restart would only hide the cause.
        this.failure ??= new UnexpectedExitError(`${proc.name} (pid ${proc.pid}) exited unexpectedly (${how})${tail}`);
        if (this.ready) {
          this.print(`${this.failure.message}; its settings are wrong, so the cluster stops`);
          this.wakeUp();
        }
        return;
      }
      const livedMs = Date.now() - member.startedAt;
      if (livedMs >= STABLE_AFTER_MS) member.backoffMs = MIN_BACKOFF_MS;
      const delay = member.backoffMs;
      member.backoffMs = Math.min(member.backoffMs * 2, MAX_BACKOFF_MS);
      this.print(`✗ ${proc.name} (pid ${proc.pid}) died (${how}); starting it again in ${(delay / 1000).toFixed(0)} s${tail}`);
      // Its jobs fail over now, not after the heartbeat timeout (the process provider's
      // ResourceManager sees its own TaskManagers exit; these it did not start). Best effort.
      if (member.role === 'taskmanager' && this.natsUrl !== undefined) {
        const clusterId = this.options.serviceEnv?.['CLUSTER_ID'] ?? process.env['CLUSTER_ID'];
        // Loaded when needed: the gateway's DTOs weigh on every CLI start otherwise.
        void import('./exited-taskmanager.report')
          .then((m) => m.reportExitedTaskManager(this.natsUrl!, this.options.secure?.infra.natsCredentials, clusterId, proc.pid, how))
          .catch(() => undefined);
      }
      this.scheduleRestart(member, delay);
    });
  }

  private scheduleRestart(member: Member, delayMs: number): void {
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (this.stopRequested || this.shutdownPromise) return;
      void member.restart().then(
        (proc) => {
          if (this.stopRequested || this.shutdownPromise) {
            void proc.stop(10_000);
            return;
          }
          member.process = proc;
          member.startedAt = Date.now();
          member.restarts++;
          this.print(`✓ ${proc.name} is running again (pid ${proc.pid}, restart ${member.restarts})`);
          this.watch(member);
        },
        (error: unknown) => {
          const delay = member.backoffMs;
          member.backoffMs = Math.min(member.backoffMs * 2, MAX_BACKOFF_MS);
          this.print(`✗ ${member.name} could not be started again: ${(error as Error).message}; trying again in ${(delay / 1000).toFixed(0)} s`);
          this.scheduleRestart(member, delay);
        },
      );
    }, delayMs);
    this.restartTimers.add(timer);
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

  /** TaskManagers the ResourceManager's process provider started: not our children, but ours to stop. */
  private async providerTaskManagerPids(): Promise<number[]> {
    if (this.provider !== 'process') return [];
    try {
      const { body } = await getJson<{ taskmanagers?: Array<{ provider?: string; pid?: number }> }>(`${this.restUrl}/taskmanagers`);
      return (body?.taskmanagers ?? []).filter((tm) => tm.provider === 'process' && typeof tm.pid === 'number').map((tm) => tm.pid!);
    } catch {
      return [];
    }
  }

  /** In Flink's order: TaskManagers, then JobManager and dispatcher, then ResourceManager, then infra; idempotent. */
  private shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.stopping.abort();
      for (const timer of this.restartTimers) clearTimeout(timer);
      const started = Date.now();
      const running = (...roles: Role[]) =>
        this.members.filter((m) => roles.includes(m.role) && !m.process.exitInfo()).map((m) => m.process);
      const stopAll = async (procs: ManagedProcess[], timeoutMs: number) => {
        if (procs.length === 0) return;
        this.print(`stopping ${procs.map((p) => p.name).join(', ')}`);
        const exits = await Promise.all(procs.map((p) => p.stop(timeoutMs)));
        procs.forEach((p, i) => {
          if (exits[i]?.signal === 'SIGKILL') this.print(this.killedAll ? `${p.name} was killed` : `${p.name} did not stop within ${timeoutMs / 1000} s and was killed`);
        });
      };
      const provided = this.ready ? await this.providerTaskManagerPids() : [];
      if (provided.length > 0) {
        this.print(`stopping ${provided.length} TaskManager(s) started by the ResourceManager`);
        for (const pid of provided) signal(pid, 'SIGTERM');
        await waitFor(() => provided.every((pid) => !isProcessAlive(pid)), { description: 'provider-started TaskManagers to exit', timeoutMs: 10_000 }).catch(() => {
          for (const pid of provided) signal(pid, 'SIGKILL');
        });
      }
      await stopAll(running('taskmanager'), 10_000);
      await stopAll(running('jobmanager', 'dispatcher'), 10_000);
      await stopAll(running('resourcemanager'), 10_000);
      // A server that died while the services stopped is worth a line: it should not happen.
      for (const m of this.members.filter((m) => m.role === 'infra' && m.process.exitInfo())) {
        const info = m.process.exitInfo();
        if (this.ready) this.print(`${m.process.name} had already exited (code ${info?.code}, signal ${info?.signal})`);
      }
      await stopAll(running('infra'), 15_000);
      // Anything still recorded (a child whose exit we have not seen yet) stays in the pid file
      // for the next start's clean-up; otherwise the file goes.
      if (this.members.every((m) => m.process.exitInfo())) this.pidFile?.release();
      this.print(`cluster stopped (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    })();
    return this.shutdownPromise;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
