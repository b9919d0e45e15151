// Creates and drops databases on a Postgres server, given an admin URL (any database the user
// may connect to, usually `postgres`). Names are quoted identifiers, so any name is safe.

import { Client } from 'pg';
import { DatabaseAdminError } from './infra.errors';

/** `adminUrl` with its database replaced by `name` (user, password, host, port and query kept). */
export function databaseUrlFor(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The database name a URL points at (`postgres` when it names none, as libpq defaults to the user). */
export function databaseNameOf(url: string): string {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return name || decodeURIComponent(parsed.username) || 'postgres';
}

async function withAdmin<T>(adminUrl: string, what: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await run(client);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseAdminError(`${what} failed on ${redact(adminUrl)}: ${reason}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withAdmin(adminUrl, `looking up database "${name}"`, async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  });
}

/** CREATE DATABASE; fails when it exists (see ensureDatabase). */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withAdmin(adminUrl, `creating database "${name}"`, (client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`),
  );
  return databaseUrlFor(adminUrl, name);
}

/** Creates the database unless it exists; returns its URL. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!(await databaseExists(adminUrl, name))) {
    try {
      await createDatabase(adminUrl, name);
    } catch (error) {
      // Someone else created it in between: that is what we wanted.
      if (!(await databaseExists(adminUrl, name))) throw error;
    }
  }
  return databaseUrlFor(adminUrl, name);
}

/** Terminates the database's sessions, then drops it; no error when it does not exist. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, `dropping database "${name}"`, async (client) => {
    // A service that is still shutting down may hold connections; DROP would then fail.
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}
