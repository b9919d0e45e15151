/** Path parameters of the REST API, checked before anything is asked of the cluster. */
import { JobId, JobIds, ResourceId, ResourceIds, ValidationError } from '@runnel/protocol';

export function parseJarId(value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw new ValidationError(`Invalid jar id ${JSON.stringify(value)}: expected the artifact's sha256 (64 lower-case hex characters)`, [
      { field: 'jarid', problems: ['must be 64 lower-case hex characters'] },
    ]);
  }
  return value;
}

export function parseJobId(value: string): JobId {
  if (!JobIds.isValid(value)) {
    throw new ValidationError(`Invalid job id ${JSON.stringify(value)}: expected 32 lower-case hex characters`, [
      { field: 'jobid', problems: ['must be 32 lower-case hex characters'] },
    ]);
  }
  return value;
}

/** A savepoint operation's trigger id: a UUID, as the JobManager makes them. */
export function parseTriggerId(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) {
    throw new ValidationError(`Invalid trigger id ${JSON.stringify(value.slice(0, 100))}: expected a UUID (36 lower-case hex characters and dashes)`, [
      { field: 'triggerid', problems: ['must be a lower-case UUID'] },
    ]);
  }
  return value;
}

/** A TaskManager's ResourceId: letters, digits, ".", "_" or "-", at most 128, not starting with a symbol. */
export function parseResourceId(value: string): ResourceId {
  if (!ResourceIds.isValid(value)) {
    throw new ValidationError(`Invalid TaskManager id ${JSON.stringify(value.slice(0, 200))}: expected letters, digits, ".", "_" or "-" (at most 128), not starting with a symbol`, [
      { field: 'id', problems: ['must be a TaskManager resource id'] },
    ]);
  }
  return value;
}
