/**
 * A submission is checked in full before the JobManager makes anything of it: the JobGraph (shape,
 * sizes, edges, parallelism within MAX_JOB_PARALLELISM) and the requested parallelism. NATS
 * messages are validated by their DTO already (with Flink's bound, 32768); this adds the
 * JobManager's own limit and covers recovered jobs, which come from the job store.
 */
import { JobGraphLimits, MessageBody, SubmitJobRequest, ValidationError, assertValidJobGraph } from '@runnel/protocol';

export function checkSubmission(request: MessageBody<SubmitJobRequest>, maxJobParallelism: number = JobGraphLimits.defaultMaxJobParallelism): void {
  if (request.parallelism !== undefined && !(Number.isInteger(request.parallelism) && request.parallelism >= 1 && request.parallelism <= maxJobParallelism)) {
    throw new ValidationError(`Invalid parallelism ${JSON.stringify(request.parallelism)}: must be an integer from 1 to ${maxJobParallelism} (MAX_JOB_PARALLELISM)`, [
      { field: 'parallelism', problems: [`must be an integer from 1 to ${maxJobParallelism} (MAX_JOB_PARALLELISM)`] },
    ]);
  }
  assertValidJobGraph(request.jobGraph, { maxJobParallelism });
}
