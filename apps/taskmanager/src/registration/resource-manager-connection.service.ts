/**
 * Keeps this TaskManager registered with the ResourceManager: registers (retrying with backoff
 * until one answers), then sends a heartbeat with the slot report every interval. When the
 * ResourceManager says it does not know us (we were declared lost, or a new ResourceManager
 * instance started), it registers again at once.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ErrorCodes, JobId, ResourceId, ResourceManagerGateway, RunnelError } from '@runnel/protocol';
import { hostname, availableParallelism, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskSlotTable } from '../slots/task-slot-table';

export const RESOURCE_MANAGER_GATEWAY = Symbol('RESOURCE_MANAGER_GATEWAY');
/** Failed registrations or heartbeats for this long are logged as warnings; before that, as info. */
const QUIET_FAILURES_MS = 10_000;
export const TASK_MANAGER_ID = Symbol('TASK_MANAGER_ID');

export type ConnectionState =
  | { readonly type: 'unregistered' }
  | {
      readonly type: 'registered';
      readonly registrationId: string;
      readonly resourceManagerId: string;
      readonly heartbeatIntervalMs: number;
      readonly heartbeatTimeoutMs: number;
    };

export interface ConnectionOptions {
  readonly version: string;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Who started this TaskManager (a resource provider, or standalone). */
  readonly provider?: 'standalone' | 'process' | 'kubernetes';
  /** A per-job TaskManager's job. */
  readonly dedicatedTo?: JobId;
  /** Releases a job's slots here (the heartbeat's answer names jobs the registry no longer has). */
  readonly releaseJob?: (jobId: JobId) => Promise<void>;
}

@Injectable()
export class ResourceManagerConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(ResourceManagerConnection.name);
  private state: ConnectionState = { type: 'unregistered' };
  private address = '';
  private readonly stop = new AbortController();
  private loop?: Promise<void>;
  private failingSince?: number;
  /** How many times this TaskManager registered (re-registrations included). */
  registrations = 0;

  constructor(
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
    @Inject(TASK_MANAGER_ID) private readonly resourceId: ResourceId,
    private readonly slots: TaskSlotTable,
    @Inject('CONNECTION_OPTIONS') private readonly options: ConnectionOptions,
  ) {}

  get current(): ConnectionState {
    return this.state;
  }

  start(address: string): void {
    this.address = address;
    this.loop ??= this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
    const state = this.state;
    if (state.type !== 'registered') return;
    try {
      await this.resourceManager.disconnectTaskExecutor(
        { resourceId: this.resourceId, registrationId: state.registrationId, reason: 'TaskManager shut down' },
        { timeoutMs: 1000 },
      );
    } catch (error) {
      this.logger.warn(`could not tell the ResourceManager we stop: ${(error as Error).message}`);
    }
  }

  private async run(): Promise<void> {
    let backoff = this.options.minBackoffMs;
    while (!this.stop.signal.aborted) {
      const state = this.state;
      let wait: number;
      try {
        if (state.type === 'unregistered') {
          await this.register();
          this.failingSince = undefined;
          backoff = this.options.minBackoffMs;
          wait = 0;
        } else {
          const reply = await this.resourceManager.heartbeatFromTaskManager(
            { resourceId: this.resourceId, registrationId: state.registrationId, resourceManagerId: state.resourceManagerId, slotReport: this.slots.report() },
            { timeoutMs: Math.max(state.heartbeatIntervalMs, 1000) },
          );
          this.failingSince = undefined;
          this.releaseStale(reply.releaseJobs ?? []);
          wait = state.heartbeatIntervalMs;
        }
      } catch (error) {
        wait = this.onFailure(error, backoff);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
      if (wait > 0) await sleep(wait, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
  }

  /** Jobs the registry no longer gives slots here (ended, or reassigned while we were away). */
  private releaseStale(jobIds: readonly JobId[]): void {
    for (const jobId of jobIds) {
      this.logger.warn(`the ResourceManager has no slots of job ${jobId} here any more: releasing them`);
      void this.options.releaseJob?.(jobId).catch((error: unknown) => this.logger.warn(`releasing job ${jobId} failed: ${(error as Error).message}`));
    }
  }

  private async register(): Promise<void> {
    const reply = await this.resourceManager.registerTaskExecutor(
      {
        resourceId: this.resourceId,
        address: this.address,
        hostname: hostname(),
        pid: process.pid,
        slots: this.slots.numberOfSlots,
        slotReport: this.slots.report().filter((s) => s.allocationId),
        version: this.options.version,
        cpuCores: availableParallelism(),
        physicalMemory: totalmem(),
        ...(this.options.provider ? { provider: this.options.provider } : {}),
        ...(this.options.dedicatedTo ? { dedicatedTo: this.options.dedicatedTo } : {}),
      },
      { timeoutMs: 5000 },
    );
    this.state = { type: 'registered', ...reply };
    this.registrations++;
    this.logger.log(`registered with ResourceManager ${reply.resourceManagerId} (${this.slots.numberOfSlots} slots)`);
  }

  private onFailure(error: unknown, backoff: number): number {
    if (error instanceof RunnelError && error.code === ErrorCodes.UnknownTaskManager) {
      this.logger.warn(`re-registering: ${error.message}`);
      this.state = { type: 'unregistered' };
      return 0;
    }
    const what = this.state.type === 'registered' ? 'heartbeat' : 'registration';
    const message = `${what} failed, retrying in ${backoff} ms: ${(error as Error).message}`;
    // While a ResourceManager starts or fails over (a lease to run out) a few failed tries are
    // expected: they become warnings only once they last.
    this.failingSince ??= Date.now();
    if (Date.now() - this.failingSince >= QUIET_FAILURES_MS) this.logger.warn(message);
    else this.logger.log(message);
    return backoff;
  }
}
