/**
 * Savepoints: triggering them (Flink's asynchronous operations with a trigger id), listing them,
 * loading one to start a job from, and checking — without running anything — which of its state
 * maps onto which operator of a job (by uid).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CheckpointIds, JobId, JobIds, NotFoundError, StateStore, ValidationError } from '@runnel/protocol';
import type { JobGraph } from '@runnel/dataflow';
import { randomUUID } from 'node:crypto';
import { CheckpointRecord, CheckpointRepository } from '../checkpoints/checkpoint.repository';
import { CHECKPOINT_REPOSITORY, CHECKPOINT_STORE } from '../jobmaster/job-manager.tokens';
import { JobMaster } from '../jobmaster/job-master';
import { readSavepointDirectory, writeSavepointDirectory } from './savepoint-files';
import { SAVEPOINT_LOCATIONS, SavepointLocations } from './savepoint-locations.policy';

type Operation = { status: 'IN_PROGRESS' } | { status: 'COMPLETED'; location: string } | { status: 'FAILED'; cause: string };

const SCHEME = 'savepoint://';
/** Savepoint operations kept per job (Flink keeps them for rest.async.store-duration); the oldest go first. */
const MAX_OPERATIONS_PER_JOB = 100;

export function savepointPath(record: { jobId: string; checkpointId: number }): string {
  return `${SCHEME}${record.jobId}/${record.checkpointId}`;
}

export interface SavepointMapping {
  readonly operators: { uid: string; fromVertex: string; fromParallelism: number; toVertex: string | null; toParallelism: number | null }[];
  readonly unmatched: string[];
}

@Injectable()
export class SavepointService {
  private readonly logger = new Logger('Savepoints');
  private readonly operations = new Map<string, Operation>();

  constructor(
    @Inject(CHECKPOINT_REPOSITORY) private readonly repository: CheckpointRepository,
    @Inject(CHECKPOINT_STORE) private readonly store: StateStore,
    @Inject(SAVEPOINT_LOCATIONS) private readonly locations: SavepointLocations,
  ) {}

  /** Refuses a target directory outside SAVEPOINT_DIRS (VALIDATION_FAILED naming them), before anything is triggered. */
  checkTargetDirectory(targetDirectory: string | undefined): void {
    if (targetDirectory !== undefined) this.locations.targetDirectory(targetDirectory);
  }

  trigger(job: JobMaster, options: { targetDirectory?: string; cancelJob?: boolean; drain?: boolean }): string {
    this.checkTargetDirectory(options.targetDirectory);
    const triggerId = randomUUID();
    this.boundOperations(job.jobId);
    this.operations.set(`${job.jobId}/${triggerId}`, { status: 'IN_PROGRESS' });
    void (async () => {
      try {
        const record = await job.checkpoints.triggerSavepoint();
        let location = savepointPath(record);
        if (options.targetDirectory) {
          // Confined again when written: the directory may have been replaced by a symlink since.
          location = await writeSavepointDirectory(this.store, record, this.locations.targetDirectory(options.targetDirectory));
          await this.repository.setExternalPath(record.jobId, record.checkpointId, location);
        }
        this.logger.log(`savepoint ${record.checkpointId} of job ${job.jobId} at ${location}`);
        this.operations.set(`${job.jobId}/${triggerId}`, { status: 'COMPLETED', location });
        if (options.drain) await job.drain();
        else if (options.cancelJob) await job.cancel();
      } catch (error) {
        this.operations.set(`${job.jobId}/${triggerId}`, { status: 'FAILED', cause: (error as Error).message });
      }
    })();
    return triggerId;
  }

  /** The job is no longer held by the JobManager: its operations go with it. */
  forgetJob(jobId: JobId): void {
    for (const key of this.operations.keys()) if (key.startsWith(`${jobId}/`)) this.operations.delete(key);
  }

  /** Keeps a job's operations below MAX_OPERATIONS_PER_JOB, dropping its oldest finished ones. */
  private boundOperations(jobId: JobId): void {
    const own = [...this.operations].filter(([key, op]) => key.startsWith(`${jobId}/`) && op.status !== 'IN_PROGRESS');
    for (const [key] of own.slice(0, Math.max(0, own.length - MAX_OPERATIONS_PER_JOB + 1))) this.operations.delete(key);
  }

  /** Operations held (for tests). */
  get operationCount(): number {
    return this.operations.size;
  }

  status(jobId: JobId, triggerId: string) {
    const operation = this.operations.get(`${jobId}/${triggerId}`);
    if (!operation) throw new NotFoundError('Savepoint operation', triggerId);
    if (operation.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' as const } };
    return {
      status: { id: 'COMPLETED' as const },
      operation: operation.status === 'COMPLETED' ? { location: operation.location } : { 'failure-cause': { class: 'SavepointException', 'stack-trace': operation.cause } },
    };
  }

  async list() {
    return (await this.repository.savepoints()).map((r) => ({
      path: savepointPath(r),
      'external-path': r.externalPath,
      'job-id': r.jobId,
      'checkpoint-id': r.checkpointId,
      timestamp: r.completedTimestamp ?? r.triggerTimestamp,
      'state-size': r.stateSize,
      operators: Object.entries(r.operators).map(([vertex, uids]) => ({ vertex, parallelism: r.parallelism[vertex], uids })),
    }));
  }

  /**
   * A savepoint by path (`savepoint://<job>/<id>`), by the directory it was written to, or a
   * retained checkpoint by its directory in CHECKPOINT_DIR (`<dir>/<job>/chk-<n>`, Flink's
   * `-s <checkpoint path>`): its record is the one the JobManager stored when it completed, its
   * state is read where it is.
   */
  async load(path: string): Promise<CheckpointRecord> {
    const refuse = () => new ValidationError(`No completed savepoint or checkpoint at ${path}`, [{ field: 'savepointPath', problems: ['no such savepoint'] }]);
    if (path.startsWith(SCHEME)) {
      const [jobId, id] = path.slice(SCHEME.length).split('/');
      const checkpointId = /^\d+$/.test(id ?? '') ? Number(id) : undefined;
      const record = JobIds.isValid(jobId) && CheckpointIds.isValid(checkpointId) ? await this.repository.find(jobId, checkpointId) : undefined;
      if (!record || record.status !== 'COMPLETED') throw refuse();
      return record;
    }
    const checkpoint = this.locations.checkpointDirectory(path);
    if (checkpoint) {
      const record = await this.repository.find(checkpoint.jobId, checkpoint.checkpointId);
      if (!record || record.status !== 'COMPLETED') throw refuse();
      return record;
    }
    return readSavepointDirectory(this.store, this.locations.savepointDirectory(path));
  }

  /** Which state goes to which operator of `jobGraph`: matched by operator uid. */
  mapping(record: CheckpointRecord, jobGraph: JobGraph): SavepointMapping {
    const target = new Map<string, { vertex: string; parallelism: number }>();
    for (const v of jobGraph.vertices) for (const o of v.operators) target.set(o.uid, { vertex: v.id, parallelism: v.parallelism });
    const hasState = new Set(record.handles.map((h) => h.vertexId));
    const operators = Object.entries(record.operators)
      .filter(([vertex]) => hasState.has(vertex))
      .flatMap(([vertex, uids]) =>
        uids.map((uid) => ({
          uid,
          fromVertex: vertex,
          fromParallelism: record.parallelism[vertex] ?? 1,
          toVertex: target.get(uid)?.vertex ?? null,
          toParallelism: target.get(uid)?.parallelism ?? null,
        })),
      );
    return { operators, unmatched: operators.filter((o) => o.toVertex === null).map((o) => o.uid) };
  }
}
