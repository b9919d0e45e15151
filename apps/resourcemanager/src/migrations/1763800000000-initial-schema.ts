/** The ResourceManager's first schema: TaskManagers, their slots, and the job store. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_managers (
        resource_id varchar(128) PRIMARY KEY,
        registration_id uuid NOT NULL,
        resource_manager_id varchar(64) NOT NULL,
        address varchar(512) NOT NULL,
        hostname varchar(255) NOT NULL,
        pid int NOT NULL,
        slots_number int NOT NULL CHECK (slots_number > 0),
        cpu_cores int NOT NULL,
        physical_memory double precision NOT NULL,
        version varchar(64) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('REGISTERED', 'LOST', 'DISCONNECTED')),
        registered_at timestamptz NOT NULL,
        last_heartbeat timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX task_managers_status_heartbeat ON task_managers (status, last_heartbeat)`);
    await q.query(`
      CREATE TABLE slots (
        resource_id varchar(128) NOT NULL REFERENCES task_managers (resource_id) ON DELETE CASCADE,
        slot_index int NOT NULL CHECK (slot_index >= 0),
        allocation_id char(32) UNIQUE,
        job_id char(32),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (resource_id, slot_index)
      )`);
    await q.query(`
      CREATE TABLE jobs (
        job_id char(32) PRIMARY KEY,
        name varchar(255) NOT NULL,
        status varchar(16) NOT NULL,
        artifact_hash char(64),
        job_graph jsonb,
        job_graph_hash char(64),
        parallelism int,
        program_args jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX "IDX_jobs_status" ON jobs (status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs`);
    await q.query(`DROP TABLE slots`);
    await q.query(`DROP TABLE task_managers`);
  }
}
