/** The job store keeps the savepoint a job started from, so a recovering JobManager starts from it too. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobSavepoint1764700000000 implements MigrationInterface {
  name = 'JobSavepoint1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD COLUMN savepoint_path varchar(4096)`);
    await q.query(`ALTER TABLE jobs ADD COLUMN allow_non_restored_state boolean`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs DROP COLUMN allow_non_restored_state`);
    await q.query(`ALTER TABLE jobs DROP COLUMN savepoint_path`);
  }
}
