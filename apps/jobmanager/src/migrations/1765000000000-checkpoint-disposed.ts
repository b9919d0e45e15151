/** A savepoint can be disposed (POST /savepoint-disposal): its row stays, with status DISPOSED. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CheckpointDisposed1765000000000 implements MigrationInterface {
  name = 'CheckpointDisposed1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checkpoints DROP CONSTRAINT IF EXISTS checkpoints_status_check`);
    await q.query(`ALTER TABLE checkpoints ADD CONSTRAINT checkpoints_status_check CHECK (status IN ('COMPLETED', 'FAILED', 'SUBSUMED', 'CORRUPT', 'DISPOSED'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM checkpoints WHERE status = 'DISPOSED'`);
    await q.query(`ALTER TABLE checkpoints DROP CONSTRAINT IF EXISTS checkpoints_status_check`);
    await q.query(`ALTER TABLE checkpoints ADD CONSTRAINT checkpoints_status_check CHECK (status IN ('COMPLETED', 'FAILED', 'SUBSUMED', 'CORRUPT'))`);
  }
}
