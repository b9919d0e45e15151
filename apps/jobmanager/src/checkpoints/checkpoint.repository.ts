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
  readonly failureReason: string | null;
}

export interface CheckpointRepository {
  save(record: CheckpointRecord): Promise<void>;
  markStatus(jobId: string, checkpointId: number, status: CheckpointStatus): Promise<void>;
  /** Completed checkpoints of a job, newest first. */
  completed(jobId: string): Promise<CheckpointRecord[]>;
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
    return rows.map((r) => ({ ...r, triggerTimestamp: Number(r.triggerTimestamp), completedTimestamp: r.completedTimestamp === null ? null : Number(r.completedTimestamp), stateSize: Number(r.stateSize) }));
  }
}
