/**
 * The JobManager's jobs: a JobMaster per submitted job, found by JobId. Jobs that ended before this
 * JobManager started are read from the job store.
 */
import { abortableSleep } from './abortable-sleep';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  Acknowledge, AcknowledgeCheckpointRequest, assertValidJobGraph, CheckpointConfigReply, CheckpointsReply, CheckSavepointRequest, JobCheckpointStore, ConflictError, DeclineCheckpointRequest, FinalCheckpointRequest, JobDetailsReply, JobExceptionsReply, JobId, JobsOverviewReply, MessageBody, NotFoundError, Reply, ResourceId, ResourceManagerGateway, SavepointMappingReply, SavepointMismatchError, SavepointsReply, SubmitJobReply, SubmitJobRequest, TaskExecutionStateUpdate, TaskExecutorGateway, TriggerSavepointReply, TriggerSavepointRequest,
} from '@runnel/protocol';
import { CheckpointRepository } from '../checkpoints/checkpoint.repository';
import { JobMaster } from './job-master';
import { DataStreamAdmin, JobMasterSettings } from './job-master.deps';
import { jobDetails, jobExceptions, jobOverview } from './job-views';
import { exceptionHistory } from './job-details.views';
import { checkSubmission } from './job-submission.validator';
import { DEFAULT_JOB_HISTORY, JobHistory } from './job-history';
import type { LiveAttempts } from './data-stream-sweeper';

import {
  CHECKPOINT_REPOSITORY, CHECKPOINT_STORE, DATA_STREAM_ADMIN, JOB_MASTER_SETTINGS, RESOURCE_MANAGER_GATEWAY, TASK_EXECUTOR_GATEWAYS,
} from './job-manager.tokens';
import { SavepointService } from '../savepoints/savepoint.service';

export { CHECKPOINT_REPOSITORY, CHECKPOINT_STORE, DATA_STREAM_ADMIN, JOB_MASTER_SETTINGS, RESOURCE_MANAGER_GATEWAY, TASK_EXECUTOR_GATEWAYS };

@Injectable()
export class JobManagerService implements OnApplicationShutdown, LiveAttempts {
  private readonly logger = new Logger('JobMaster');
  private readonly jobs = new Map<JobId, JobMaster>();
  /** Jobs a recovery has claimed and not yet resubmitted. */
  private readonly recovering = new Set<string>();
  /** Ended jobs kept in `jobs`: bounded, so a long-lived JobManager does not grow with every job it ran. */
  private readonly history: JobHistory;
  private expiryTimer?: NodeJS.Timeout;

  constructor(
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
    @Inject(TASK_EXECUTOR_GATEWAYS) private readonly taskExecutor: (resourceId: ResourceId) => TaskExecutorGateway,
    @Inject(DATA_STREAM_ADMIN) private readonly dataStreams: DataStreamAdmin,
    @Inject(JOB_MASTER_SETTINGS) private readonly settings: JobMasterSettings,
    @Inject(CHECKPOINT_REPOSITORY) private readonly checkpoints: CheckpointRepository,
    @Inject(CHECKPOINT_STORE) private readonly checkpointStore: JobCheckpointStore,
    private readonly savepoints: SavepointService,
  ) {
    this.history = new JobHistory(settings.jobHistory ?? DEFAULT_JOB_HISTORY, Date.now);
  }

  /** A job that runs here, or one being recovered (the orphan sweep keeps its data stream). */
  isLive(jobId: JobId): boolean {
    if (this.recovering.has(jobId)) return true;
    const job = this.jobs.get(jobId);
    return job !== undefined && !job.isTerminal();
  }

  /** The attempt a job that runs here is at; undefined while it is being recovered (the sweep then leaves its stream alone). */
  currentAttempt(jobId: JobId): number | undefined {
    if (this.recovering.has(jobId)) return undefined;
    const job = this.jobs.get(jobId);
    return job !== undefined && !job.isTerminal() ? job.graph.attempt : undefined;
  }

  /** Whether the job runs here or is being recovered here (its checkpoint bucket must stay). */
  isActive(jobId: JobId): boolean {
    if (this.recovering.has(jobId)) return true;
    const job = this.jobs.get(jobId);
    return job !== undefined && !job.isTerminal();
  }

