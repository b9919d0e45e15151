/**
 * Metrics as the dispatcher serves them: asked of the JobManager (JobMetricsGateway) in Flink's
 * REST shapes; a TaskManager's metrics join the ResourceManager's slot counts with the JobManager's
 * view of the slot workers; the JobManager's join the cluster's TaskManager and slot counts.
 */
import { Inject, Injectable } from '@nestjs/common';
import { JobId, JobMetricsGateway, MessageBody, MetricsQuery, ResourceId, ResourceIds, ResourceManagerGateway } from '@runnel/protocol';
import { RESOURCE_MANAGER_GATEWAY } from '../cluster/cluster-view.service';

export const JOB_METRICS_GATEWAY = Symbol('JOB_METRICS_GATEWAY');

type Entry = Record<string, unknown>;

@Injectable()
export class JobMetricsViewService {
  constructor(
    @Inject(JOB_METRICS_GATEWAY) private readonly jobManager: JobMetricsGateway,
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
  ) {}

  async query(q: MessageBody<MetricsQuery>): Promise<Entry[]> {
    return (await this.jobManager.queryMetrics(q)).metrics;
  }

  backPressure(jobId: JobId, vertexId: string) {
    return this.jobManager.getBackPressure({ jobId, vertexId });
  }

  watermarks(jobId: JobId) {
    return this.jobManager.getWatermarks({ jobId });
  }

  async taskManager(resourceId: ResourceId, get: string[] | undefined): Promise<Entry[]> {
    const [{ taskManager }, fromJobs] = await Promise.all([
      this.resourceManager.getTaskManager({ resourceId: ResourceIds.parse(resourceId) }),
      this.jobManager.queryMetrics({ scope: 'taskmanager', taskManagerId: resourceId, get: undefined }),
    ]);
    const own = new Map<string, number>([
      ['Status.Slots.Total', taskManager.slotsNumber],
      ['Status.Slots.Free', taskManager.freeSlots],
      ['Status.Hardware.PhysicalMemory', taskManager.physicalMemory],
      ['Status.Hardware.CpuCores', taskManager.cpuCores],
    ]);
    const all = new Map<string, string>([...own].map(([k, v]) => [k, String(v)]));
    if (fromJobs.metrics.length > 0) {
      const values = await this.jobManager.queryMetrics({ scope: 'taskmanager', taskManagerId: resourceId, get: fromJobs.metrics.map((m) => String(m.id)) });
      for (const m of values.metrics) all.set(String(m.id), String(m.value));
    }
    return pick(all, get);
  }

  async jobManagerMetrics(get: string[] | undefined): Promise<Entry[]> {
    const [own, overview] = await Promise.all([this.jobManager.queryMetrics({ scope: 'jobmanager', get: undefined }), this.resourceManager.getClusterOverview({})]);
    const values = await this.jobManager.queryMetrics({ scope: 'jobmanager', get: own.metrics.map((m) => String(m.id)) });
    const all = new Map<string, string>(values.metrics.map((m) => [String(m.id), String(m.value)]));
    all.set('numRegisteredTaskManagers', String(overview.taskManagers));
    all.set('taskSlotsTotal', String(overview.slotsTotal));
    all.set('taskSlotsAvailable', String(overview.slotsAvailable));
    return pick(all, get);
  }
}

function pick(all: ReadonlyMap<string, string>, get: string[] | undefined): Entry[] {
  if (!get) return [...all.keys()].sort().map((id) => ({ id }));
  return get.filter((id) => all.has(id)).map((id) => ({ id, value: all.get(id) }));
}
