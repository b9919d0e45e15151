/** How an environment hands a built job to something that runs it (embedded now, a cluster later). */
import type { TaskMetricSnapshot } from '../runtime/metrics/metric-names';
import type { BuiltJob } from '../graph/job-graph.builder';
import type { OperatorStateSnapshot } from '../runtime/state/state-snapshot.types';

export interface JobExecutionResult {
  readonly jobName: string;
  readonly jobGraphHash: string;
  readonly netRuntimeMs: number;
  /** Only when requested (embedded captureFinalState): operator snapshots by uid, all subtasks. */
  readonly finalState?: ReadonlyMap<string, readonly OperatorStateSnapshot[]>;
}

export interface CompletedCheckpoint {
  readonly checkpointId: number;
  /** By operator uid: the snapshots of all its subtasks (restore with `restoredState`). */
  readonly state: ReadonlyMap<string, readonly OperatorStateSnapshot[]>;
}

/** One subtask's metric snapshot, named by its vertex and subtask index. */
export interface SubtaskMetrics {
  readonly vertexId: string;
  readonly vertexName: string;
  readonly subtaskIndex: number;
  readonly operators: readonly string[];
  readonly snapshot: TaskMetricSnapshot;
}

export interface JobClient {
  readonly jobName: string;
  /**
   * Injects a checkpoint barrier at every source; resolves when every task acknowledged its
   * aligned snapshot. Rejects (CheckpointDeclinedError) if a task already finished or the job ends first.
   */
  triggerCheckpoint(): Promise<CompletedCheckpoint>;
  /**
   * Stop with --drain: every source ends its input as if bounded (after any checkpoint already
   * triggered — trigger a savepoint first to resume later), windows fire, the job finishes.
   * Returns `result`.
   */
  drain(): Promise<JobExecutionResult>;
  /** Every subtask's metrics now (also after the job ended: the final counts). */
  metrics?(): SubtaskMetrics[];
  /** Resolves when all bounded sources finished and every task ended; rejects with JobExecutionError. */
  readonly result: Promise<JobExecutionResult>;
  cancel(): Promise<void>;
}

export interface ExecutorOptions {
  /** Records per batch handed between tasks and polled from sources. Default 256. */
  readonly batchSize?: number;
  /** Bounded capacity (in batches) of each in-process channel: backpressure. Default 8. */
  readonly channelCapacity?: number;
  /** Processing-time clock; tests inject a fake one. */
  readonly clock?: () => number;
}

export interface JobExecutor {
  submit(job: BuiltJob, options?: ExecutorOptions): JobClient;
}
