/**
 * The JobGraph as both sides see it: the program's dataflow (libs/dataflow builds it) and what the
 * JobManager schedules (it arrives in submitJob, checked by job-graph.validator.ts). Plain JSON (no
 * functions), deterministic for a given program and arguments. Vertices are operator chains;
 * edges carry the partitioner.
 */
// String unions here (types only, nothing for a job's bundle to pull in); libs/dataflow has the
// named constants of the same values for user code.
export type PartitionerType = 'forward' | 'hash' | 'rebalance' | 'broadcast' | 'shuffle';
export type CheckpointingMode = 'exactly-once' | 'at-least-once';

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
export type ExternalizedCheckpointCleanup = 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION';

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
  /**
   * Index in the vertex's `operators` of the operator that feeds this one by plain calls (always
   * lower: the list is topological). Absent: the operator before it. Set only in a chain that
   * branches (an operator chained with several successors), so linear graphs keep their hash.
   */
  readonly chainedFrom?: number;
}

export interface JobVertex {
  /** The uid of the chain's head operator. */
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly slotSharingGroup: string;
  /**
   * Head first, in topological order. Each operator but the head is fed by plain function calls
   * from one chained predecessor (`chainedFrom`, default the one before it): a chain is a tree, as
   * in Flink, and an operator with several chained successors hands each record to all of them.
   */
  readonly operators: OperatorDescriptor[];
  readonly isSource: boolean;
  /**
   * Buffer timeout of this chain's outputs (an operator's setBufferTimeout), over the job's. An
   * edge's own `bufferTimeoutMs` goes over it: set where the outputs of a branched chain differ.
   */
  readonly bufferTimeoutMs?: number;
}

export interface JobEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Which logical input of the target's head operator this edge feeds (0 or 1). */
  readonly targetInput: number;
  readonly partitioner: PartitionerType;
  /** When set, the edge carries the side output with this tag of the operator it leaves from. */
  readonly sideOutputTag?: string;
  /**
   * Uid of the operator of the source vertex this edge leaves from. Absent: the vertex's last
   * operator (always the case in a linear chain).
   */
  readonly sourceOperator?: string;
  /**
   * Buffer timeout of this edge's channels, over the source vertex's and the job's: the
   * setBufferTimeout nearest its source operator on the chain's path to it. Set only where it
   * differs from the vertex's (outputs of a branched chain), so other graphs keep their hash.
   */
  readonly bufferTimeoutMs?: number;
}

export interface JobGraph {
  readonly jobName: string;
  readonly config: JobConfig;
  /** Topologically sorted (sources first). */
  readonly vertices: JobVertex[];
  readonly edges: JobEdge[];
}


/** Flink's restart strategies, as the job's configuration carries them (api/restart-strategies.ts in dataflow builds and checks them). */
export interface ExponentialDelayOptions {
  /** First pause (default 1000 ms). */
  readonly initialBackoffMs?: number;
  /** Largest pause (default 60 000 ms). */
  readonly maxBackoffMs?: number;
  /** Pause growth per consecutive failure (default 2). */
  readonly multiplier?: number;
  /** A job that ran this long without failing starts again from the initial pause (default 1 h). */
  readonly resetBackoffThresholdMs?: number;
  /** Random spread of each pause, ±fraction (default 0.1). */
  readonly jitterFactor?: number;
}

export type RestartStrategyConfig =
  | { readonly type: 'none' }
  | { readonly type: 'fixed-delay'; readonly attempts: number; readonly delayMs: number }
  | ({ readonly type: 'exponential-delay' } & ExponentialDelayOptions)
  | { readonly type: 'failure-rate'; readonly maxFailures: number; readonly intervalMs: number; readonly delayMs: number };
