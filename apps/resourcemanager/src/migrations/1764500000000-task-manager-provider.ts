/** Who started a TaskManager (its resource provider) and, for a per-job TaskManager, its job. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class TaskManagerProvider1764500000000 implements MigrationInterface {
  name = 'TaskManagerProvider1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_managers ADD COLUMN provider varchar(16) NOT NULL DEFAULT 'standalone'`);
    await q.query(`ALTER TABLE task_managers ADD COLUMN dedicated_to char(32)`);
    // Allocation filters on the live registrations of the current ResourceManager leader.
    await q.query(`CREATE INDEX task_managers_leader ON task_managers (resource_manager_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_managers_leader`);
    await q.query(`ALTER TABLE task_managers DROP COLUMN dedicated_to`);
    await q.query(`ALTER TABLE task_managers DROP COLUMN provider`);
  }
}
