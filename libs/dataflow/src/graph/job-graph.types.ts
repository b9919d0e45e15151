/**
 * The JobGraph: plain JSON (no functions), deterministic for a given program and arguments.
 * Vertices are operator chains; edges carry the partitioner. User functions live beside it in a
 * registry keyed by operator uid.
 */
import type { RestartStrategyConfig } from '../api/restart-strategies';

export const PartitionerType = {
  Forward: 'forward',
  Hash: 'hash',
  Rebalance: 'rebalance',
  Broadcast: 'broadcast',
  Shuffle: 'shuffle',
} as const;
export type PartitionerType = (typeof PartitionerType)[keyof typeof PartitionerType];

export const CheckpointingMode = { ExactlyOnce: 'exactly-once', AtLeastOnce: 'at-least-once' } as const;
export type CheckpointingMode = (typeof CheckpointingMode)[keyof typeof CheckpointingMode];

export interface CheckpointConfig {
  readonly intervalMs: number;
  /** exactly-once: tasks with several inputs align barriers; at-least-once: they only count them. */
  readonly mode: CheckpointingMode;
  readonly timeoutMs: number;
  readonly minPauseBetweenMs: number;
  readonly maxConcurrent: number;
  /** Consecutive failed checkpoints tolerated before the job fails over. */
  readonly tolerableFailures: number;
  /** Completed checkpoints kept (older ones are subsumed and deleted). */
  readonly retained: number;
  /**
   * What happens to the retained checkpoints when the job is cancelled (Flink's externalized
   * checkpoint cleanup); absent: DELETE_ON_CANCELLATION. A failed or finished job keeps them.
   */
  readonly externalizedCheckpointCleanup?: ExternalizedCheckpointCleanup;
}

/** Flink's ExternalizedCheckpointCleanup names. */
export const ExternalizedCheckpointCleanup = {
  RetainOnCancellation: 'RETAIN_ON_CANCELLATION',
  DeleteOnCancellation: 'DELETE_ON_CANCELLATION',
} as const;
export type ExternalizedCheckpointCleanup = (typeof ExternalizedCheckpointCleanup)[keyof typeof ExternalizedCheckpointCleanup];

export interface JobConfig {
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly checkpointing?: CheckpointConfig;
  /** Read by the JobManager's failover (see api/restart-strategies.ts). */
  readonly restartStrategy?: RestartStrategyConfig;
  /**
   * Flink's buffer timeout for every output of the job (env.setBufferTimeout): how long a
   * partly filled batch may wait before it is sent; 0 = after every input batch, -1 = only when
   * full (and at watermarks, barriers, end of input). Absent: the TaskManager's BUFFER_TIMEOUT_MS.
   */
  readonly bufferTimeoutMs?: number;
  /** Flink's auto-watermark interval: at most one periodic watermark per source per this many ms (0: every batch). */
  readonly autoWatermarkIntervalMs?: number;
}

/** One operator inside a chain. */
export interface OperatorDescriptor {
  readonly uid: string;
  readonly name: string;
  readonly kind: string;
  /** Number of logical inputs (2 for connect/interval join); chained operators have 1. */
  readonly inputs: number;
  readonly keyed: boolean;
  readonly config: Record<string, unknown>;
}

export interface JobVertex {
  /** The uid of the chain's head operator. */
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly slotSharingGroup: string;
  /** Head first; each operator feeds the next by plain function calls. */
  readonly operators: OperatorDescriptor[];
  readonly isSource: boolean;
  /** Buffer timeout of this chain's outputs (an operator's setBufferTimeout), over the job's. */
  readonly bufferTimeoutMs?: number;
}

export interface JobEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Which logical input of the target's head operator this edge feeds (0 or 1). */
  readonly targetInput: number;
  readonly partitioner: PartitionerType;
  /** When set, the edge carries the source chain tail's side output with this tag. */
  readonly sideOutputTag?: string;
}

export interface JobGraph {
  readonly jobName: string;
  readonly config: JobConfig;
  /** Topologically sorted (sources first). */
  readonly vertices: JobVertex[];
  readonly edges: JobEdge[];
}

/** Functions bound to an operator uid (selectors, user functions, source/sink objects). */
export type OperatorFunctions = Record<string, unknown> & {
  keySelectors?: ((value: never) => unknown)[];
};
export type FunctionRegistry = Map<string, OperatorFunctions>;
