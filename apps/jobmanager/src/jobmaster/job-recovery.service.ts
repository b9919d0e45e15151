/**
 * JobManager failover (Flink's JobManager HA, with the job store in place of ZooKeeper's job graph
 * store): when this JobManager becomes the leader it takes over every job the job store says is
 * not over. A job left half-way by the previous leader is cleaned up first — its tasks released on
 * every TaskManager, its slots freed, its data streams deleted — then resubmitted to this
 * JobManager under the same JobId, and its JobMaster restores the latest completed checkpoint
 * (CheckpointCoordinator.recover() reads them from Postgres). A job that was being cancelled or
 * failed ends as CANCELED or FAILED instead.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ClusterNamespace, JobId, JobStatus, JobStatuses, ResourceId, ResourceManagerGateway, StoredJob, TaskExecutorGateway, TERMINAL_JOB_STATUSES,
} from '@runnel/protocol';
import { NATS_CONNECTION } from '@runnel/service-kit';
import { NatsConnection } from 'nats';
import { JobManagerService } from './job-manager.service';
import { RESOURCE_MANAGER_GATEWAY, TASK_EXECUTOR_GATEWAYS } from './job-manager.tokens';

/** What recovery did, job by job (for the log and for tests). */
export interface RecoveryReport {
  readonly resubmitted: string[];
  readonly ended: Array<{ jobId: JobId; status: JobStatus }>;
  readonly failed: Array<{ jobId: JobId; reason: string }>;
}

/** A job in the store cannot be resubmitted: it lacks what a submission needs. */
export class UnrecoverableJobError extends Error {
  readonly code = 'JOB_NOT_RECOVERABLE';
  constructor(jobId: JobId, missing: string[]) {
    super(`job ${jobId} cannot be recovered: the job store has no ${missing.join(', ')} for it`);
    this.name = 'UnrecoverableJobError';
  }
}

/** Statuses of a job that was on its way to an end: recovery finishes the way there. */
const ENDING: Partial<Record<JobStatus, JobStatus>> = {
  [JobStatuses.Cancelling]: JobStatuses.Canceled,
  [JobStatuses.Failing]: JobStatuses.Failed,
};

const RETRY_MS = 500;
const RELEASE_TIMEOUT_MS = 15_000;

@Injectable()
export class JobRecoveryService {
  private readonly logger = new Logger('JobRecovery');

  constructor(
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
    @Inject(TASK_EXECUTOR_GATEWAYS) private readonly taskExecutor: (resourceId: ResourceId) => TaskExecutorGateway,
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    private readonly jobs: JobManagerService,
    private readonly namespace: ClusterNamespace = ClusterNamespace.DEFAULT,
  ) {}

  /**
   * Takes over the unfinished jobs of the job store. Waits for the ResourceManager (it may be
   * failing over too) for up to `waitMs`; a job that cannot be recovered is marked FAILED.
   */
  async recoverJobs(waitMs = 120_000): Promise<RecoveryReport> {
    const report: RecoveryReport = { resubmitted: [], ended: [], failed: [] };
    const stored = await this.withRetry('list the job store', waitMs, async () => (await this.resourceManager.listJobs({})).jobs);
    const unfinished = stored.filter((job) => !TERMINAL_JOB_STATUSES.includes(job.status));
    if (unfinished.length === 0) {
      this.logger.log('no unfinished jobs to recover');
      return report;
    }
    this.logger.log(`recovering ${unfinished.length} unfinished job(s): ${unfinished.map((j) => `${j.jobId} (${j.status})`).join(', ')}`);
    for (const summary of unfinished) {
      if (!this.jobs.claimForRecovery(summary.jobId)) {
        this.logger.log(`job ${summary.jobId} already runs here; nothing to recover`);
        continue;
      }
      try {
        const { job } = await this.withRetry(`read job ${summary.jobId}`, waitMs, () => this.resourceManager.getJob({ jobId: summary.jobId }));
        const ending = ENDING[job.status];
        await this.releaseLeftovers(job.jobId);
        if (ending) {
          await this.resourceManager.updateJobStatus({ jobId: job.jobId, status: ending });
          this.jobs.releaseRecoveryClaim(job.jobId);
          report.ended.push({ jobId: job.jobId, status: ending });
          this.logger.log(`job ${job.jobId} was ${job.status} when the previous leader stopped; it is ${ending} now`);
          continue;
        }
        await this.resubmit(job);
        report.resubmitted.push(job.jobId);
      } catch (error) {
        const reason = (error as Error).message;
        this.jobs.releaseRecoveryClaim(summary.jobId);
        report.failed.push({ jobId: summary.jobId, reason });
        this.logger.error(`could not recover job ${summary.jobId}: ${reason}`);
        await this.resourceManager.updateJobStatus({ jobId: summary.jobId, status: JobStatuses.Failed }).catch(() => undefined);
      }
    }
    this.logger.log(`recovery done: ${report.resubmitted.length} resubmitted, ${report.ended.length} ended, ${report.failed.length} failed`);
    return report;
  }

