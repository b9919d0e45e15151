/** The JobManager's checkpoint metadata. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class Checkpoints1763900000000 implements MigrationInterface {
  name = 'Checkpoints1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE checkpoints (
        job_id char(32) NOT NULL,
        checkpoint_id int NOT NULL,
        attempt int NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('COMPLETED', 'FAILED', 'SUBSUMED', 'CORRUPT')),
        is_savepoint boolean NOT NULL DEFAULT false,
        trigger_timestamp double precision NOT NULL,
        completed_timestamp double precision,
        state_size double precision NOT NULL DEFAULT 0,
        handles jsonb NOT NULL DEFAULT '[]',
        parallelism jsonb NOT NULL DEFAULT '{}',
        operators jsonb NOT NULL DEFAULT '{}',
        failure_reason text,
        external_path text,
        PRIMARY KEY (job_id, checkpoint_id)
      )`);
    await q.query(`CREATE INDEX checkpoints_savepoints ON checkpoints (is_savepoint) WHERE is_savepoint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE checkpoints`);
  }
}
