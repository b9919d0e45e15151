/**
 * Names in NATS for artifacts and record exchange, defined once. A job has one data stream for all
 * its attempts: a per-job NATS credential can then name it (wildcards match whole tokens, and the
 * JetStream API subjects carry the stream name as one token, `$JS.API.CONSUMER.*.<stream>.*`), which
 * a stream per attempt would not allow. Attempts are kept apart by subject (the attempt is a token
 * of every data subject) and by consumer (its name carries the attempt), so a restart never reads
 * the previous attempt's in-flight data: that attempt's consumers are deleted and its subjects
 * purged when it is released (jobmanager's jetstream-data-stream.admin.ts). These are the default
 * cluster's names; services use `ClusterNamespace.data` (cluster/cluster-namespace.ts), which puts
 * them in the namespace of their CLUSTER_ID.
 */
import type { CheckpointId, JobId } from '../ids/ids';
import { encodeStateName } from '../paths/state-name.codec';

/** JetStream Object Store bucket of job artifacts, keyed by sha256. */
export const ARTIFACT_BUCKET = 'runnel-artifacts';

/**
 * The shared Object Store bucket older versions kept every job's checkpoint state in. Only read
 * now (the fallback of CheckpointStore.read), never written or created: state is in one bucket
 * per job (CHECKPOINT_BUCKET_PREFIX).
 */
export const LEGACY_CHECKPOINT_BUCKET = 'runnel-checkpoints';

/**
 * One job's Object Store bucket of checkpoint state: `runnel-chk-<job id>` (a directory can stand
 * in for all of them). Per job so that a NATS user scoped to one job can be allowed its bucket's
 * stream and subjects (`OBJ_<bucket>`, `$O.<bucket>.>`) and nothing of another job's.
 */
export const CHECKPOINT_BUCKET_PREFIX = 'runnel-chk-';

export const CheckpointBuckets = {
  of: (jobId: JobId): string => `${CHECKPOINT_BUCKET_PREFIX}${jobId}`,
} as const;

export const CheckpointNames = {
  /** One task's state in one checkpoint; the vertex id (an operator uid, any string) is encoded. */
  object: (jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number): string =>
    `${jobId}/chk-${checkpointId}/${encodeStateName(vertexId)}/${subtask}`,
  prefix: (jobId: JobId, checkpointId: CheckpointId): string => `${jobId}/chk-${checkpointId}/`,
  /** The job a handle (an object name) belongs to: its first path segment, unchecked (see JobIds.isValid). */
  jobOf: (handle: string): string => handle.slice(0, Math.max(0, handle.indexOf('/'))),
} as const;

/** Start of every data stream's name; the job id (32 hex digits) follows. */
export const DATA_STREAM_PREFIX = 'runnel-data-';

export const DataNames = {
  /** The job's data stream, shared by its attempts. */
  stream: (jobId: JobId): string => `${DATA_STREAM_PREFIX}${jobId}`,
  /** Every data subject of the job, all attempts (the stream's subjects). */
  streamSubjects: (jobId: JobId): string => `runnel.data.${jobId}.>`,
  /** Every data subject of one job attempt (what releasing the attempt purges). */
  attemptSubjects: (jobId: JobId, attempt: number): string => `runnel.data.${jobId}.${attempt}.>`,
  /** Records of one edge bound for one partition (target subtask). */
  subject: (jobId: JobId, attempt: number, edgeIndex: number, partition: number): string =>
    `runnel.data.${jobId}.${attempt}.${edgeIndex}.${partition}`,
  /**
   * Credits (core NATS, not stored): a consumer tells the producer subtask how many of its messages
   * it has taken, so the producer keeps a bounded number in flight — Flink's credit-based flow control.
   */
  credit: (jobId: JobId, attempt: number, edgeIndex: number, sourceSubtask: number): string =>
    `runnel.credit.${jobId}.${attempt}.${edgeIndex}.${sourceSubtask}`,
  /**
   * Durable consumer of one edge's partition in one attempt. The attempt is in the name because
   * the attempts share the job's stream: the next attempt's consumer must not be the old one (its
   * filter subject, the old attempt's, and its delivered position would be kept).
   */
  consumer: (attempt: number, edgeIndex: number, partition: number): string => `a${attempt}-e${edgeIndex}-p${partition}`,
} as const;
