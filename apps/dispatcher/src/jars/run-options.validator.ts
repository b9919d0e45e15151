/**
 * Run options checked before an artifact is loaded: the parallelism within 1..MAX_JOB_PARALLELISM
 * (the dispatcher's setting, configured like the JobManager's, which checks it again).
 */
import { JobGraphLimits, ValidationError } from '@runnel/protocol';

export function checkParallelism(parallelism: number | undefined, max: number = JobGraphLimits.defaultMaxJobParallelism): void {
  if (parallelism === undefined) return;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > max) {
    throw new ValidationError(`Invalid parallelism ${JSON.stringify(parallelism)}: must be an integer from 1 to ${max} (MAX_JOB_PARALLELISM)`, [
      { field: 'parallelism', problems: [`must be an integer from 1 to ${max} (MAX_JOB_PARALLELISM)`] },
    ]);
  }
}
