/** Path parameters of the REST API, checked before anything is asked of the cluster. */
import { JobIds, ValidationError } from '@runnel/protocol';

export function parseJarId(value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw new ValidationError(`Invalid jar id ${JSON.stringify(value)}: expected the artifact's sha256 (64 lower-case hex characters)`, [
      { field: 'jarid', problems: ['must be 64 lower-case hex characters'] },
    ]);
  }
  return value;
}

export function parseJobId(value: string): string {
  if (!JobIds.isValid(value)) {
    throw new ValidationError(`Invalid job id ${JSON.stringify(value)}: expected 32 lower-case hex characters`, [
      { field: 'jobid', problems: ['must be 32 lower-case hex characters'] },
    ]);
  }
  return value;
}
