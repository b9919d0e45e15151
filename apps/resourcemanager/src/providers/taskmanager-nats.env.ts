/**
 * The NATS identity of the TaskManagers the `process` provider starts: `TM_NATS_USER`,
 * `TM_NATS_PASSWORD`, `TM_NATS_TOKEN`, `TM_NATS_NKEY_SEED_FILE`, `TM_NATS_CREDS`, `TM_NATS_TLS_*`
 * on the ResourceManager become the TaskManager's `NATS_*` (so a TaskManager does not run with the
 * ResourceManager's own credentials). Without any TM_NATS_* they inherit the ResourceManager's.
 */
import { hasNatsCredentials, natsCredentialsFromEnv, natsCredentialsToEnv } from '@runnel/protocol';

export function taskManagerNatsEnv(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string | undefined> {
  const own = natsCredentialsFromEnv(env, 'TM_');
  if (!hasNatsCredentials(own)) return {};
  // Their own NATS_* (unset ones removed, not inherited), and not the TM_ copies.
  const removed = Object.fromEntries(Object.keys(natsCredentialsToEnv({}, 'TM_')).map((key) => [key, undefined]));
  return { ...natsCredentialsToEnv(own), ...removed };
}
