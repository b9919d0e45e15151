/**
 * Savepoint disposal as Flink does it (POST /savepoint-disposal {"savepoint-path"} → trigger id;
 * GET /savepoint-disposal/:triggerid): the savepoint's state in the checkpoint store and the
 * directory it was written to are deleted, and its record is marked DISPOSED (it is no longer
 * listed, nor can a job start from it). A directory is confined to SAVEPOINT_DIRS before anything
 * happens (400 otherwise) and is deleted only when it holds a savepoint (`_metadata.json`).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CheckpointId, CheckpointIds, JobId, JobIds, NotFoundError, StateStore, ValidationError } from '@runnel/protocol';
import { randomUUID } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointRepository } from '../checkpoints/checkpoint.repository';
import { CHECKPOINT_REPOSITORY, CHECKPOINT_STORE } from '../jobmaster/job-manager.tokens';
import { SAVEPOINT_LOCATIONS, SavepointLocations } from './savepoint-locations.policy';
import { JobManagerService } from '../jobmaster/job-manager.service';
import { MAX_SAVEPOINT_METADATA_BYTES } from './savepoint-files';

const SCHEME = 'savepoint://';
/** Finished operations kept for their status (the oldest are dropped). */
const MAX_OPERATIONS = 1000;

type Operation = { status: 'IN_PROGRESS' } | { status: 'COMPLETED' } | { status: 'FAILED'; cause: string };

type Target = { kind: 'id'; jobId: JobId; checkpointId: CheckpointId } | { kind: 'directory'; directory: string };

@Injectable()
export class SavepointDisposalService {
  private readonly logger = new Logger('Savepoints');
  private readonly operations = new Map<string, Operation>();

  constructor(
    @Inject(CHECKPOINT_REPOSITORY) private readonly repository: CheckpointRepository,
    @Inject(CHECKPOINT_STORE) private readonly store: Pick<StateStore, 'deleteCheckpoint' | 'deleteJobBucketIfEmpty'>,
    @Inject(SAVEPOINT_LOCATIONS) private readonly locations: SavepointLocations,
    /** Jobs running here: an ended job's checkpoint bucket goes with the last savepoint disposed from it. */
    @Inject(JobManagerService) private readonly jobs: Pick<JobManagerService, 'isActive'>,
  ) {}

  /** Starts disposing; a path that is neither a savepoint id nor a directory in SAVEPOINT_DIRS is refused at once. */
  dispose(savepointPath: string): string {
    const target = this.target(savepointPath);
    const triggerId = randomUUID();
    this.operations.set(triggerId, { status: 'IN_PROGRESS' });
    for (const old of this.operations.keys()) {
      if (this.operations.size <= MAX_OPERATIONS) break;
      this.operations.delete(old);
    }
    void this.run(target).then(
      () => this.operations.set(triggerId, { status: 'COMPLETED' }),
      (error: Error) => this.operations.set(triggerId, { status: 'FAILED', cause: error.message }),
    );
    return triggerId;
  }