  private async resubmit(job: StoredJob): Promise<void> {
    const { jobGraph, artifactHash, jobGraphHash } = job;
    if (!jobGraph || !artifactHash || !jobGraphHash) {
      const missing = [!jobGraph && 'job graph', !artifactHash && 'artifact hash', !jobGraphHash && 'job graph hash'].filter((m): m is string => !!m);
      throw new UnrecoverableJobError(job.jobId, missing);
    }
    await this.jobs.submitJob(
      {
      jobId: job.jobId,
      jobName: job.name,
      artifactHash,
      programArgs: job.programArgs ?? [],
      ...(job.parallelism ? { parallelism: job.parallelism } : {}),
      jobGraph,
      jobGraphHash,
      ...(job.target ? { target: job.target } : {}),
      // Its own checkpoints, when it has any, are newer than this savepoint and win (see recover()).
      ...(job.savepointPath ? { savepointPath: job.savepointPath } : {}),
      ...(job.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
      },
      true,
    );
    this.logger.log(`job ${job.jobId} (${job.name}) resubmitted; it restores its latest completed checkpoint`);
  }

  /** What the previous leader's attempt left: tasks on the TaskManagers, slots, data streams. */
  private async releaseLeftovers(jobId: JobId): Promise<void> {
    const { taskManagers } = await this.resourceManager.listTaskManagers({ includeUnconfirmed: true });
    const results = await Promise.allSettled(
      taskManagers.map((tm) => this.taskExecutor(tm.id).releaseJob({ jobId }, { timeoutMs: RELEASE_TIMEOUT_MS })),
    );
    results.forEach((result, i) => {
      if (result.status === 'rejected') this.logger.warn(`job ${jobId}: TaskManager ${taskManagers[i].id} did not release it: ${(result.reason as Error)?.message}`);
    });
    await this.resourceManager.releaseSlots({ jobId });
    // The job's data stream, all attempts: the resubmitted job starts again at attempt 0, whose
    // subjects and consumer names the previous leader's attempt 0 used too. And its streams of the
    // former layout (one per attempt, a JobManager of before per-job streams led): their subjects
    // overlap the job's stream's, which NATS would refuse to create. Only this cluster's streams
    // of the job (name and subjects in its namespace): another cluster's are not ours to delete.
    const jsm = await this.connection.jetstreamManager();
    const data = this.namespace.data;
    for await (const stream of jsm.streams.list()) {
      const { name, subjects } = stream.config;
      if (name !== data.stream(jobId) && data.legacyJobOf(name, subjects) !== jobId) continue;
      await jsm.streams.delete(name).catch((error: Error) => this.logger.warn(`job ${jobId}: could not delete stream ${name}: ${error.message}`));
    }
  }

  private async withRetry<T>(what: string, waitMs: number, call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        // The ResourceManager starting alongside (or failing over) is expected: info at first, warnings if it lasts.
        if (attempt === 1) this.logger.log(`could not ${what} yet (${(error as Error).message}); retrying`);
        else if (attempt % 10 === 0) this.logger.warn(`could not ${what} (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
