/**
 * Runs a service's migrations under a Postgres advisory lock, so two instances of a service that
 * start together (a leader and its standby) do not race to create the same tables: the second
 * waits, then finds nothing left to do.
 */
import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { ClusterNamespace } from '@runnel/protocol';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

export const MIGRATION_LOCK_NAME = Symbol('MIGRATION_LOCK_NAME');

/** A stable 63-bit lock key derived from a name (pg_advisory_lock takes a bigint). */
export function advisoryLockKey(name: string): string {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 16)}`)).toString();
}

export async function runMigrationsExclusively(dataSource: DataSource, lockName: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = advisoryLockKey(lockName);
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    await runner.release();
  }
}

@Injectable()
export class MigrationsRunner implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MIGRATION_LOCK_NAME) private readonly lockName: string,
    @Optional() private readonly namespace: ClusterNamespace = ClusterNamespace.DEFAULT,
  ) {}

  async onModuleInit(): Promise<void> {
    // `runnel.<service>.migrations` becomes `runnel.<id>.<service>.migrations` for another cluster.
    const applied = await runMigrationsExclusively(this.dataSource, this.namespace.subject(this.lockName));
    if (applied.length) this.logger.log(`applied migrations: ${applied.join(', ')}`);
  }
}
