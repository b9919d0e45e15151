/** The client's own failures, with stable codes like every Runnel error. */
import { ErrorCodes, RunnelError } from '@runnel/protocol';

export class JobFailedError extends RunnelError {
  constructor(
    readonly jobId: string,
    readonly rootCause: string,
  ) {
    super(ErrorCodes.JobFailed, `Job ${jobId} failed: ${rootCause}`, { jobId });
  }
}

export class JobWaitTimeoutError extends RunnelError {
  constructor(jobId: string, timeoutMs: number, state: string) {
    super(ErrorCodes.RequestTimeout, `Job ${jobId} is still ${state} after ${timeoutMs} ms`, { jobId, state });
  }
}
