/**
 * A throw-away Runnel cluster for benchmarks: its own NATS server and database, ResourceManager,
 * JobManager, dispatcher and TaskManagers as real processes, and a client to drive it.
 */
import { RunnelClient } from '@runnel/client';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase, databaseUrlFor, dropDatabase, findFreePort, isPostgresReachable, spawnService, startNatsServer, startPostgres, waitFor,
  type NatsServerHandle, type PostgresHandle, type ServiceHandle,
} from '../../infra';

export interface BenchClusterOptions {
  readonly taskManagers: number;
  readonly slots: number;
  readonly heartbeatTimeoutMs: number;
}

export class BenchCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'runnel-bench-'));
  private readonly services: ServiceHandle[] = [];
  readonly taskManagers = new Map<string, ServiceHandle>();
  nats!: NatsServerHandle;
  private postgres?: PostgresHandle;
  private adminUrl!: string;
  private database!: string;
  env!: Record<string, string>;
  url!: string;
  client!: RunnelClient;

  async start(options: BenchClusterOptions): Promise<void> {
    this.nats = await startNatsServer({ storeDir: join(this.dir, 'nats') });
    const given = process.env['RUNNEL_TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
    if (await isPostgresReachable(given)) {
      this.adminUrl = given;
    } else {
      this.postgres = await startPostgres({ dataDir: join(this.dir, 'pg') });
      this.adminUrl = this.postgres.url;
    }
    this.database = `runnel_bench_${Date.now().toString(36)}`;
    await createDatabase(this.adminUrl, this.database);
    const port = await findFreePort();
    this.url = `http://127.0.0.1:${port}`;
    this.env = {
      NATS_URL: this.nats.url,
      DATABASE_URL: databaseUrlFor(this.adminUrl, this.database),
      LOG_LEVEL: 'warn',
      HEARTBEAT_INTERVAL_MS: '250',
      HEARTBEAT_TIMEOUT_MS: String(options.heartbeatTimeoutMs),
    };
    this.spawn('resourcemanager', { HTTP_PORT: '0' });
    this.spawn('jobmanager', { HTTP_PORT: '0' });
    this.spawn('dispatcher', { HTTP_PORT: String(port) });
    for (let i = 0; i < options.taskManagers; i++) this.startTaskManager(`bench-tm-${i}`, options.slots);
    this.client = await RunnelClient.connect(this.nats.url);
    await this.waitForSlots(options.taskManagers * options.slots);
  }

  startTaskManager(id: string, slots: number): ServiceHandle {
    const tm = this.spawn('taskmanager', { HTTP_PORT: '0', TM_SLOTS: String(slots), RESOURCE_ID: id }, id);
    this.taskManagers.set(id, tm);
    return tm;
  }

  waitForSlots(free: number): Promise<unknown> {
    return waitFor(async () => (await this.client.dispatcher.overview({})).slotsAvailable >= free, {
      description: `${free} free slots`,
      timeoutMs: 30_000,
    });
  }

  /** CPU seconds (user + system, all threads) used so far by the TaskManager processes. */
  taskManagerCpuMs(): number {
    let ticks = 0;
    for (const tm of this.taskManagers.values()) {
      try {
        const fields = readFileSync(`/proc/${tm.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // a TaskManager that is gone used nothing more
      }
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  }

  private spawn(service: 'dispatcher' | 'jobmanager' | 'resourcemanager' | 'taskmanager', env: Record<string, string>, name: string = service) {
    const handle = spawnService({ service, name, env: { ...this.env, ...env }, output: { type: 'buffer' }, ...(service === 'taskmanager' && process.env.BENCH_TM_PROF ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_TM_PROF] } : {}) });
    this.services.push(handle);
    return handle;
  }

  async stop(): Promise<void> {
    await this.client?.close().catch(() => undefined);
    await Promise.allSettled(this.services.map((s) => s.stop()));
    await this.nats?.stop().catch(() => undefined);
    await dropDatabase(this.adminUrl, this.database).catch(() => undefined);
    await this.postgres?.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
