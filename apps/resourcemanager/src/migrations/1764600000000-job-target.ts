/** The job store keeps a job's deployment target, so a recovering JobManager runs it where it ran. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobTarget1764600000000 implements MigrationInterface {
  name = 'JobTarget1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD COLUMN target varchar(16)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs DROP COLUMN target`);
  }
}
