/**
 * The policy over the resource provider (Flink's ResourceManager + SlotManager "resource
 * allocator"): starts TaskManagers when a slot request cannot be met (`ceil(missing / TM_SLOTS)`,
 * up to MAX_TASKMANAGERS, counting those still starting), keeps MIN_TASKMANAGERS, stops
 * provider-managed TaskManagers idle for TM_IDLE_TIMEOUT_MS, starts per-job TaskManagers for a
 * job alone and stops them when it ends, and stops a crash loop (TM_MAX_FAILURES per
 * TM_FAILURE_WINDOW_MS) saying why. A TaskManager that dies is replaced through the same path:
 * its job restarts, asks for slots again, and the request is unmet; one whose process exited is
 * lost at once (TaskManagerLoss), not after HEARTBEAT_TIMEOUT_MS of silence. Only the leader acts.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConflictError, DeploymentTarget, JobId, JobIds, ResourceId, TERMINAL_JOB_STATUSES } from '@runnel/protocol';
import { LeadershipState, SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';
import { JobStore } from '../jobs/job-store.service';
import { TaskManagerLoss } from '../registry/task-manager-loss.service';
import { TaskManagerRegistry } from '../registry/task-manager-registry.service';
import { ResourceManagerSettings } from '../resourcemanager.settings';
import { FailureRateLimiter } from './failure-rate.limiter';
import { JobCredentialsError } from './job-credentials.minter';
import { RESOURCE_PROVIDER, ResourceProvider, ResourceProviderEvents, TaskManagerExit, TaskManagerSpec } from './resource-provider.types';

export const PROVISIONER_CLOCK = Symbol('PROVISIONER_CLOCK');

export interface UnmetDemand {
  readonly jobId: JobId;
  readonly count: number;
  readonly target: DeploymentTarget;
  /** Free slots the request could use (shared ones, or the job's own per-job ones). */
  readonly free: number;
}

interface Pending {
  readonly spec: TaskManagerSpec;
  readonly since: number;
}

