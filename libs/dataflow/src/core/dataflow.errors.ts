/**
 * Named error classes of the dataflow library. Each carries a stable `code` so that a failure
 * that crosses a process or wire boundary (TaskManager → JobMaster → client) stays recognisable.
 */

export const DataflowErrorCode = {
  NonKeyedStream: 'DATAFLOW_NON_KEYED_STREAM',
  InvalidParallelism: 'DATAFLOW_INVALID_PARALLELISM',
  DuplicateUid: 'DATAFLOW_DUPLICATE_UID',
  MissingWatermarks: 'DATAFLOW_MISSING_WATERMARKS',
  InvalidArgument: 'DATAFLOW_INVALID_ARGUMENT',
  UnknownOperatorKind: 'DATAFLOW_UNKNOWN_OPERATOR_KIND',
  JobExecutionFailed: 'DATAFLOW_JOB_EXECUTION_FAILED',
  JobCancelled: 'DATAFLOW_JOB_CANCELLED',
  JobModuleInvalid: 'DATAFLOW_JOB_MODULE_INVALID',
  JobGraphMismatch: 'DATAFLOW_JOB_GRAPH_MISMATCH',
  MissingFunction: 'DATAFLOW_MISSING_FUNCTION',
  StateAccess: 'DATAFLOW_STATE_ACCESS',
  CheckpointDeclined: 'DATAFLOW_CHECKPOINT_DECLINED',
  SinkCommit: 'DATAFLOW_SINK_COMMIT',
  SinkState: 'DATAFLOW_SINK_STATE',
  InvalidMetric: 'DATAFLOW_INVALID_METRIC',
} as const;
export type DataflowErrorCode = (typeof DataflowErrorCode)[keyof typeof DataflowErrorCode];

/** Base class: every error thrown by this library on purpose is a DataflowError. */
export class DataflowError extends Error {
  constructor(
    readonly code: DataflowErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A keyed operation (reduce, keyed process, window, interval join…) on a stream that is not keyed. */
export class NonKeyedStreamError extends DataflowError {
  constructor(operator: string) {
    super(
      DataflowErrorCode.NonKeyedStream,
      `Operator "${operator}" is a keyed operation but its input is not a keyed stream; call keyBy(selector) first.`,
    );
  }
}

/** Parallelism below 1, above maxParallelism, or a forward edge between different parallelisms. */
export class InvalidParallelismError extends DataflowError {
  constructor(operator: string, detail: string) {
    super(DataflowErrorCode.InvalidParallelism, `Operator "${operator}": ${detail}`);
  }
}

/** Two operators declared the same uid; state could not be matched to operators on restore. */
export class DuplicateUidError extends DataflowError {
  constructor(
    readonly uid: string,
    operator: string,
    other: string,
  ) {
    super(
      DataflowErrorCode.DuplicateUid,
      `Operator "${operator}" uses uid "${uid}", already used by operator "${other}"; uids must be unique in a job.`,
    );
  }
}

/** An event-time operator with no timestamps/watermarks assigned anywhere upstream. */
export class MissingWatermarksError extends DataflowError {
  constructor(operator: string) {
    super(
      DataflowErrorCode.MissingWatermarks,
      `Operator "${operator}" uses event time but no upstream operator assigns timestamps and watermarks; ` +
        `use env.fromSource(source, WatermarkStrategy…) or stream.assignTimestampsAndWatermarks(strategy).`,
    );
  }
}

/** A user passed an argument the API cannot accept (non-function selector, non-positive size…). */
export class InvalidArgumentError extends DataflowError {
  constructor(message: string) {
    super(DataflowErrorCode.InvalidArgument, message);
  }
}

export class UnknownOperatorKindError extends DataflowError {
  constructor(kind: string) {
    super(DataflowErrorCode.UnknownOperatorKind, `No operator is registered for kind "${kind}".`);
  }
}

export class MissingFunctionError extends DataflowError {
  constructor(uid: string, what: string) {
    super(DataflowErrorCode.MissingFunction, `Operator uid "${uid}" has no bound ${what}; was the job graph rebuilt from the same module and args?`);
  }
}

/** A job failed while running; `cause` is the user's original error (stack preserved). */
export class JobExecutionError extends DataflowError {
  constructor(
    message: string,
    cause: unknown,
    readonly operator?: string,
  ) {
    super(DataflowErrorCode.JobExecutionFailed, message, { cause });
  }
}

export class JobCancelledError extends DataflowError {
  constructor(jobName: string) {
    super(DataflowErrorCode.JobCancelled, `Job "${jobName}" was cancelled.`);
  }
}

export class JobModuleError extends DataflowError {
  constructor(message: string, cause?: unknown) {
    super(DataflowErrorCode.JobModuleInvalid, message, { cause });
  }
}

/** The graph a worker rebuilt differs from the one the JobMaster deployed. */
export class JobGraphMismatchError extends DataflowError {
  constructor(expected: string, actual: string) {
    super(
      DataflowErrorCode.JobGraphMismatch,
      `Job graph hash mismatch: deployed ${expected}, rebuilt ${actual}. Graph building must be deterministic (no Date.now(), Math.random() or environment-dependent branches).`,
    );
  }
}

export class StateAccessError extends DataflowError {
  constructor(message: string) {
    super(DataflowErrorCode.StateAccess, message);
  }
}

/** A checkpoint could not complete (a task had finished, or the job ended or failed first). */
export class CheckpointDeclinedError extends DataflowError {
  constructor(
    readonly checkpointId: number,
    reason: string,
  ) {
    super(DataflowErrorCode.CheckpointDeclined, `Checkpoint ${checkpointId} declined: ${reason}`);
  }
}

/** A sink could not make pre-committed data visible (a pending file vanished, a transaction failed). */
export class SinkCommitError extends DataflowError {
  constructor(sink: string, detail: string, cause?: unknown) {
    super(DataflowErrorCode.SinkCommit, `${sink}: commit failed: ${detail}`, cause === undefined ? undefined : { cause });
  }
}

/** A sink was handed restored state it cannot use (other format, other layout, other table). */
export class SinkStateError extends DataflowError {
  constructor(sink: string, detail: string) {
    super(DataflowErrorCode.SinkState, `${sink}: cannot restore state: ${detail}`);
  }
}
