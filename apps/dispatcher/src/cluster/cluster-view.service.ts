/**
 * The cluster as users see it, read from the ResourceManager through its gateway and shaped like
 * Flink's REST API, so Flink users and their tools recognise it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_CLUSTER_ID, ResourceId, ResourceIds, ResourceManagerGateway, TaskManagerSummary } from '@runnel/protocol';
import { SERVICE_IDENTITY, ServiceIdentity } from '@runnel/service-kit';

export const RESOURCE_MANAGER_GATEWAY = Symbol('RESOURCE_MANAGER_GATEWAY');

@Injectable()
export class ClusterViewService {
  constructor(
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  overview() {
    return this.resourceManager.getClusterOverview({});
  }

  listTaskManagers() {
    return this.resourceManager.listTaskManagers({});
  }

  getTaskManager(resourceId: ResourceId) {
    return this.resourceManager.getTaskManager({ resourceId: ResourceIds.parse(resourceId) });
  }

  /** GET /overview, as Flink's. */
  async restOverview() {
    const o = await this.overview();
    return {
      taskmanagers: o.taskManagers,
      'slots-total': o.slotsTotal,
      'slots-available': o.slotsAvailable,
      'jobs-running': o.jobsRunning,
      'jobs-finished': o.jobsFinished,
      'jobs-cancelled': o.jobsCancelled,
      'jobs-failed': o.jobsFailed,
      'runnel-version': this.identity.version,
      'cluster-id': this.identity.clusterId ?? DEFAULT_CLUSTER_ID,
    };
  }

  /** GET /taskmanagers, as Flink's. */
  async restTaskManagers() {
    const { taskManagers } = await this.listTaskManagers();
    return { taskmanagers: taskManagers.map(toRestTaskManager) };
  }

  /** GET /taskmanagers/:id: Flink's fields plus every slot and who holds it. */
  async restTaskManager(resourceId: ResourceId) {
    const { taskManager, slots } = await this.getTaskManager(resourceId);
    return {
      ...toRestTaskManager(taskManager),
      slots,
      allocatedSlots: slots.filter((s) => s.allocationId).map((s) => ({ jobId: s.jobId, allocationId: s.allocationId, index: s.index })),
    };
  }
}

function toRestTaskManager(tm: TaskManagerSummary) {
  return {
    id: tm.id,
    path: tm.address,
    hostname: tm.hostname,
    pid: tm.pid,
    slotsNumber: tm.slotsNumber,
    freeSlots: tm.freeSlots,
    registeredAt: tm.registeredAt,
    lastHeartbeat: tm.lastHeartbeat,
    timeSinceLastHeartbeat: tm.timeSinceLastHeartbeat,
    hardware: { cpuCores: tm.cpuCores, physicalMemory: tm.physicalMemory },
    version: tm.version,
    // Beyond Flink: who started it (standalone, or a resource provider) and a per-job TaskManager's job.
    provider: tm.provider ?? 'standalone',
    dedicatedTo: tm.dedicatedTo ?? null,
  };
}
