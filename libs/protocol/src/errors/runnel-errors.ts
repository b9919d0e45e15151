/**
 * One named error class per failure. Each has a stable `code` (see error-codes.ts) that survives the
 * trip over NATS: `toWireError` flattens one, `fromWireError` rebuilds the same class on the other side.
 */
import { ErrorCode, ErrorCodes } from './error-codes';

export interface FieldViolation {
  /** Dotted path of the field, e.g. `slots.0.index`. */
  readonly field: string;
  /** What is wrong with it, in words. */
  readonly problems: readonly string[];
}

export class RunnelError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends RunnelError {
  constructor(
    message: string,
    readonly violations: readonly FieldViolation[],
  ) {
    super(ErrorCodes.ValidationFailed, message, { violations });
  }
}

export class InvalidIdError extends RunnelError {
  constructor(kind: string, value: unknown, expected: string) {
    super(ErrorCodes.InvalidId, `Invalid ${kind} ${JSON.stringify(value)}: expected ${expected}`);
  }
}

export class RequestTimeoutError extends RunnelError {
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
  ) {
    super(ErrorCodes.RequestTimeout, `No reply on ${subject} within ${timeoutMs} ms`, { subject, timeoutMs });
  }
}

export class NoRespondersError extends RunnelError {
  constructor(readonly subject: string) {
    super(ErrorCodes.NoResponders, `Nobody answers on ${subject}: is the service running?`, { subject });
  }
}

export class InvalidReplyError extends RunnelError {
  constructor(subject: string, reason: string) {
    super(ErrorCodes.InvalidReply, `Invalid reply on ${subject}: ${reason}`, { subject });
  }
}

export class NotFoundError extends RunnelError {
  constructor(what: string, id: string) {
    super(ErrorCodes.NotFound, `${what} ${id} not found`, { what, id });
  }
}

export class UnknownTaskManagerError extends RunnelError {
  constructor(resourceId: string, reason: string) {
    super(ErrorCodes.UnknownTaskManager, `TaskManager ${resourceId} is not registered: ${reason}`, { resourceId });
  }
}

export class InternalError extends RunnelError {
  constructor(message: string, details?: unknown) {
    super(ErrorCodes.Internal, message, details);
  }
}

export class NotEnoughSlotsError extends RunnelError {
  constructor(
    readonly requested: number,
    readonly available: number,
    /** What the resource provider does about it (starting TaskManagers), or why it does nothing. */
    readonly note?: string,
  ) {
    super(
      ErrorCodes.NotEnoughSlots,
      `Not enough free slots: the job needs ${requested}, ${available} are free${note ? `; ${note}` : ''}`,
      { requested, available, ...(note ? { note } : {}) },
    );
  }
}

export class InvalidArtifactError extends RunnelError {
  constructor(message: string, details?: unknown) {
    super(ErrorCodes.InvalidArtifact, message, details);
  }
}

export class ArtifactTooLargeError extends RunnelError {
  /** `size` undefined: the upload was cut off at the limit, while streaming, so its size is not known. */
  constructor(size: number | undefined, limit: number, setting = 'ARTIFACT_MAX_BYTES') {
    super(
      ErrorCodes.ArtifactTooLarge,
      size === undefined
        ? `Job artifact is too large: the limit is ${limit} bytes (${setting}); the upload was stopped there`
        : `Job artifact is ${size} bytes; the limit is ${limit} bytes (${setting})`,
      { ...(size === undefined ? {} : { size }), limit },
    );
  }
}

/** A REST request without a valid `Authorization: Bearer <token>`. */
export class UnauthorizedError extends RunnelError {
  constructor(message: string) {
    super(ErrorCodes.Unauthorized, message);
  }
}

/** A request that is understood but not allowed (read-only token, cross-site, foreign Host, feature off). */
export class ForbiddenError extends RunnelError {
  constructor(message: string, details?: unknown) {
    super(ErrorCodes.Forbidden, message, details);
  }
}

export class ConflictError extends RunnelError {
  constructor(message: string, details?: unknown) {
    super(ErrorCodes.Conflict, message, details);
  }
}

export class SavepointMismatchError extends RunnelError {
  constructor(
    readonly savepointPath: string,
    readonly unmatched: readonly string[],
  ) {
    super(
      ErrorCodes.SavepointMismatch,
      `Savepoint ${savepointPath} has state for operators this job does not have: ${unmatched.join(', ')}. ` +
        'Give those operators the same uid as before, or run with allowNonRestoredState to drop their state.',
      { savepointPath, unmatched },
    );
  }
}
