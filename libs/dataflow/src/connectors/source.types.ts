/**
 * The Source contract. A source is split across parallel readers; each reader returns records in
 * batches and exposes a serialisable position (offset, index, sequence) so it can be rewound on
 * recovery. Bounded readers return `null` from pollBatch when done.
 */

export const Boundedness = { Bounded: 'bounded', Continuous: 'continuous' } as const;
export type Boundedness = (typeof Boundedness)[keyof typeof Boundedness];

export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

export interface SourceReader<T, P = unknown> {
  /**
   * Up to `max` records. An empty array means nothing is available right now (the task polls
   * again shortly); `null` means this reader reached the end of its input.
   * May return a promise (e.g. a network fetch); synchronous readers should not.
   */
  pollBatch(max: number): readonly T[] | null | Promise<readonly T[] | null>;
  /** Serialisable position: after restore(position()) the reader continues where it stopped. */
  position(): P;
  restore(position: P): void;
  close?(): void | Promise<void>;
}

export interface Source<T, P = unknown> {
  readonly boundedness: Boundedness;
  createReader(ctx: SourceReaderContext): SourceReader<T, P>;
  /** Serialisable description placed in the JobGraph (must be deterministic, no functions). */
  describe?(): Record<string, unknown>;
  /** Preferred parallelism when the user sets none (e.g. 1 for a non-parallel collection). */
  readonly defaultParallelism?: number;
  /**
   * Rescaling: the positions of all readers of a snapshot (index = old subtask) → one position per
   * reader at `parallelism`, covering exactly the remaining input. Sources without it can only be
   * restored at the parallelism they were snapshotted with.
   */
  redistributePositions?(positions: readonly (P | undefined)[], parallelism: number): P[];
}

export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The sink operator's uid (stable across restarts; set by the runtime). */
  readonly operatorUid?: string;
  readonly jobName?: string;
  /** Stable across restarts of one job (cluster job id; a fresh id per embedded submit). */
  readonly jobId?: string;
  /**
   * False when the job takes no periodic checkpoints: a sink that commits on checkpoints should
   * then write directly (or it would hold everything until the end of input). Absent: unknown.
   */
  readonly checkpointingEnabled?: boolean;
  /**
   * The sink subtask receives records in the same order on every run (single input channels all
   * the way from deterministic sources, no shuffle). Absent: unknown.
   */
  readonly deterministicInputOrder?: boolean;
}

export interface SinkWriter<T> {
  /** One call per input batch; values[i] has timestamps[i] (NO_TIMESTAMP = -Infinity when none). */
  write(values: readonly T[], timestamps: readonly number[]): void | Promise<void>;
  /** End of input: flush everything. */
  finish?(): void | Promise<void>;
  /**
   * Checkpoint barrier reached the sink (all earlier batches were written): the asynchronous
   * pre-commit (close the in-progress file, flush a transaction). Called just before snapshotState.
   */
  prepareCommit?(checkpointId: number): void | Promise<void>;
  /**
   * Checkpoint barrier reached the sink (after prepareCommit): return serialisable state (e.g.
   * pending files or transaction ids), stored as the sink's operator state.
   */
  snapshotState?(checkpointId: number): unknown;
  /**
   * The checkpoint completed everywhere: make what was pre-committed for it — and for any earlier
   * checkpoint — visible. May run concurrently with write(); called at most once per id.
   */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /**
   * On recovery, before the first write: a state returned by snapshotState of the restored
   * checkpoint. Called once with this subtask's state and, after a scale-in, once more for each
   * state of an old subtask that no longer exists (each state knows which subtask wrote it).
   */
  restoreState?(state: unknown): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface Sink<T> {
  createWriter(ctx: SinkWriterContext): SinkWriter<T> | Promise<SinkWriter<T>>;
  describe?(): Record<string, unknown>;
}
