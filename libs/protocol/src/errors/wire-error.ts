/** Flattening errors for the wire and rebuilding the named class from a code on the other side. */
import { ErrorCode, ErrorCodes } from './error-codes';
import {
  FieldViolation,
  InternalError,
  RunnelError,
  UnknownTaskManagerError,
  ValidationError,
} from './runnel-errors';

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: unknown;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof RunnelError) {
    return { code: error.code, message: error.message, details: error.details };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCodes.Internal, message };
}

const knownCodes = new Set<string>(Object.values(ErrorCodes));

export function fromWireError(wire: WireError, subject: string): RunnelError {
  const code = knownCodes.has(wire.code) ? wire.code : ErrorCodes.Internal;
  const message = typeof wire.message === 'string' ? wire.message : `remote error on ${subject}`;
  switch (code) {
    case ErrorCodes.ValidationFailed: {
      const details = wire.details as { violations?: FieldViolation[] } | undefined;
      return new ValidationError(message, details?.violations ?? []);
    }
    case ErrorCodes.UnknownTaskManager: {
      const details = wire.details as { resourceId?: string } | undefined;
      const error = new UnknownTaskManagerError(details?.resourceId ?? '?', '');
      error.message = message;
      return error;
    }
    case ErrorCodes.Internal:
      return new InternalError(message, wire.details);
    default:
      return new RunnelError(code, message, wire.details);
  }
}
