/**
 * DISCARDED: a cancelled job's retained checkpoint, deleted because it did not ask to keep it
 * (RETAIN_ON_CANCELLATION). DISPOSED (a disposed savepoint, added by the migration before this one
 * on the views branch) is allowed too, so the order of the two migrations does not matter.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CheckpointDiscarded1765100000000 implements MigrationInterface {
  name = 'CheckpointDiscarded1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checkpoints DROP CONSTRAINT IF EXISTS checkpoints_status_check`);
    await q.query(`ALTER TABLE checkpoints ADD CONSTRAINT checkpoints_status_check CHECK (status IN ('COMPLETED', 'FAILED', 'SUBSUMED', 'CORRUPT', 'DISPOSED', 'DISCARDED'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE checkpoints SET status = 'SUBSUMED' WHERE status = 'DISCARDED'`);
    await q.query(`ALTER TABLE checkpoints DROP CONSTRAINT IF EXISTS checkpoints_status_check`);
    await q.query(`ALTER TABLE checkpoints ADD CONSTRAINT checkpoints_status_check CHECK (status IN ('COMPLETED', 'FAILED', 'SUBSUMED', 'CORRUPT', 'DISPOSED'))`);
  }
}