  /** Ended jobs held now (for tests and the soak). */
  get endedJobsHeld(): number {
    return this.history.size;
  }

  /** Expires ended jobs (JOB_HISTORY_EXPIRY_MS) while no job ends to trigger it: checked every tenth of the expiry. */
  startHistoryExpiry(): void {
    const expiryMs = (this.settings.jobHistory ?? DEFAULT_JOB_HISTORY).expiryMs;
    clearInterval(this.expiryTimer);
    this.expiryTimer = setInterval(() => this.expireHistory(), Math.max(1000, Math.floor(expiryMs / 10)));
    this.expiryTimer.unref();
  }

  /** Drops ended jobs past JOB_HISTORY_SIZE or JOB_HISTORY_EXPIRY_MS (called as jobs end, and periodically for the expiry). */
  expireHistory(dropped: JobId[] = this.history.evict()): void {
    for (const jobId of dropped) {
      const job = this.jobs.get(jobId);
      if (!job?.isTerminal()) continue;
      this.jobs.delete(jobId);
      this.savepoints.forgetJob(jobId);
    }
  }

  /**
   * Recovery takes over a stored job only if this JobManager does not run it already (a job
   * submitted here while recovery waited for the ResourceManager is in the store too).
   */
  claimForRecovery(jobId: JobId): boolean {
    if (this.jobs.has(jobId) || this.recovering.has(jobId)) return false;
    this.recovering.add(jobId);
    return true;
  }

  releaseRecoveryClaim(jobId: JobId): void {
    this.recovering.delete(jobId);
  }

  async submitJob(request: MessageBody<SubmitJobRequest>, recovered = false): Promise<Reply<SubmitJobReply>> {
    if (this.jobs.has(request.jobId) || (!recovered && this.recovering.has(request.jobId))) {
      throw new ConflictError(`Job ${request.jobId} was already submitted`);
    }
    // The graph is checked before anything is made of it (MAX_JOB_PARALLELISM, sizes, edges): an
    // invalid one leaves no job record, no slots.
    checkSubmission(request, this.settings.maxJobParallelism);
    // A savepoint that does not fit the job is refused here, before anything runs.
    const savepoint = request.savepointPath ? await this.savepoints.load(request.savepointPath) : undefined;
    if (savepoint) {
      const { unmatched } = this.savepoints.mapping(savepoint, request.jobGraph);
      if (unmatched.length && !request.allowNonRestoredState) throw new SavepointMismatchError(request.savepointPath!, unmatched);
    }
    const job = new JobMaster(
      request,
      {
        resourceManager: this.resourceManager,
        taskExecutor: this.taskExecutor,
        dataStreams: this.dataStreams,
        clock: Date.now,
        sleep: abortableSleep,
        log: this.logger,
        checkpoints: this.checkpoints,
        checkpointStore: this.checkpointStore,
      },
      this.settings,
    );
    if (savepoint) job.checkpoints.seedFromSavepoint(savepoint);
    this.jobs.set(request.jobId, job);
    this.history.forget(request.jobId);
    void job.terminated.then(() => this.jobs.get(request.jobId) === job && this.expireHistory(this.history.jobEnded(request.jobId)));
    this.recovering.delete(request.jobId);
    this.logger.log(`job ${request.jobId} (${request.jobName}) submitted`);
    void job.start();
    return { jobId: request.jobId };
  }

  async cancelJob(jobId: JobId): Promise<Reply<Acknowledge>> {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError('Job', jobId);
    await job.cancel();
    return {};
  }

  updateTaskExecutionState(update: MessageBody<TaskExecutionStateUpdate>): Reply<Acknowledge> {
    const job = this.jobs.get(update.jobId);
    if (!job) throw new NotFoundError('Job', update.jobId);
    job.onTaskState(update);
    return {};
  }

  getJob(jobId: JobId): Reply<JobDetailsReply> {
    return jobDetails(this.job(jobId), Date.now());
  }

  getJobExceptions(jobId: JobId, maxExceptions?: number): Reply<JobExceptionsReply> {
    const job = this.job(jobId);
    return { ...jobExceptions(job), exceptionHistory: exceptionHistory(job, maxExceptions) };
  }

