/**
 * The one operator lifecycle (same in the embedded executor and in a TaskManager slot):
 * setup(ctx) → initializeState(restored) → open() → processElement / processWatermark / endBatch …
 * → snapshotState(checkpointId) (any time between batches) → finish() → close().
 */
import type { OperatorDescriptor, OperatorFunctions } from '../graph/job-graph.types';
import type { OperatorStateSnapshot } from './state/state-snapshot.types';
import type { OperatorMetricGroup } from './metrics/operator-metric.group';

/** Where an operator emits; `timestamp` is NO_TIMESTAMP (-Infinity) when the record has none. */
export interface Output<T = unknown> {
  collect(value: T, timestamp: number): void;
  collectSide(tag: string, value: unknown, timestamp: number): void;
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

export interface OperatorContext {
  readonly descriptor: OperatorDescriptor;
  readonly functions: OperatorFunctions;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Processing-time clock (injectable for tests). */
  readonly clock: () => number;
  readonly jobName?: string;
  /** Stable across restarts of the same job (absent in unit tests). */
  readonly jobId?: string;
  /** False when the job takes no periodic checkpoints (absent: unknown, e.g. in unit tests). */
  readonly checkpointingEnabled?: boolean;
  /** The task ends with a final checkpoint: sinks commit their last output when it completes, not in finish(). */
  readonly finalCheckpoint?: boolean;
  /** The task's input arrives in the same order on every run (see hasDeterministicInputOrder). */
  readonly deterministicInputOrder?: boolean;
  /** Periodic watermarks at most once per this many ms (0: every batch; absent: every batch). */
  readonly autoWatermarkIntervalMs?: number;
  readonly output: Output;
}

export interface StreamOperator {
  /** User-defined metrics (getRuntimeContext().getMetricGroup()), read at each metrics snapshot. */
  readonly metricGroup?: OperatorMetricGroup;
  setup(ctx: OperatorContext): void;
  initializeState(restored: OperatorStateSnapshot | undefined): void;
  open(): void | Promise<void>;
  /** `input` is the logical input (0, or 1 for the second input of a two-input operator). */
  processElement(value: unknown, timestamp: number, input: number): void;
  /**
   * A whole input batch at the head of a task, when the operator has a loop of its own: event
   * times are read from the batch's array inside it, not passed (and boxed) one call per record.
   */
  processBatch?(values: readonly unknown[], timestamps: readonly number[], input: number): void;
  processWatermark(watermark: number): void;
  processWatermarkStatus(idle: boolean): void;
  /** After each input batch has gone through the chain: sinks write, generators emit watermarks. */
  endBatch?(): void | Promise<void>;
  /** Earliest pending processing-time timer, if any. */
  nextProcessingTime?(): number | undefined;
  advanceProcessingTime?(now: number): void;
  /**
   * A barrier reached this operator (all earlier records were processed): do the asynchronous
   * part of a checkpoint before the synchronous snapshotState — sinks pre-commit here.
   */
  prepareSnapshotPreBarrier?(checkpointId: number): void | Promise<void>;
  snapshotState(checkpointId: number): OperatorStateSnapshot;
  /** Every task acknowledged `checkpointId`: commit side effects prepared for it (two-phase commit). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /** End of input: flush buffered results (e.g. fire remaining processing-time windows). */
  finish(): void | Promise<void>;
  close(): void | Promise<void>;
}

export type OperatorFactory = (descriptor: OperatorDescriptor) => StreamOperator;
