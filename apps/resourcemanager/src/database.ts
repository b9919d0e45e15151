/**
 * The ResourceManager's Postgres: its TypeORM options (migrations, never `synchronize`).
 */
import { DataSourceOptions } from 'typeorm';
import { JobEntity } from './jobs/job.entity';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema';
import { TaskManagerProvider1764500000000 } from './migrations/1764500000000-task-manager-provider';
import { JobTarget1764600000000 } from './migrations/1764600000000-job-target';
import { JobSavepoint1764700000000 } from './migrations/1764700000000-job-savepoint';
import { SlotEntity } from './registry/slot.entity';
import { TaskManagerEntity } from './registry/task-manager.entity';

export const ENTITIES = [TaskManagerEntity, SlotEntity, JobEntity];
export const MIGRATIONS = [InitialSchema1763800000000, TaskManagerProvider1764500000000, JobTarget1764600000000, JobSavepoint1764700000000];

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Run by MigrationsRunner under an advisory lock, not by TypeORM at connect (instances race).
    migrationsRun: false,
    migrationsTableName: 'runnel_resourcemanager_migrations',
    synchronize: false,
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}
