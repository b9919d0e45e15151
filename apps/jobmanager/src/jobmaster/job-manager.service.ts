/**
 * The JobManager's jobs: a JobMaster per submitted job, found by JobId. Jobs that ended before this
 * JobManager started are read from the job store.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  Acknowledge, ConflictError, JobDetailsReply, JobExceptionsReply, JobsOverviewReply, MessageBody, NotFoundError, Reply, ResourceManagerGateway,
  SubmitJobReply, SubmitJobRequest, TaskExecutionStateUpdate, TaskExecutorGateway,
} from '@runnel/protocol';
import { JobMaster } from './job-master';
import { DataStreamAdmin, JobMasterSettings } from './job-master.deps';
import { jobDetails, jobExceptions, jobOverview } from './job-views';

export const RESOURCE_MANAGER_GATEWAY = Symbol('RESOURCE_MANAGER_GATEWAY');
export const TASK_EXECUTOR_GATEWAYS = Symbol('TASK_EXECUTOR_GATEWAYS');
export const DATA_STREAM_ADMIN = Symbol('DATA_STREAM_ADMIN');
export const JOB_MASTER_SETTINGS = Symbol('JOB_MASTER_SETTINGS');

@Injectable()
export class JobManagerService implements OnApplicationShutdown {
  private readonly logger = new Logger('JobMaster');
  private readonly jobs = new Map<string, JobMaster>();

  constructor(
    @Inject(RESOURCE_MANAGER_GATEWAY) private readonly resourceManager: ResourceManagerGateway,
    @Inject(TASK_EXECUTOR_GATEWAYS) private readonly taskExecutor: (resourceId: string) => TaskExecutorGateway,
    @Inject(DATA_STREAM_ADMIN) private readonly dataStreams: DataStreamAdmin,
    @Inject(JOB_MASTER_SETTINGS) private readonly settings: JobMasterSettings,
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