  status(triggerId: string) {
    const operation = this.operations.get(triggerId);
    if (!operation) throw new NotFoundError('Savepoint disposal', triggerId);
    if (operation.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' as const } };
    return {
      status: { id: 'COMPLETED' as const },
      operation: operation.status === 'COMPLETED' ? {} : { 'failure-cause': { class: 'SavepointDisposalException', 'stack-trace': operation.cause } },
    };
  }

  private target(path: string): Target {
    if (path.startsWith(SCHEME)) {
      const [jobId, id, ...rest] = path.slice(SCHEME.length).split('/');
      if (!JobIds.isValid(jobId) || !/^\d{1,9}$/.test(id ?? '') || !CheckpointIds.isValid(Number(id)) || rest.length) {
        throw new ValidationError(`Invalid savepoint path ${JSON.stringify(path.slice(0, 200))}: expected savepoint://<job id>/<checkpoint id> or a directory`, [
          { field: 'savepoint-path', problems: ['must be savepoint://<job id>/<checkpoint id> or a savepoint directory'] },
        ]);
      }
      return { kind: 'id', jobId, checkpointId: CheckpointIds.parse(Number(id)) };
    }
    const directory = this.locations.savepointDirectory(path, 'savepoint-path');
    // One of SAVEPOINT_DIRS itself holds every savepoint: never deleted as a whole.
    if (this.locations.roots.some((root) => resolveReal(root) === directory)) {
      throw new ValidationError(`Invalid savepoint-path ${JSON.stringify(path.slice(0, 200))}: it is a savepoint root (SAVEPOINT_DIRS), not a savepoint's directory`, [
        { field: 'savepoint-path', problems: ['must be a savepoint directory inside SAVEPOINT_DIRS, not one of them'] },
      ]);
    }
    return { kind: 'directory', directory };
  }

  private async run(target: Target): Promise<void> {
    if (target.kind === 'id') {
      const record = await this.repository.find(target.jobId, target.checkpointId);
      if (!record || !record.isSavepoint || record.status !== 'COMPLETED') throw new Error(`no savepoint at ${SCHEME}${target.jobId}/${target.checkpointId}`);
      await this.store.deleteCheckpoint(record.jobId, record.checkpointId);
      await this.releaseBucket(record.jobId);
      if (record.externalPath) await this.removeDirectory(this.locations.savepointDirectory(record.externalPath, 'savepoint-path')).catch(() => undefined);
      await this.repository.markStatus(record.jobId, record.checkpointId, 'DISPOSED');
      this.logger.log(`disposed savepoint ${SCHEME}${record.jobId}/${record.checkpointId}${record.externalPath ? ` and ${record.externalPath}` : ''}`);
      return;
    }
    const metadata = await this.removeDirectory(target.directory);
    // The savepoint it was written from, when this cluster still has it: its state goes as well.
    const record = metadata ? await this.repository.find(metadata.jobId, metadata.checkpointId).catch(() => undefined) : undefined;
    if (record?.isSavepoint && record.status === 'COMPLETED' && record.externalPath === target.directory) {
      await this.store.deleteCheckpoint(record.jobId, record.checkpointId).catch(() => undefined);
      await this.releaseBucket(record.jobId);
      await this.repository.markStatus(record.jobId, record.checkpointId, 'DISPOSED');
    }
    this.logger.log(`disposed savepoint directory ${target.directory}`);
  }

  /**
   * A job that ended keeps its checkpoint bucket while a retained checkpoint or savepoint is in it
   * (CheckpointCoordinator.releaseEnded): the disposal of the last one deletes it. A job that runs
   * here keeps it whatever is left (its tasks write there); deleting fails nothing (logged).
   */
  private async releaseBucket(jobId: JobId): Promise<void> {
    if (this.jobs.isActive(jobId)) return;
    await this.store.deleteJobBucketIfEmpty(jobId).catch((error: Error) => this.logger.warn(`checkpoint bucket of job ${jobId} could not be deleted: ${error.message}`));
  }

  /** Deletes a savepoint directory (only one with a _metadata.json); returns the ids its metadata names. */
  private async removeDirectory(directory: string): Promise<{ jobId: JobId; checkpointId: CheckpointId } | undefined> {
    const metadataPath = join(directory, '_metadata.json');
    const info = await stat(metadataPath).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`${directory} is not a savepoint directory (it has no _metadata.json)`);
    let ids: { jobId: JobId; checkpointId: CheckpointId } | undefined;
    if (info.size <= MAX_SAVEPOINT_METADATA_BYTES) {
      try {
        const parsed = JSON.parse(await readFile(metadataPath, 'utf8')) as { record?: { jobId?: unknown; checkpointId?: unknown } };
        const { jobId, checkpointId } = parsed.record ?? {};
        if (JobIds.isValid(jobId) && CheckpointIds.isValid(checkpointId)) ids = { jobId, checkpointId };
      } catch {
        // unreadable metadata: the directory is still a savepoint's, and still deleted
      }
    }
    await rm(directory, { recursive: true, force: true });
    return ids;
  }
}

function resolveReal(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
