/**
 * Names in NATS for artifacts and record exchange, defined once. Each job attempt gets its own
 * stream, so a restart never reads the previous attempt's in-flight data. These are the default
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

export const DataNames = {
  stream: (jobId: JobId, attempt: number): string => `runnel-data-${jobId}-${attempt}`,
  /** Every subject of one job attempt (the stream's filter). */
  streamSubjects: (jobId: JobId, attempt: number): string => `runnel.data.${jobId}.${attempt}.>`,
  /** Records of one edge bound for one partition (target subtask). */
  subject: (jobId: JobId, attempt: number, edgeIndex: number, partition: number): string =>
    `runnel.data.${jobId}.${attempt}.${edgeIndex}.${partition}`,
  /**
   * Credits (core NATS, not stored): a consumer tells the producer subtask how many of its messages
   * it has taken, so the producer keeps a bounded number in flight — Flink's credit-based flow control.
   */
  credit: (jobId: JobId, attempt: number, edgeIndex: number, sourceSubtask: number): string =>
    `runnel.credit.${jobId}.${attempt}.${edgeIndex}.${sourceSubtask}`,
  /** Durable consumer of one edge's partition. */
  consumer: (edgeIndex: number, partition: number): string => `e${edgeIndex}-p${partition}`,
} as const;
