/** The job store (table jobs): what the cluster knows of each submitted job. Filled by the runtime. */
import { JobStatus } from '@runnel/protocol';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export { JobStatuses } from '@runnel/protocol';

@Entity({ name: 'jobs' })
export class JobEntity {
  @PrimaryColumn({ name: 'job_id', type: 'char', length: 32 }) jobId!: string;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Index() @Column({ type: 'varchar', length: 16 }) status!: JobStatus;
  @Column({ name: 'artifact_hash', type: 'char', length: 64, nullable: true }) artifactHash!: string | null;
  @Column({ name: 'job_graph', type: 'jsonb', nullable: true }) jobGraph!: unknown;
  /** What TaskManagers compare the graph they rebuild with; a recovering JobManager resubmits it. */
  @Column({ name: 'job_graph_hash', type: 'char', length: 64, nullable: true }) jobGraphHash!: string | null;
  @Column({ type: 'int', nullable: true }) parallelism!: number | null;
  @Column({ name: 'program_args', type: 'jsonb', nullable: true }) programArgs!: string[] | null;
  /** `per-job` when it runs on TaskManagers of its own; null for a session job. */
  @Column({ type: 'varchar', length: 16, nullable: true }) target!: string | null;
  /** The savepoint the job started from: a recovery without a checkpoint of its own starts from it again. */
  @Column({ name: 'savepoint_path', type: 'varchar', length: 4096, nullable: true }) savepointPath!: string | null;
  @Column({ name: 'allow_non_restored_state', type: 'boolean', nullable: true }) allowNonRestoredState!: boolean | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
}
