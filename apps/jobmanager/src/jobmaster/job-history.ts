import { JobId } from '@runnel/protocol';
/**
 * Which ended jobs the JobManager keeps in memory (Flink's jobstore.max-capacity and
 * jobstore.expiration-time): at most `size` of them, none longer than `expiryMs` after it ended.
 * A job dropped here takes its JobMaster with it — execution graph, exceptions, events,
 * checkpoint statistics and retained checkpoint records — and its savepoint operations; the job
 * store (Postgres) still has its outcome, which the dispatcher serves for jobs the JobManager no
 * longer holds. Running jobs are never dropped.
 */
export interface JobHistorySettings {
  /** JOB_HISTORY_SIZE: ended jobs kept. */
  readonly size: number;
  /** JOB_HISTORY_EXPIRY_MS: how long an ended job is kept. */
  readonly expiryMs: number;
}

export const DEFAULT_JOB_HISTORY: JobHistorySettings = { size: 100, expiryMs: 3_600_000 };

export class JobHistory {
  /** Ended jobs by end time, oldest first (a Map keeps insertion order). */
  private readonly ended = new Map<JobId, number>();

  constructor(
    private readonly settings: JobHistorySettings,
    private readonly clock: () => number,
  ) {}

  get size(): number {
    return this.ended.size;
  }

  /** A job ended: returns the ended jobs to drop now (the oldest beyond the size). */
  jobEnded(jobId: JobId): JobId[] {
    this.ended.delete(jobId);
    this.ended.set(jobId, this.clock());
    return this.evict();
  }

  /** A job is held again (resubmitted under its id): it is not ended any more. */
  forget(jobId: JobId): void {
    this.ended.delete(jobId);
  }

  /** The ended jobs to drop: expired ones, and the oldest beyond the size. */
  evict(): JobId[] {
    const dropped: JobId[] = [];
    const expiredBefore = this.clock() - this.settings.expiryMs;
    for (const [jobId, at] of this.ended) {
      if (at > expiredBefore && this.ended.size - dropped.length <= this.settings.size) break;
      dropped.push(jobId);
    }
    for (const jobId of dropped) this.ended.delete(jobId);
    return dropped;
  }
}
