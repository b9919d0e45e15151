/** Checkpoint metadata in Postgres, behind an interface so the coordinator is unit-tested without it. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CheckpointEntity, CheckpointStatus, StoredHandle } from './checkpoint.entity';

export interface CheckpointRecord {
  readonly jobId: string;
  readonly checkpointId: number;
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
  markStatus(jobId: string, checkpointId: number, status: CheckpointStatus): Promise<void>;
  /** Completed checkpoints of a job, newest first. */
  completed(jobId: string): Promise<CheckpointRecord[]>;
  find(jobId: string, checkpointId: number): Promise<CheckpointRecord | undefined>;
  savepoints(): Promise<CheckpointRecord[]>;
  setExternalPath(jobId: string, checkpointId: number, path: string): Promise<void>;
}

@Injectable()
export class TypeOrmCheckpointRepository implements CheckpointRepository {
  constructor(@InjectRepository(CheckpointEntity) private readonly checkpoints: Repository<CheckpointEntity>) {}

  async save(record: CheckpointRecord): Promise<void> {
    await this.checkpoints.upsert({ ...record }, { conflictPaths: ['jobId', 'checkpointId'] });
  }

  async markStatus(jobId: string, checkpointId: number, status: CheckpointStatus): Promise<void> {
    await this.checkpoints.update({ jobId, checkpointId }, { status });
  }

  async completed(jobId: string): Promise<CheckpointRecord[]> {
    const rows = await this.checkpoints.find({ where: { jobId, status: 'COMPLETED' }, order: { checkpointId: 'DESC' } });
    return rows.map(toRecord);
  }

  async find(jobId: string, checkpointId: number): Promise<CheckpointRecord | undefined> {
    const row = await this.checkpoints.findOne({ where: { jobId, checkpointId } });
    return row ? toRecord(row) : undefined;
  }

  async savepoints(): Promise<CheckpointRecord[]> {
    return (await this.checkpoints.find({ where: { isSavepoint: true, status: 'COMPLETED' }, order: { triggerTimestamp: 'DESC' } })).map(toRecord);
  }

  async setExternalPath(jobId: string, checkpointId: number, externalPath: string): Promise<void> {
    await this.checkpoints.update({ jobId, checkpointId }, { externalPath });
  }
}

function toRecord(r: CheckpointEntity): CheckpointRecord {
  return {
    ...r,
    triggerTimestamp: Number(r.triggerTimestamp),
    completedTimestamp: r.completedTimestamp === null ? null : Number(r.completedTimestamp),
    stateSize: Number(r.stateSize),
  };
}
