/**
 * Jobs as the dispatcher serves them: live from the JobManager, and from the job store for jobs
 * the JobManager no longer holds (it restarted since).
 */
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, JobId, JobMasterGateway, ResourceManagerGateway, RunnelError, StoredJob } from '@runnel/protocol';
import { toFlinkPlan } from '@runnel/dataflow';
import { RESOURCE_MANAGER_GATEWAY } from '../cluster/cluster-view.service';
import { JOB_MASTER_GATEWAY } from '../jars/jar.service';

@Injectable()
export class JobViewService {
  constructor(
    @Inject(JOB_MASTER_GATEWAY) private readonly jobManager: JobMasterGateway,
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
  ) {}

  async overview(): Promise<Record<string, unknown>[]> {
    const [live, stored] = await Promise.all([this.jobManager.listJobs({}), this.resourceManager.listJobs({})]);
    const known = new Set(live.jobs.map((j) => j.jid));
    return [...live.jobs, ...stored.jobs.filter((j) => !known.has(j.jobId)).map(storedOverview)];
  }

  async details(jobId: JobId) {
    try {
      return await this.jobManager.getJob({ jobId });
    } catch (error) {
      if (!(error instanceof RunnelError && error.code === ErrorCodes.NotFound)) throw error;
      const { job } = await this.resourceManager.getJob({ jobId });
      return {
        ...storedOverview(job),
        now: Date.now(),
        timestamps: {},
        vertices: [],
        'status-counts': {},
        plan: job.jobGraph ? toFlinkPlan(job.jobGraph, jobId) : {},
      };
    }
  }

  async exceptions(jobId: JobId, maxExceptions?: number) {
    try {
      return await this.jobManager.getJobExceptions({ jobId, ...(maxExceptions !== undefined ? { maxExceptions } : {}) });
    } catch (error) {
      if (!(error instanceof RunnelError && error.code === ErrorCodes.NotFound)) throw error;
      await this.resourceManager.getJob({ jobId });
      return { 'all-exceptions': [], truncated: false, exceptionHistory: { entries: [], truncated: false } };
    }
  }

  checkpoints(jobId: JobId) {
    return this.jobManager.getCheckpoints({ jobId });
  }

  checkpointConfig(jobId: JobId) {
    return this.jobManager.getCheckpointConfig({ jobId });
  }

  triggerSavepoint(jobId: JobId, options: { targetDirectory?: string; cancelJob?: boolean; drain?: boolean }) {
    return this.jobManager.triggerSavepoint({ jobId, ...options });
  }

  savepointStatus(jobId: JobId, triggerId: string) {
    return this.jobManager.getSavepointStatus({ jobId, triggerId });
  }

  async savepoints() {
    return (await this.jobManager.listSavepoints({})).savepoints;
  }

  cancel(jobId: JobId) {
    return this.jobManager.cancelJob({ jobId });
  }
}

function storedOverview(job: StoredJob): Record<string, unknown> {
  const start = job.createdAt ?? -1;
  const end = job.endedAt ?? -1;
  return {
    jid: job.jobId,
    name: job.name,
    state: job.status,
    'start-time': start,
    'end-time': end,
    duration: start < 0 ? -1 : (end < 0 ? Date.now() : end) - start,
    'last-modification': job.updatedAt ?? start,
    tasks: {},
  };
}
