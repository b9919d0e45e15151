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
import { ARTIFACT_BUCKET, CheckpointBuckets, DATA_STREAM_PREFIX, DataNames, LEGACY_CHECKPOINT_BUCKET } from '../data/data-names';
import { JobId, JobIds } from '../ids/ids';

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
  /** The job's data stream (all its attempts). */
  stream(jobId: JobId): string;
  /** Every data subject of the job: the stream's subjects. */
  streamSubjects(jobId: JobId): string;
  /** Every data subject of one attempt of the job. */
  attemptSubjects(jobId: JobId, attempt: number): string;
  subject(jobId: JobId, attempt: number, edgeIndex: number, partition: number): string;
  credit(jobId: JobId, attempt: number, edgeIndex: number, sourceSubtask: number): string;
  consumer(attempt: number, edgeIndex: number, partition: number): string;
  /** The job whose data stream `streamName` is, when it is one of this cluster's data streams. */
  jobOf(streamName: string): JobId | undefined;
  /** The attempt a consumer of a data stream belongs to, when `consumerName` is one of this cluster's data consumers. */
  attemptOfConsumer(consumerName: string): number | undefined;
  /** The attempt a data subject of the job belongs to (its token after the job id), when it is one of this cluster's. */
  attemptOfSubject(subject: string, jobId: JobId): number | undefined;
  /**
   * The job of a data stream of this cluster in the former layout, one stream per attempt
   * (`runnel-data-<job>-<attempt>`, subjects `…data.<job>.<attempt>.>`), left by a JobManager of
   * before per-job streams. Its subjects overlap the job's stream's, which NATS refuses to create
   * while it exists. Told by name and subjects both: `runnel-data-<job>-5` is also the name of
   * cluster `5`'s stream of the job, whose subjects are `runnel.5.data.<job>.>`.
   */
  legacyJobOf(streamName: string, subjects: readonly string[] | undefined): JobId | undefined;
}

const CONSUMER_NAME = /^a(\d+)-e\d+-p\d+$/;

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
      stream: (jobId) => this.jetStreamName(DataNames.stream(jobId)),
      streamSubjects: (jobId) => this.subject(DataNames.streamSubjects(jobId)),
      attemptSubjects: (jobId, attempt) => this.subject(DataNames.attemptSubjects(jobId, attempt)),
      subject: (jobId, attempt, edgeIndex, partition) => this.subject(DataNames.subject(jobId, attempt, edgeIndex, partition)),
      credit: (jobId, attempt, edgeIndex, source) => this.subject(DataNames.credit(jobId, attempt, edgeIndex, source)),
      consumer: (attempt, edgeIndex, partition) => this.jetStreamName(DataNames.consumer(attempt, edgeIndex, partition)),
      // A job id is exactly 32 hex digits, so `runnel-data-<job>` (default) and `runnel-data-<job>-<id>`
      // cannot be mistaken for each other's, whatever the cluster id.
      jobOf: (streamName) => {
        const jobId = this.withoutSuffix(streamName)?.slice(DATA_STREAM_PREFIX.length);
        return streamName.startsWith(DATA_STREAM_PREFIX) && JobIds.isValid(jobId) ? jobId : undefined;
      },
      attemptOfConsumer: (consumerName) => {
        const match = CONSUMER_NAME.exec(this.withoutSuffix(consumerName) ?? '');
        return match ? Number(match[1]) : undefined;
      },
      legacyJobOf: (streamName, subjects) => {
        const match = /^([0-9a-f]{32})-(\d+)$/.exec(this.withoutSuffix(streamName)?.slice(DATA_STREAM_PREFIX.length) ?? '');
        if (!streamName.startsWith(DATA_STREAM_PREFIX) || !match || !JobIds.isValid(match[1])) return undefined;
        const jobId = match[1];
        const former = this.subject(DataNames.attemptSubjects(jobId, Number(match[2])));
        return subjects?.length === 1 && subjects[0] === former ? jobId : undefined;
      },
      attemptOfSubject: (subject, jobId) => {
        const prefix = this.subject(DataNames.streamSubjects(jobId)).slice(0, -1);
        if (!subject.startsWith(prefix)) return undefined;
        const token = subject.slice(prefix.length).split('.', 1)[0];
        return /^\d+$/.test(token) ? Number(token) : undefined;
      },
    };
  }

  /** `<name>-<id>` → `<name>` (the default cluster: the name itself); undefined when `name` is not in this namespace. */
  private withoutSuffix(name: string): string | undefined {
    const suffix = this.jetStreamName('');
    return name.endsWith(suffix) ? name.slice(0, name.length - suffix.length) : undefined;
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
