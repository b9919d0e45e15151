/** The job store: jobs' metadata in Postgres. The JobManager writes it; the overview counts it. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { JobId, JobIds, JobStatus, NotFoundError, StoredJob, TERMINAL_JOB_STATUSES } from '@runnel/protocol';
import { Repository } from 'typeorm';
import { JobEntity, JobStatuses } from './job.entity';
import type { JobGraph } from '@runnel/protocol';

export interface JobCounts {
  readonly running: number;
  readonly finished: number;
  readonly cancelled: number;
  readonly failed: number;
}

@Injectable()
export class JobStore {
  constructor(@InjectRepository(JobEntity) private readonly jobs: Repository<JobEntity>) {}

  async counts(): Promise<JobCounts> {
    const rows = await this.jobs.createQueryBuilder('j').select('j.status', 'status').addSelect('count(*)::int', 'n').groupBy('j.status').getRawMany<{ status: string; n: number }>();
    const n = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
    const finalStates: string[] = [...TERMINAL_JOB_STATUSES];
    const running = rows.filter((r) => !finalStates.includes(r.status)).reduce((sum, r) => sum + r.n, 0);
    return { running, finished: n(JobStatuses.Finished), cancelled: n(JobStatuses.Canceled), failed: n(JobStatuses.Failed) };
  }

  async put(job: StoredJob): Promise<void> {
    const now = new Date();
    const ended = TERMINAL_JOB_STATUSES.includes(job.status) ? now : null;
    await this.jobs.upsert(
      {
        jobId: job.jobId,
        name: job.name,
        status: job.status,
        artifactHash: job.artifactHash ?? null,
        parallelism: job.parallelism ?? null,
        programArgs: job.programArgs ?? null,
        target: job.target ?? null,
        savepointPath: job.savepointPath ?? null,
        allowNonRestoredState: job.allowNonRestoredState ?? null,
        jobGraph: (job.jobGraph ?? null) as never,
        jobGraphHash: job.jobGraphHash ?? null,
        createdAt: now,
        updatedAt: now,
        endedAt: ended,
      },
      { conflictPaths: ['jobId'], skipUpdateIfNoValuesChanged: false },
    );
  }

  async updateStatus(jobId: JobId, status: JobStatus): Promise<void> {
    const result = await this.jobs.update(
      { jobId },
      { status, updatedAt: new Date(), ...(TERMINAL_JOB_STATUSES.includes(status) ? { endedAt: new Date() } : {}) },
    );
    if (!result.affected) throw new NotFoundError('Job', jobId);
  }

  async get(jobId: JobId): Promise<StoredJob> {
    const job = await this.jobs.findOne({ where: { jobId } });
    if (!job) throw new NotFoundError('Job', jobId);
    return toRecord(job, true);
  }

  /** The job's status, undefined when the store does not have it. */
  async statusOf(jobId: JobId): Promise<string | undefined> {
    const job = await this.jobs.findOne({ where: { jobId }, select: ['jobId', 'status'] });
    return job?.status;
  }

  async list(): Promise<StoredJob[]> {
    const jobs = await this.jobs.find({ order: { createdAt: 'DESC' }, select: ['jobId', 'name', 'status', 'artifactHash', 'jobGraphHash', 'parallelism', 'programArgs', 'target', 'createdAt', 'updatedAt', 'endedAt'] });
    return jobs.map((j) => toRecord(j, false));
  }
}

function toRecord(j: JobEntity, withGraph: boolean): StoredJob {
  return {
    // A row read back from the database: its id is parsed, not assumed.
    jobId: JobIds.parse(j.jobId),
    name: j.name,
    status: j.status,
    ...(j.artifactHash ? { artifactHash: j.artifactHash } : {}),
    ...(j.jobGraphHash ? { jobGraphHash: j.jobGraphHash } : {}),
    ...(j.parallelism ? { parallelism: j.parallelism } : {}),
    ...(j.programArgs ? { programArgs: j.programArgs } : {}),
    ...(j.target === 'per-job' || j.target === 'session' ? { target: j.target } : {}),
    ...(j.savepointPath ? { savepointPath: j.savepointPath } : {}),
    ...(j.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
    // Written by putJob from a graph the JobManager had checked at submission.
    ...(withGraph && j.jobGraph ? { jobGraph: j.jobGraph as JobGraph } : {}),
    createdAt: j.createdAt.getTime(),
    updatedAt: j.updatedAt.getTime(),
    ...(j.endedAt ? { endedAt: j.endedAt.getTime() } : {}),
  };
}