  listJobs(): Reply<JobsOverviewReply> {
    const now = Date.now();
    return { jobs: [...this.jobs.values()].map((job) => jobOverview(job, now)) };
  }

  async acknowledgeCheckpoint(ack: MessageBody<AcknowledgeCheckpointRequest>): Promise<Reply<Acknowledge>> {
    await this.job(ack.jobId).checkpoints.onAcknowledge(ack);
    return {};
  }

  declineCheckpoint(decline: MessageBody<DeclineCheckpointRequest>): Reply<Acknowledge> {
    this.job(decline.jobId).checkpoints.onDecline(decline.checkpointId, decline.reason);
    return {};
  }

  requestFinalCheckpoint(request: MessageBody<FinalCheckpointRequest>): Reply<Acknowledge> {
    this.job(request.jobId).checkpoints.requestFinalCheckpoint(request.executionAttemptId, request.afterCheckpointId);
    return {};
  }

  /** The ResourceManager lost these TaskManagers: every job on one of them checks at once (no wait for its poll). */
  taskManagersLost(resourceIds: readonly ResourceId[]): Reply<Acknowledge> {
    const lost = new Set<string>(resourceIds);
    for (const job of this.jobs.values()) if (job.usesAnyOf(lost)) void job.checkTaskManagers();
    return {};
  }

  getCheckpoints(jobId: JobId): Reply<CheckpointsReply> {
    return this.job(jobId).checkpoints.stats();
  }

  triggerSavepoint(request: MessageBody<TriggerSavepointRequest>): Reply<TriggerSavepointReply> {
    this.savepoints.checkTargetDirectory(request.targetDirectory);
    return { 'request-id': this.savepoints.trigger(this.job(request.jobId), request) };
  }

  getSavepointStatus(jobId: JobId, triggerId: string) {
    this.job(jobId);
    return this.savepoints.status(jobId, triggerId);
  }

  async listSavepoints(): Promise<Reply<SavepointsReply>> {
    return { savepoints: await this.savepoints.list() };
  }

  async checkSavepoint(request: MessageBody<CheckSavepointRequest>): Promise<Reply<SavepointMappingReply>> {
    assertValidJobGraph(request.jobGraph, { maxJobParallelism: this.settings.maxJobParallelism });
    const mapping = this.savepoints.mapping(await this.savepoints.load(request.savepointPath), request.jobGraph);
    return { savepointPath: request.savepointPath, operators: mapping.operators, unmatched: mapping.unmatched };
  }

  getCheckpointConfig(jobId: JobId): Reply<CheckpointConfigReply> {
    const job = this.job(jobId);
    const c = job.checkpoints.enabled ? job.checkpoints.settings : undefined;
    return {
      enabled: c !== undefined,
      mode: c?.mode ?? 'exactly-once',
      interval: c?.intervalMs ?? -1,
      timeout: c?.timeoutMs ?? -1,
      min_pause: c?.minPauseMs ?? 0,
      max_concurrent: c?.maxConcurrent ?? 1,
      tolerable_failed_checkpoints: c?.tolerableFailures ?? 0,
      retained: c?.retained ?? 0,
      // Flink's shape: retained checkpoints are kept in the store until subsumed; on cancel per the option.
      externalization: { enabled: c !== undefined, delete_on_cancellation: !c?.retainOnCancel },
      restart_strategy: { ...job.restartStrategy.config },
    };
  }

  onApplicationShutdown(): void {
    clearInterval(this.expiryTimer);
    // Hand over, don't cancel: the next JobManager leader recovers the running jobs from the job
    // store and their latest checkpoints (a cancel is what a user asks for, not what a restart means).
    for (const job of this.jobs.values()) if (!job.isTerminal()) job.suspend();
  }

  /** Every job this JobManager holds (running and in its history): the metric views read them. */
  jobMasters(): JobMaster[] {
    return [...this.jobs.values()];
  }

  lookup(jobId: JobId): JobMaster {
    return this.job(jobId);
  }

  /** The JobMaster of a job this JobManager runs (or ran); NotFoundError otherwise. */
  job(jobId: JobId): JobMaster {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError('Job', jobId);
    return job;
  }
}
