/**
 * The ResourceManager's logic behind its gateway: registration and heartbeats of TaskManagers, the
 * cluster views. Its id is a fencing token: a new ResourceManager process has a new one, and
 * TaskManagers registered with an older one are told to register again.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  Acknowledge,
  ClusterOverviewReply,
  DisconnectTaskExecutorRequest,
  HeartbeatRequest,
  MessageBody,
  JobRecord,
  JobRecordsReply,
  JobStatusUpdate,
  RegisterTaskExecutorRequest,
  ReleaseSlotsRequest,
  RequestSlotsRequest,
  SlotAllocationsReply,
  RegistrationReply,
  Reply,
  TaskManagerDetailsReply,
  TaskManagerRequest,
  TaskManagersReply,
} from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';
import { JobStore } from './jobs/job-store.service';
import { SlotAllocator } from './registry/slot-allocator.service';
import { TaskManagerRegistry } from './registry/task-manager-registry.service';
import { ResourceManagerSettings } from './resourcemanager.settings';

@Injectable()
export class ResourceManagerService {
  constructor(
    private readonly registry: TaskManagerRegistry,
    private readonly jobs: JobStore,
    private readonly slots: SlotAllocator,
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

  async heartbeatFromTaskManager(request: HeartbeatRequest): Promise<Reply<Acknowledge>> {
    await this.registry.heartbeat(request, this.resourceManagerId);
    return {};
  }

  async disconnectTaskExecutor(request: DisconnectTaskExecutorRequest): Promise<Reply<Acknowledge>> {
    await this.registry.disconnect(request);
    return {};
  }

  async listTaskManagers(): Promise<Reply<TaskManagersReply>> {
    return { taskManagers: await this.registry.list() };
  }

  getTaskManager(request: MessageBody<TaskManagerRequest>): Promise<Reply<TaskManagerDetailsReply>> {
    return this.registry.get(request.resourceId);
  }

  async getClusterOverview(): Promise<Reply<ClusterOverviewReply>> {
    const [slots, jobs] = await Promise.all([this.registry.slotCounts(), this.jobs.counts()]);
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
    return { allocations: await this.slots.allocate(request.jobId, request.count) };
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

  async getJob(request: { jobId: string }): Promise<Reply<JobRecord>> {
    return { job: await this.jobs.get(request.jobId) };
  }

  async listJobs(): Promise<Reply<JobRecordsReply>> {
    return { jobs: await this.jobs.list() };
  }
}