@Injectable()
export class ResourceProvisioner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ResourceProvisioner');
  private readonly pending = new Map<string, Pending>();
  /** Last time each provider-managed TaskManager had an allocated slot (or was first seen). */
  private readonly lastBusy = new Map<string, number>();
  private readonly everBusy = new Set<string>();
  private readonly releasing = new Set<string>();
  private readonly limiter: FailureRateLimiter;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private readonly events: ResourceProviderEvents = {
    started: () => undefined,
    lost: (exit) => this.onLost(exit),
  };

  constructor(
    @Inject(RESOURCE_PROVIDER) private readonly provider: ResourceProvider,
    private readonly registry: TaskManagerRegistry,
    private readonly jobs: JobStore,
    @Inject(ResourceManagerSettings) private readonly settings: ResourceManagerSettings,
    private readonly leadership: LeadershipState,
    @Inject(PROVISIONER_CLOCK) private readonly clock: () => number,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly loss: TaskManagerLoss,
  ) {
    this.limiter = new FailureRateLimiter(settings.tmMaxFailures, settings.tmFailureWindowMs, clock);
  }

  get providerName(): string {
    return this.provider.name;
  }

  onApplicationBootstrap(): void {
    if (!this.provider.managesTaskManagers) return;
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    // The TaskManagers stay: the next leader adopts them (they re-register) and releases them when idle.
    clearInterval(this.timer);
  }

  /** A per-job request on a provider that cannot start TaskManagers is refused outright. */
  checkTarget(target: DeploymentTarget): void {
    if (target === 'per-job' && !this.provider.managesTaskManagers) {
      throw new ConflictError(
        `A per-job deployment needs a resource provider that starts TaskManagers (RESOURCE_PROVIDER=process); this cluster's ResourceManager runs "${this.provider.name}". Submit it as a session job, or start the cluster with --resource-provider process.`,
      );
    }
  }

  /**
   * A slot request could not be met: starts what is missing. Returns a sentence for the job's
   * status (what is being done, or why nothing is), or undefined for a standalone cluster.
   */
  async onUnmetDemand(demand: UnmetDemand): Promise<string | undefined> {
    if (!this.provider.managesTaskManagers || !this.leadership.isLeader) return undefined;
    const refusal = this.limiter.refusal();
    if (refusal) return refusal;
    const dedicatedTo = demand.target === 'per-job' ? demand.jobId : undefined;
    const slots = this.settings.tmSlots;
    const provided = await this.registry.providedTaskManagers(this.identity.id);
    this.forgetRegistered(provided.map((p) => p.resourceId));
    const pendingSlots = [...this.pending.values()].filter((p) => p.spec.dedicatedTo === dedicatedTo).reduce((n, p) => n + p.spec.slots, 0);
    const missing = demand.count - demand.free - pendingSlots;
    if (missing <= 0) return `${this.pending.size} TaskManager(s) are starting`;
    const room = this.settings.maxTaskManagers - (provided.length + this.pending.size);
    const wanted = Math.ceil(missing / slots);
    const n = Math.min(wanted, room);
    if (n <= 0) {
      return `the resource provider already runs MAX_TASKMANAGERS=${this.settings.maxTaskManagers} TaskManagers`;
    }
    await this.start(n, { slots, ...(dedicatedTo ? { dedicatedTo, restoresFrom: await this.restoreSourcesOf(dedicatedTo) } : {}) });
    return `starting ${n} TaskManager(s) with ${slots} slots each${dedicatedTo ? ' for this job alone' : ''}${n < wanted ? ` (MAX_TASKMANAGERS=${this.settings.maxTaskManagers} allows no more)` : ''}`;
  }

  /** The jobs whose Object Store state `jobId` starts from: the job of its `savepoint://<job>/<n>`, if any. */
  private async restoreSourcesOf(jobId: JobId): Promise<JobId[]> {
    let path: string | null | undefined;
    try {
      path = (await this.jobs.get(jobId)).savepointPath;
    } catch {
      // Not in the store (yet): it starts from nothing of another job's.
    }
    const source = /^savepoint:\/\/([0-9a-f]{32})\//.exec(path ?? '')?.[1];
    return JobIds.isValid(source) && source !== jobId ? [source] : [];
  }

  private async start(n: number, spec: TaskManagerSpec): Promise<ResourceId[]> {
    let ids: ResourceId[];
    try {
      ids = await this.provider.requestTaskManagers(n, spec, this.events);
    } catch (error) {
      // A user that cannot be minted for this job would fail the same way on every attempt: a refusal, not a retry.
      if (error instanceof JobCredentialsError) throw new ConflictError(`Could not start a TaskManager for job ${spec.dedicatedTo}: ${error.message}`);
      throw error;
    }
    for (const id of ids) this.pending.set(id, { spec, since: this.clock() });
    return ids;
  }

  private onLost(exit: TaskManagerExit): void {
    this.pending.delete(exit.resourceId);
    this.lastBusy.delete(exit.resourceId);
    this.everBusy.delete(exit.resourceId);
    const wasReleasing = this.releasing.delete(exit.resourceId);
    if (exit.released || wasReleasing) {
      this.logger.log(`${exit.description} (released)`);
      return;
    }
    this.limiter.record(exit.description);
    const refusal = this.limiter.refusal();
    this.logger.warn(`${exit.description}; ${refusal ?? 'it is replaced when its slots are needed again'}`);
    if (this.leadership.isLeader) void this.declareLost(exit);
  }

  /** Its process is gone: lost now, not after the heartbeat timeout (task-manager-loss.service.ts). */
  private async declareLost(exit: TaskManagerExit): Promise<void> {
    try {
      await this.loss.declare(exit.resourceId, 'its process exited');
    } catch (error) {
      // The heartbeat timeout still declares it lost.
      this.logger.warn(`TaskManager ${exit.resourceId} exited, but declaring it lost failed: ${(error as Error).message}`);
    }
  }

  private forgetRegistered(ids: readonly string[]): void {
    for (const id of ids) this.pending.delete(id);
  }

  /** Idle release, per-job clean-up, start-up deadlines and the minimum, once a second. */
  async tick(): Promise<void> {
    if (this.ticking || !this.leadership.isLeader) return;
    this.ticking = true;
    try {
      const now = this.clock();
      const provided = await this.registry.providedTaskManagers(this.identity.id);
      this.forgetRegistered(provided.map((p) => p.resourceId));
      for (const [id, p] of this.pending) {
        if (now - p.since < this.settings.tmStartTimeoutMs) continue;
        this.pending.delete(id);
        this.limiter.record(`TaskManager ${id} did not register within ${this.settings.tmStartTimeoutMs} ms`);
        this.releasing.add(id);
        await this.provider.release({ resourceId: id, pid: 0, hostname: '' });
      }
      let shared = provided.filter((p) => !p.dedicatedTo && !this.releasing.has(p.resourceId)).length;
      const jobStatus = new Map<string, string | undefined>();
      for (const tm of provided) {
        if (this.releasing.has(tm.resourceId)) continue;
        if (tm.allocated > 0) {
          this.lastBusy.set(tm.resourceId, now);
          this.everBusy.add(tm.resourceId);
          continue;
        }
        const idleSince = this.lastBusy.get(tm.resourceId) ?? (this.lastBusy.set(tm.resourceId, now), now);
        if (tm.dedicatedTo) {
          // A per-job TaskManager goes with its job: once the job has ended, or it was used and is idle.
          if (!jobStatus.has(tm.dedicatedTo)) jobStatus.set(tm.dedicatedTo, await this.jobs.statusOf(tm.dedicatedTo));
          const status = jobStatus.get(tm.dedicatedTo);
          const ended = status === undefined || (TERMINAL_JOB_STATUSES as readonly string[]).includes(status);
          if (ended || this.everBusy.has(tm.resourceId) || now - idleSince >= this.settings.tmIdleTimeoutMs) {
            await this.release(tm, ended ? `its job ${tm.dedicatedTo} ended` : `idle, per-job for ${tm.dedicatedTo}`);
          }
          continue;
        }
        if (now - idleSince >= this.settings.tmIdleTimeoutMs && shared > this.settings.minTaskManagers) {
          shared--;
          await this.release(tm, `idle for ${now - idleSince} ms (TM_IDLE_TIMEOUT_MS=${this.settings.tmIdleTimeoutMs})`);
        }
      }
      const sharedPending = [...this.pending.values()].filter((p) => !p.spec.dedicatedTo).length;
      const below = this.settings.minTaskManagers - (shared + sharedPending);
      if (below > 0 && !this.limiter.refusal()) {
        const room = this.settings.maxTaskManagers - (provided.length + this.pending.size);
        const n = Math.min(below, room);
        if (n > 0) await this.start(n, { slots: this.settings.tmSlots });
      }
    } catch (error) {
      this.logger.warn(`resource provisioning failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private async release(tm: { resourceId: string; pid: number; hostname: string }, why: string): Promise<void> {
    this.releasing.add(tm.resourceId);
    this.logger.log(`stopping TaskManager ${tm.resourceId}: ${why}`);
    await this.provider.release(tm);
    // One it did not start (adopted) is not watched by the provider: forget it once it deregistered.
    if (!this.provider.running().has(tm.resourceId)) setTimeout(() => this.releasing.delete(tm.resourceId), 30_000).unref();
  }
}
