/**
 * A cluster's namespace in the NATS and Postgres it shares with other clusters (Flink's
 * `high-availability.cluster-id`). Every name a cluster puts there goes through one of these:
 *
 * - control subjects: `runnel.<service>.<verb>` becomes `runnel.<id>.<service>.<verb>` (data and
 *   credit subjects alike: `runnel.<id>.data.…`); applied by the transport (NatsRpcClient and
 *   RunnelNatsServer), so the subject tables stay as they are;
 * - JetStream names (streams, consumers, KV and Object Store buckets) get `-<id>` appended;
 * - the default Postgres database `runnel` becomes `runnel_<id>`.
 *
 * With the default id, `default`, every name is exactly what it was before cluster ids existed,
 * so a cluster that does not set one sees and is seen by nothing new.
 *
 * A service builds its namespace once from its settings at bootstrap and passes it on (Nest DI,
 * worker data); nothing here is global or mutable.
 */
import { ARTIFACT_BUCKET, CheckpointBuckets, DataNames, LEGACY_CHECKPOINT_BUCKET } from '../data/data-names';
import { JobId } from '../ids/ids';

export const DEFAULT_CLUSTER_ID = 'default';

/** Lower-case letters, digits, `_` and `-`, starting with a letter or digit; at most 32. */
export const CLUSTER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * Ids that are the second token of the default cluster's subjects: `runnel.taskmanager.<id>.info`
 * of a cluster named `taskmanager` would be a default-cluster TaskManager's subject.
 */
export const RESERVED_CLUSTER_IDS: readonly string[] = ['dispatcher', 'jobmanager', 'resourcemanager', 'taskmanager', 'data', 'credit'];

export class InvalidClusterIdError extends Error {
  readonly code = 'INVALID_CLUSTER_ID';
  constructor(value: unknown, reason: string) {
    super(`Invalid cluster id ${JSON.stringify(value)}: ${reason}`);
    this.name = 'InvalidClusterIdError';
  }
}

/** Why `value` is not a valid cluster id, or undefined when it is one. */
export function clusterIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !CLUSTER_ID_PATTERN.test(value)) {
    return 'expected 1 to 32 lower-case letters, digits, "_" or "-", starting with a letter or digit';
  }
  if (RESERVED_CLUSTER_IDS.includes(value)) {
    return `it is reserved: ${RESERVED_CLUSTER_IDS.join(', ')} are parts of the default cluster's subjects`;
  }
  return undefined;
}

/** DataNames (libs/protocol/src/data/data-names.ts) of one cluster. */
export interface ClusterDataNames {
  stream(jobId: JobId, attempt: number): string;
  streamSubjects(jobId: JobId, attempt: number): string;
  subject(jobId: JobId, attempt: number, edgeIndex: number, partition: number): string;
  credit(jobId: JobId, attempt: number, edgeIndex: number, sourceSubtask: number): string;
  consumer(edgeIndex: number, partition: number): string;
  /** The attempt whose data stream `streamName` is, when it is one of this cluster's streams of the job. */
  attemptOf(streamName: string, jobId: JobId): number | undefined;
}

const RUNNEL_PREFIX = 'runnel.';

export class ClusterNamespace {
  static readonly DEFAULT = new ClusterNamespace(DEFAULT_CLUSTER_ID);

  /** The namespace of a cluster id (the default one when absent); an invalid id throws InvalidClusterIdError. */
  static of(id: string | undefined = DEFAULT_CLUSTER_ID): ClusterNamespace {
    if (id === DEFAULT_CLUSTER_ID) return ClusterNamespace.DEFAULT;
    const problem = clusterIdProblem(id);
    if (problem) throw new InvalidClusterIdError(id, problem);
    return new ClusterNamespace(id);
  }

  /** This cluster's record-exchange names. */
  readonly data: ClusterDataNames;

  private constructor(readonly id: string) {
    this.data = {
      stream: (jobId, attempt) => this.jetStreamName(DataNames.stream(jobId, attempt)),
      streamSubjects: (jobId, attempt) => this.subject(DataNames.streamSubjects(jobId, attempt)),
      subject: (jobId, attempt, edgeIndex, partition) => this.subject(DataNames.subject(jobId, attempt, edgeIndex, partition)),
      credit: (jobId, attempt, edgeIndex, source) => this.subject(DataNames.credit(jobId, attempt, edgeIndex, source)),
      consumer: (edgeIndex, partition) => this.jetStreamName(DataNames.consumer(edgeIndex, partition)),
      attemptOf: (streamName, jobId) => {
        const prefix = DataNames.stream(jobId, 0).replace(/0$/, '');
        const suffix = this.jetStreamName('');
        if (!streamName.startsWith(prefix) || !streamName.endsWith(suffix)) return undefined;
        const attempt = streamName.slice(prefix.length, streamName.length - suffix.length);
        return /^\d+$/.test(attempt) ? Number(attempt) : undefined;
      },
    };
  }

  get isDefault(): boolean {
    return this.id === DEFAULT_CLUSTER_ID;
  }

  /** `runnel.x.y` → `runnel.<id>.x.y` (another subject `s` → `runnel.<id>.s`); unchanged for the default cluster. */
  subject(subject: string): string {
    if (this.isDefault) return subject;
    const rest = subject.startsWith(RUNNEL_PREFIX) ? subject.slice(RUNNEL_PREFIX.length) : subject;
    return `${RUNNEL_PREFIX}${this.id}.${rest}`;
  }

  subjects(subjects: readonly string[]): string[] {
    return subjects.map((s) => this.subject(s));
  }

  /** A stream, consumer or bucket name: `<name>-<id>`; unchanged for the default cluster. */
  jetStreamName(name: string): string {
    return this.isDefault ? name : `${name}-${this.id}`;
  }

  jetStreamNames(names: readonly string[]): string[] {
    return names.map((n) => this.jetStreamName(n));
  }

  /** The Postgres database used when DATABASE_URL is not given: `runnel`, or `runnel_<id>`. */
  databaseName(base = 'runnel'): string {
    return this.isDefault ? base : `${base}_${this.id}`;
  }

  /** JetStream Object Store bucket of job artifacts. */
  get artifactBucket(): string {
    return this.jetStreamName(ARTIFACT_BUCKET);
  }

  /** JetStream Object Store bucket of one job's checkpoint state: `runnel-chk-<job>` (`-<id>` appended). */
  checkpointBucketOf(jobId: JobId): string {
    return this.jetStreamName(CheckpointBuckets.of(jobId));
  }

  /** The shared checkpoint bucket of older versions: read as a fallback, never written or created. */
  get legacyCheckpointBucket(): string {
    return this.jetStreamName(LEGACY_CHECKPOINT_BUCKET);
  }

  toString(): string {
    return this.id;
  }
}
