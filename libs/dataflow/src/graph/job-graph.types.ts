/**
 * The JobGraph: plain JSON (no functions), deterministic for a given program and arguments.
 * Vertices are operator chains; edges carry the partitioner. User functions live beside it in a
 * registry keyed by operator uid.
 */

// The JobGraph's types live in @runnel/protocol, which the JobManager reads it with; imported as
// types only, so a job's bundle does not pull the protocol in. The named constants are here.
import type {
  CheckpointingMode as CheckpointingModeName,
  ExternalizedCheckpointCleanup as ExternalizedCheckpointCleanupName,
  PartitionerType as PartitionerTypeName,
} from '@runnel/protocol';
export type { CheckpointConfig, JobConfig, JobEdge, JobGraph, JobVertex, OperatorDescriptor } from '@runnel/protocol';

export const PartitionerType = {
  Forward: 'forward',
  Hash: 'hash',
  Rebalance: 'rebalance',
  Broadcast: 'broadcast',
  Shuffle: 'shuffle',
} as const satisfies Record<string, PartitionerTypeName>;
export type PartitionerType = PartitionerTypeName;

export const CheckpointingMode = { ExactlyOnce: 'exactly-once', AtLeastOnce: 'at-least-once' } as const satisfies Record<string, CheckpointingModeName>;
export type CheckpointingMode = CheckpointingModeName;

/** Flink's ExternalizedCheckpointCleanup names. */
export const ExternalizedCheckpointCleanup = {
  RetainOnCancellation: 'RETAIN_ON_CANCELLATION',
  DeleteOnCancellation: 'DELETE_ON_CANCELLATION',
} as const satisfies Record<string, ExternalizedCheckpointCleanupName>;
export type ExternalizedCheckpointCleanup = ExternalizedCheckpointCleanupName;

/** Functions bound to an operator uid (selectors, user functions, source/sink objects). */
export type OperatorFunctions = Record<string, unknown> & {
  keySelectors?: ((value: never) => unknown)[];
};
export type FunctionRegistry = Map<string, OperatorFunctions>;
