/** Checkpoint metadata (owned by the JobManager; table checkpoints). */
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const CheckpointStatuses = { Completed: 'COMPLETED', Failed: 'FAILED', Subsumed: 'SUBSUMED', Corrupt: 'CORRUPT', Disposed: 'DISPOSED', Discarded: 'DISCARDED' } as const;
export type CheckpointStatus = (typeof CheckpointStatuses)[keyof typeof CheckpointStatuses];

export interface StoredHandle {
  vertexId: string;
  subtaskIndex: number;
  handle: string;
  checksum: string;
  size: number;
}

@Entity({ name: 'checkpoints' })
export class CheckpointEntity {
  @PrimaryColumn({ name: 'job_id', type: 'char', length: 32 }) jobId!: string;
  @PrimaryColumn({ name: 'checkpoint_id', type: 'int' }) checkpointId!: number;
  @Column({ type: 'int' }) attempt!: number;
  @Column({ type: 'varchar', length: 16 }) status!: CheckpointStatus;
  @Column({ name: 'is_savepoint', type: 'boolean', default: false }) isSavepoint!: boolean;
  @Column({ name: 'trigger_timestamp', type: 'double precision' }) triggerTimestamp!: number;
  @Column({ name: 'completed_timestamp', type: 'double precision', nullable: true }) completedTimestamp!: number | null;
  @Column({ name: 'state_size', type: 'double precision', default: 0 }) stateSize!: number;
  @Column({ type: 'jsonb', default: () => "'[]'" }) handles!: StoredHandle[];
  /** Parallelism of each vertex when the checkpoint was taken (for rescaling on restore). */
  @Column({ type: 'jsonb', default: () => "'{}'" }) parallelism!: Record<string, number>;
  /** Operator uids of each vertex (so a savepoint maps onto a changed job by uid). */
  @Column({ type: 'jsonb', default: () => "'{}'" }) operators!: Record<string, string[]>;
  @Column({ name: 'failure_reason', type: 'text', nullable: true }) failureReason!: string | null;
  /** Where a savepoint was also written (a directory), if anywhere. */
  @Column({ name: 'external_path', type: 'text', nullable: true }) externalPath!: string | null;
}
