/** Checkpoint metadata in Postgres, behind an interface so the coordinator is unit-tested without it. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CheckpointId, CheckpointIds, JobId, JobIds } from '@runnel/protocol';
import { CheckpointEntity, CheckpointStatus, StoredHandle } from './checkpoint.entity';

export interface CheckpointRecord {
  readonly jobId: JobId;
  readonly checkpointId: CheckpointId;
  readonly attempt: number;
  readonly status: CheckpointStatus;
  readonly isSavepoint: boolean;
  readonly triggerTimestamp: number;
  readonly completedTimestamp: number | null;
  readonly stateSize: number;
  readonly handles: StoredHandle[];
  readonly parallelism: Record<string, number>;
  readonly operators: Record<string, string[]>;
  readonly failureReason: string | null;
  readonly externalPath: string | null;
}

export interface CheckpointRepository {
  save(record: CheckpointRecord): Promise<void>;
  markStatus(jobId: JobId, checkpointId: CheckpointId, status: CheckpointStatus): Promise<void>;
  /** Completed checkpoints of a job, newest first. */
  completed(jobId: JobId): Promise<CheckpointRecord[]>;
  find(jobId: JobId, checkpointId: CheckpointId): Promise<CheckpointRecord | undefined>;
  savepoints(): Promise<CheckpointRecord[]>;
  setExternalPath(jobId: JobId, checkpointId: CheckpointId, path: string): Promise<void>;
}

@Injectable()
export class TypeOrmCheckpointRepository implements CheckpointRepository {
  constructor(@InjectRepository(CheckpointEntity) private readonly checkpoints: Repository<CheckpointEntity>) {}

  async save(record: CheckpointRecord): Promise<void> {
    await this.checkpoints.upsert({ ...record }, { conflictPaths: ['jobId', 'checkpointId'] });
  }

  async markStatus(jobId: JobId, checkpointId: CheckpointId, status: CheckpointStatus): Promise<void> {
    await this.checkpoints.update({ jobId, checkpointId }, { status });
  }

  async completed(jobId: JobId): Promise<CheckpointRecord[]> {
    const rows = await this.checkpoints.find({ where: { jobId, status: 'COMPLETED' }, order: { checkpointId: 'DESC' } });
    return rows.map(toRecord);
  }

  async find(jobId: JobId, checkpointId: CheckpointId): Promise<CheckpointRecord | undefined> {
    const row = await this.checkpoints.findOne({ where: { jobId, checkpointId } });
    return row ? toRecord(row) : undefined;
  }

  async savepoints(): Promise<CheckpointRecord[]> {
    return (await this.checkpoints.find({ where: { isSavepoint: true, status: 'COMPLETED' }, order: { triggerTimestamp: 'DESC' } })).map(toRecord);
  }

  async setExternalPath(jobId: JobId, checkpointId: CheckpointId, externalPath: string): Promise<void> {
    await this.checkpoints.update({ jobId, checkpointId }, { externalPath });
  }
}

function toRecord(r: CheckpointEntity): CheckpointRecord {
  // Rows are read back from the database, not trusted as ids: parsed here, once.
  return {
    ...r,
    jobId: JobIds.parse(r.jobId),
    checkpointId: CheckpointIds.parse(r.checkpointId),
    triggerTimestamp: Number(r.triggerTimestamp),
    completedTimestamp: r.completedTimestamp === null ? null : Number(r.completedTimestamp),
    stateSize: Number(r.stateSize),
  };
}
