/**
 * The environment a slot's worker gets (a thread's `env`, a process's): the TaskManager's, minus
 * what would let job code act as the cluster — NATS settings and credentials (`NATS_*`, also the
 * `TM_NATS_*` a process provider passes on), Postgres (`DATABASE_URL`, `PG*`), REST tokens and
 * their files, TLS keys, and any variable whose name says it holds a secret.
 */
const DROPPED: readonly RegExp[] = [
  /^(TM_)?NATS_/,
  /^DATABASE_/,
  /^PG/,
  /^REST_AUTH_TOKEN/,
  /^REST_READ_TOKENS$/,
  /^RUNNEL_TOKEN$/,
  /^RUNNEL_CA$/,
  /^HTTP_TLS_/,
  /(PASSWORD|PASSWD|SECRET|TOKEN|TOKENS|CREDENTIALS?|CREDS|_KEY|_SEED|_SEED_FILE|_KEY_FILE)$/i,
];

export function isSecretEnvName(name: string): boolean {
  return DROPPED.some((pattern) => pattern.test(name));
}

export function slotWorkerEnv(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !isSecretEnvName(name)) out[name] = value;
  return out;
}
