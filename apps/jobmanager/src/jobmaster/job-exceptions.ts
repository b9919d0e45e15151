/**
 * What a JobMaster keeps of its failures and state changes for the views: Flink's exception
 * history entries (with the concurrent failures of one attempt) and the job's event log, and how
 * a failure becomes an entry.
 */
import { ErrorCodes, RunnelError, type TaskFailure } from '@runnel/protocol';

export interface JobException {
  readonly exception: string;
  /** The failure's class, as Flink's exceptionName (e.g. TaskStalledError). */
  readonly name?: string;
  readonly task?: string;
  /** The TaskManager's ResourceId. */
  readonly location?: string;
  /** The TaskManager's address (Flink's endpoint). */
  readonly endpoint?: string;
  readonly timestamp: number;
  /**
   * Failures of other tasks of the same attempt that came while this one was being handled (Flink's
   * concurrentExceptions): e.g. every subtask of a stalled slot; at most MAX_CONCURRENT_EXCEPTIONS.
   */
  concurrent?: Omit<JobException, 'concurrent'>[];
}

/** One entry of a job's event log: every job and task state change, in order. */
export interface JobEvent {
  readonly timestamp: number;
  readonly attempt: number;
  /** `job`, or the task as `<vertex name> (<subtask>/<parallelism>)`. */
  readonly subject: string;
  readonly from: string | null;
  readonly to: string;
}

/** Exceptions kept per job: the first (the root exception of the views) and the latest (Flink's web.exception-history-size, larger here). */
export const MAX_EXCEPTIONS = 100;
export const MAX_CONCURRENT_EXCEPTIONS = 20;

/** A failure as an exception history entry, with the task and where it ran when there was one. */
export function jobException(
  failure: TaskFailure,
  where: { readonly task: string; readonly slot?: { readonly resourceId: string; readonly address: string } } | undefined,
  timestamp: number,
): JobException {
  return {
    exception: failure.stack ?? `${failure.name ?? 'Error'}: ${failure.message}`,
    name: failure.name ?? 'Error',
    ...(where ? { task: where.task, location: where.slot?.resourceId, endpoint: where.slot?.address } : {}),
    timestamp,
  };
}

/** Appends an entry, keeping the first (the root cause) and the latest MAX_EXCEPTIONS - 1. */
export function keepException(exceptions: JobException[], entry: JobException): void {
  exceptions.push(entry);
  if (exceptions.length > MAX_EXCEPTIONS) exceptions.splice(1, exceptions.length - MAX_EXCEPTIONS);
}

export function toFailure(error: unknown): TaskFailure {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: String(error) };
}

/** Answers that a new attempt would get again: the job fails on them instead of restarting. */
const REFUSAL_CODES: readonly string[] = [
  ErrorCodes.ValidationFailed, ErrorCodes.InvalidId, ErrorCodes.InvalidReply, ErrorCodes.NotFound, ErrorCodes.InvalidArtifact,
  ErrorCodes.ArtifactTooLarge, ErrorCodes.Conflict, ErrorCodes.SavepointMismatch, ErrorCodes.Unauthorized, ErrorCodes.Forbidden,
];
/** A deployment that failed with one of these never reached a TaskManager process. */
const UNREACHABLE_CODES: readonly string[] = [ErrorCodes.NoResponders, ErrorCodes.RequestTimeout];

export const isRefusal = (error: unknown): boolean => error instanceof RunnelError && REFUSAL_CODES.includes(error.code);
export const isUnreachable = (error: unknown): error is RunnelError => error instanceof RunnelError && UNREACHABLE_CODES.includes(error.code);

/** The failure with `context` before its message, in the stack's first line too (the exception history shows the stack). */
export function failureIn(context: string, error: unknown): TaskFailure {
  const failure = toFailure(error);
  const header = `${failure.name}: ${failure.message}`;
  const message = `${context}: ${failure.message}`;
  return { ...failure, message, ...(failure.stack?.startsWith(header) ? { stack: `${failure.name}: ${message}${failure.stack.slice(header.length)}` } : {}) };
}
