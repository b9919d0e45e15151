/**
 * The JobManager's jobs: a JobMaster per submitted job, found by JobId. Jobs that ended before this
 * JobManager started are read from the job store.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  Acknowledge, AcknowledgeCheckpointRequest, CheckpointConfigReply, CheckpointsReply, ConflictError, DeclineCheckpointRequest, JobDetailsReply, JobExceptionsReply, JobsOverviewReply, MessageBody, NotFoundError, Reply, ResourceManagerGateway,
  SubmitJobReply, SubmitJobRequest, TaskExecutionStateUpdate, TaskExecutorGateway,
} from '@runnel/protocol';
import { CheckpointRepository } from '../checkpoints/checkpoint.repository';
import { JobMaster } from './job-master';
import { DataStreamAdmin, JobMasterSettings } from './job-master.deps';
import { jobDetails, jobExceptions, jobOverview } from './job-views';

export const RESOURCE_MANAGER_GATEWAY = Symbol('RESOURCE_MANAGER_GATEWAY');
export const TASK_EXECUTOR_GATEWAYS = Symbol('TASK_EXECUTOR_GATEWAYS');
export const DATA_STREAM_ADMIN = Symbol('DATA_STREAM_ADMIN');
export const JOB_MASTER_SETTINGS = Symbol('JOB_MASTER_SETTINGS');
export const CHECKPOINT_REPOSITORY = Symbol('CHECKPOINT_REPOSITORY');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');

@Injectable()
export class JobManagerService implements OnApplicationShutdown {
  private readonly logger = new Logger('JobMaster');
  private readonly jobs = new Map<string, JobMaster>();

  constructor(
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
    @Inject(TASK_EXECUTOR_GATEWAYS) private readonly taskExecutor: (resourceId: string) => TaskExecutorGateway,
    @Inject(DATA_STREAM_ADMIN) private readonly dataStreams: DataStreamAdmin,
    @Inject(JOB_MASTER_SETTINGS) private readonly settings: JobMasterSettings,
    @Inject(CHECKPOINT_REPOSITORY) private readonly checkpoints: CheckpointRepository,
    @Inject(CHECKPOINT_STORE) private readonly checkpointStore: { deleteCheckpoint(jobId: string, checkpointId: number): Promise<void> },
  ) {}

  submitJob(request: MessageBody<SubmitJobRequest>): Reply<SubmitJobReply> {
    if (this.jobs.has(request.jobId)) throw new ConflictError(`Job ${request.jobId} was already submitted`);
    const job = new JobMaster(
      request,
      {
        resourceManager: this.resourceManager,
        taskExecutor: this.taskExecutor,
        dataStreams: this.dataStreams,
        clock: Date.now,
        sleep: (ms, signal) => new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        }),
        log: this.logger,
        checkpoints: this.checkpoints,
        checkpointStore: this.checkpointStore,
      },
      this.settings,
    );
    this.jobs.set(request.jobId, job);
    this.logger.log(`job ${request.jobId} (${request.jobName}) submitted`);
    void job.start();
    return { jobId: request.jobId };
  }

  async cancelJob(jobId: string): Promise<Reply<Acknowledge>> {
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

  getJob(jobId: string): Reply<JobDetailsReply> {
    return jobDetails(this.job(jobId), Date.now());
  }

  getJobExceptions(jobId: string): Reply<JobExceptionsReply> {
    return jobExceptions(this.job(jobId));
  }

  listJobs(): Reply<JobsOverviewReply> {
    const now = Date.now();
    return { jobs: [...this.jobs.values()].map((job) => jobOverview(job, now)) };
  }

  async acknowledgeCheckpoint(ack: MessageBody<AcknowledgeCheckpointRequest>): Promise<Reply<Acknowledge>> {
    await this.job(ack.jobId).checkpoints?.onAcknowledge(ack);
    return {};
  }

  declineCheckpoint(decline: MessageBody<DeclineCheckpointRequest>): Reply<Acknowledge> {
    this.job(decline.jobId).checkpoints?.onDecline(decline.checkpointId, decline.reason);
    return {};
  }

  getCheckpoints(jobId: string): Reply<CheckpointsReply> {
    const job = this.job(jobId);
    return job.checkpoints?.stats() ?? { counts: { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 }, summary: {}, latest: {}, history: [] };
  }

  getCheckpointConfig(jobId: string): Reply<CheckpointConfigReply> {
    const job = this.job(jobId);
    const c = job.checkpoints?.settings;
    return {
      enabled: c !== undefined,
      mode: c?.mode ?? 'exactly-once',
      interval: c?.intervalMs ?? -1,
      timeout: c?.timeoutMs ?? -1,
      min_pause: c?.minPauseMs ?? 0,
      max_concurrent: c?.maxConcurrent ?? 1,
      tolerable_failed_checkpoints: c?.tolerableFailures ?? 0,
      retained: c?.retained ?? 0,
      restart_strategy: { ...job.restartStrategy.config },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    // A JobManager that stops cancels its running jobs, so their slots are free for the next one.
    await Promise.allSettled([...this.jobs.values()].filter((j) => !j.isTerminal()).map((j) => j.cancel()));
  }

  private job(jobId: string): JobMaster {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError('Job', jobId);
    return job;
  }
}
