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
  /** Fewer free slots than a job needs; it may wait for more. */
  NotEnoughSlots: 'NOT_ENOUGH_SLOTS',
  /** A job artifact could not be loaded, or its program did not build a valid graph. */
  InvalidArtifact: 'INVALID_ARTIFACT',
  /** A job artifact is larger than the configured limit. */
  ArtifactTooLarge: 'ARTIFACT_TOO_LARGE',
  /** The request conflicts with the current state (cancel a finished job, deploy into a taken slot). */
  Conflict: 'CONFLICT',
  /** Checkpoint state is missing or does not match its checksum. */
  CorruptCheckpoint: 'CORRUPT_CHECKPOINT',
  /** A savepoint's state does not map onto the job (unmatched operator uids). */
  SavepointMismatch: 'SAVEPOINT_MISMATCH',
  /** A job ended FAILED (the message holds its root cause). */
  JobFailed: 'JOB_FAILED',
  /** A REST request without a valid bearer token (REST_AUTH_TOKEN is set); nothing was changed. */
  Unauthorized: 'UNAUTHORIZED',
  /** The request is not allowed: a read-only token, a cross-site request, a foreign Host, or a REST feature switched off. */
  Forbidden: 'FORBIDDEN',
  /** A bug or an unexpected failure on the remote side; the message says what. */
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
