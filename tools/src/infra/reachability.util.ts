// Cheap "is it there and usable?" probes for NATS (with JetStream) and Postgres. They never
// throw: a false answer means "start or fix it", which is what callers decide on.

import { natsConnectOptions, natsCredentialsFromEnv, natsServers, type NatsCredentials } from '@runnel/protocol/nats-connect-options';
import { connect } from 'nats';
import { Client } from 'pg';

/**
 * True when a NATS server answers at `url` and has JetStream enabled for our account, connecting
 * with `credentials` (default: the NATS_* variables of this process).
 */
export async function isNatsReachable(url: string, timeoutMs = 1500, credentials: NatsCredentials = natsCredentialsFromEnv(process.env)): Promise<boolean> {
  let nc: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    nc = await connect({ ...natsConnectOptions(credentials), servers: natsServers(url), timeout: timeoutMs, reconnect: false, maxReconnectAttempts: 0 });
    const jsm = await nc.jetstreamManager({ timeout: timeoutMs });
    await jsm.getAccountInfo();
    return true;
  } catch {
    return false;
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

/** True when Postgres at `url` accepts a connection and answers a query. */
export async function isPostgresReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // An error after connect (server going away) must not crash the caller.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
