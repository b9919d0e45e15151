// A fresh, uniquely named database on the test Postgres (RUNNEL_TEST_DATABASE_URL, an admin URL
// whose user may CREATE DATABASE; default the local server on 5432).

import { randomBytes } from 'node:crypto';
import { createDatabase, databaseUrlFor, dropDatabase } from '@runnel/tools';

export const TEST_ADMIN_URL =
  process.env['RUNNEL_TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  /** URL of the new database, for a service's DATABASE_URL. */
  readonly url: string;
  readonly adminUrl: string;
  /** Terminates its sessions and drops it. */
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'runnel_e2e', adminUrl: string = TEST_ADMIN_URL): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await createDatabase(adminUrl, name);
  return { name, url: databaseUrlFor(adminUrl, name), adminUrl, drop: () => dropDatabase(adminUrl, name) };
}
