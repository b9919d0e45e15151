/** The job store: jobs' metadata in Postgres. The runtime writes it; the overview counts it. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { JobEntity, JobStatuses } from './job.entity';

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
    const finalStates: string[] = [JobStatuses.Finished, JobStatuses.Canceled, JobStatuses.Failed];
    const running = rows.filter((r) => !finalStates.includes(r.status)).reduce((sum, r) => sum + r.n, 0);
    return { running, finished: n(JobStatuses.Finished), cancelled: n(JobStatuses.Canceled), failed: n(JobStatuses.Failed) };
  }
}
