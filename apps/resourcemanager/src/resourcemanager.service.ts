/**
 * The ResourceManager's logic behind its gateway: registration and heartbeats of TaskManagers, the
 * cluster views. Its id is a fencing token: a new ResourceManager process has a new one, and
 * TaskManagers registered with an older one are told to register again.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  Acknowledge, ClusterOverviewReply, DisconnectTaskExecutorRequest, HeartbeatReply, HeartbeatRequest, JobId, JobRecord, JobRecordsReply, JobStatusUpdate, ListTaskManagersRequest, MessageBody, NotEnoughSlotsError, RegisterTaskExecutorRequest, RegistrationReply, ReleaseSlotsRequest, Reply, RequestSlotsRequest, SlotAllocationsReply, TaskManagerDetailsReply, TaskManagerRequest, TaskManagersReply, TaskManagerUnreachableRequest, TERMINAL_JOB_STATUSES,
} from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';
import { JobStore } from './jobs/job-store.service';
import { SlotAllocator } from './registry/slot-allocator.service';
import { TaskManagerLoss } from './registry/task-manager-loss.service';
import { TaskManagerRegistry } from './registry/task-manager-registry.service';
import { ResourceManagerSettings } from './resourcemanager.settings';
import { ResourceProvisioner } from './providers/resource-provisioner.service';

@Injectable()
export class ResourceManagerService {
  constructor(
    private readonly registry: TaskManagerRegistry,
    private readonly jobs: JobStore,
    private readonly slots: SlotAllocator,
    private readonly provisioner: ResourceProvisioner,
    private readonly loss: TaskManagerLoss,
    @Inject(ResourceManagerSettings) private readonly settings: ResourceManagerSettings,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  get resourceManagerId(): string {
    return this.identity.id;
  }

  async registerTaskExecutor(request: RegisterTaskExecutorRequest): Promise<Reply<RegistrationReply>> {
    const { registrationId } = await this.registry.register(request, this.resourceManagerId);
    return {
      registrationId,
      resourceManagerId: this.resourceManagerId,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.settings.heartbeatTimeoutMs,
    };
  }

  async heartbeatFromTaskManager(request: HeartbeatRequest): Promise<Reply<HeartbeatReply>> {
    // An allocation is deployed within seconds; one the TaskManager still reports free after this
    // grace was never deployed (its JobMaster gave up) or was let go.
    const graceMs = Math.max(10_000, 2 * this.settings.heartbeatTimeoutMs);
    const { releaseJobs } = await this.registry.heartbeat(request, this.resourceManagerId, graceMs);
    if (releaseJobs.length === 0) return {};
    // Only jobs that are not running: a running job's slots here would be in the registry.
    const statuses = await Promise.all(releaseJobs.map((id) => this.jobs.statusOf(id)));
    const ended = releaseJobs.filter((_, i) => statuses[i] === undefined || (TERMINAL_JOB_STATUSES as readonly string[]).includes(statuses[i]!));
    return ended.length > 0 ? { releaseJobs: ended } : {};
  }

  async disconnectTaskExecutor(request: DisconnectTaskExecutorRequest): Promise<Reply<Acknowledge>> {
    await this.registry.disconnect(request);
    return {};
  }

  async taskManagerUnreachable(request: MessageBody<TaskManagerUnreachableRequest>): Promise<Reply<Acknowledge>> {
    // A JobMaster that could not reach it, or the local cluster that saw its process exit: the
    // other jobs on it fail over now too.
    await this.loss.declare(request.resourceId, request.reason);
    return {};
  }

  async listTaskManagers(request: MessageBody<ListTaskManagersRequest> = {}): Promise<Reply<TaskManagersReply>> {
    return { taskManagers: await this.registry.list(request.includeUnconfirmed ? undefined : this.resourceManagerId) };
  }

  getTaskManager(request: MessageBody<TaskManagerRequest>): Promise<Reply<TaskManagerDetailsReply>> {
    return this.registry.get(request.resourceId, this.resourceManagerId);
  }

  async getClusterOverview(): Promise<Reply<ClusterOverviewReply>> {
    const [slots, jobs] = await Promise.all([this.registry.slotCounts(this.resourceManagerId), this.jobs.counts()]);
    return {
      taskManagers: slots.taskManagers,
      slotsTotal: slots.total,
      slotsAvailable: slots.free,
      jobsRunning: jobs.running,
      jobsFinished: jobs.finished,
      jobsCancelled: jobs.cancelled,
      jobsFailed: jobs.failed,
    };
  }

  async requestSlots(request: MessageBody<RequestSlotsRequest>): Promise<Reply<SlotAllocationsReply>> {
    const target = request.target ?? 'session';
    this.provisioner.checkTarget(target);
    try {
      return { allocations: await this.slots.allocate(request.jobId, request.count, this.resourceManagerId, target) };
    } catch (error) {
      if (!(error instanceof NotEnoughSlotsError)) throw error;
      // Unmet: the resource provider starts what is missing; the JobMaster asks again meanwhile.
      const note = await this.provisioner.onUnmetDemand({ jobId: request.jobId, count: request.count, target, free: error.available });
      throw note ? new NotEnoughSlotsError(error.requested, error.available, note) : error;
    }
  }

  async releaseSlots(request: MessageBody<ReleaseSlotsRequest>): Promise<Reply<Acknowledge>> {
    await this.slots.release(request.jobId, request.allocationIds);
    return {};
  }

  async putJob(request: MessageBody<JobRecord>): Promise<Reply<Acknowledge>> {
    await this.jobs.put(request.job);
    return {};
  }

  async updateJobStatus(request: MessageBody<JobStatusUpdate>): Promise<Reply<Acknowledge>> {
    await this.jobs.updateStatus(request.jobId, request.status);
    return {};
  }

  async getJob(request: { jobId: JobId }): Promise<Reply<JobRecord>> {
    return { job: await this.jobs.get(request.jobId) };
  }

  async listJobs(): Promise<Reply<JobRecordsReply>> {
    return { jobs: await this.jobs.list() };
  }
}
