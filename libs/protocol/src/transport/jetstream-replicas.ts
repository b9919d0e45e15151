/**
 * How many copies JetStream keeps of every stream, KV bucket and object store Runnel creates
 * (the leader-election KV, the per-job data streams, the artifact and checkpoint object stores).
 * Set by the operator with JETSTREAM_REPLICAS: 1 on a single nats-server (the default; a
 * non-clustered server refuses more), 3 on a 3-node cluster, so that losing one node loses nothing
 * and JetStream elects a new leader per stream instead of the stream going away.
 *
 * It applies when a bucket or stream is created; one that exists already keeps its replica count
 * (change it with `nats stream edit`).
 */

export const JETSTREAM_REPLICAS_ENV = 'JETSTREAM_REPLICAS';
export const DEFAULT_JETSTREAM_REPLICAS = 1;
/** JetStream's own limit. */
export const MAX_JETSTREAM_REPLICAS = 5;

export class InvalidJetStreamReplicasError extends Error {
  readonly code = 'VALIDATION_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJetStreamReplicasError';
  }
}

/** What is wrong with a replica count (undefined: usable). */
export function jetStreamReplicasProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_JETSTREAM_REPLICAS) {
    return `${JETSTREAM_REPLICAS_ENV} must be a whole number from 1 to ${MAX_JETSTREAM_REPLICAS}, not ${JSON.stringify(value)}`;
  }
  return undefined;
}

/**
 * JETSTREAM_REPLICAS of `env` (default 1 when unset or empty). For the processes and threads that
 * have no settings of their own (slot workers, the client, the CLI); services validate it as a setting.
 */
export function jetStreamReplicasFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[JETSTREAM_REPLICAS_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_JETSTREAM_REPLICAS;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  const problem = jetStreamReplicasProblem(value);
  if (problem) throw new InvalidJetStreamReplicasError(problem.replace(/not .*$/, `not ${JSON.stringify(raw)}`));
  return value;
}
