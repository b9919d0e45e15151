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

/** JetStream Object Store bucket of checkpoint state (a directory can stand in for it). */
export const CHECKPOINT_BUCKET = 'runnel-checkpoints';

export const CheckpointNames = {
  /** One task's state in one checkpoint; the vertex id (an operator uid, any string) is encoded. */
  object: (jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number): string =>
    `${jobId}/chk-${checkpointId}/${encodeStateName(vertexId)}/${subtask}`,
  prefix: (jobId: JobId, checkpointId: CheckpointId): string => `${jobId}/chk-${checkpointId}/`,
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
