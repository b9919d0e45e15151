/**
 * Stable error codes. They cross the wire intact, so clients branch on them, never on messages.
 * Add codes; never rename or reuse one.
 */
export const ErrorCodes = {
  /** A message or request body failed validation; nothing was changed. */
  ValidationFailed: 'VALIDATION_FAILED',
  /** An id did not have its documented shape. */
  InvalidId: 'INVALID_ID',
  /** No reply within the request's timeout. */
  RequestTimeout: 'REQUEST_TIMEOUT',
  /** Nobody listens on the subject: the service is down or not yet started. */
  NoResponders: 'NO_RESPONDERS',
  /** A reply did not have the documented shape (a service of another version?). */
  InvalidReply: 'INVALID_REPLY',
  /** Something that should exist does not. */
  NotFound: 'NOT_FOUND',
  /** The ResourceManager does not know this TaskManager (lost, or registered elsewhere): re-register. */
  UnknownTaskManager: 'UNKNOWN_TASK_MANAGER',
  /** A bug or an unexpected failure on the remote side; the message says what. */
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
