/** Path and query parameters of the job, checkpoint, log and profile views, checked before the cluster is asked. */
import { CheckpointId, CheckpointIds, LOG_FILE_NAME, MAX_PROFILE_DURATION_MS, ValidationError } from '@runnel/protocol';

const refuse = (field: string, value: string, problem: string) =>
  new ValidationError(`Invalid ${field} ${JSON.stringify(value.slice(0, 100))}: ${problem}`, [{ field, problems: [problem] }]);

/** A vertex id: the operator uid of the chain's head (1 to 255 characters). */
export function parseVertexId(value: string): string {
  if (value.length < 1 || value.length > 255 || [...value].some((c) => c.charCodeAt(0) < 0x20)) throw refuse('vertexid', value, 'must be a vertex id (1 to 255 printable characters)');
  return value;
}

/** A non-negative whole number in decimal (subtask index, attempt). */
export function parseIndex(value: string, field: string): number {
  if (!/^\d{1,9}$/.test(value)) throw refuse(field, value, 'must be a non-negative whole number');
  return Number(value);
}

export function parseCheckpointId(value: string): CheckpointId {
  const id = /^\d{1,9}$/.test(value) ? Number(value) : undefined;
  if (!CheckpointIds.isValid(id)) throw refuse('checkpointid', value, 'must be a positive whole number');
  return id;
}

/** A log file name: no directory part, no leading dot (so no traversal). */
export function parseLogName(value: string): string {
  if (!LOG_FILE_NAME.test(value)) throw refuse('name', value, 'must be a log file name (letters, digits, ".", "_", "-"; no directory, no leading dot)');
  return value;
}

/** An optional whole-number query parameter within [min, max]. */
export function parseOptionalInt(value: string | undefined, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) throw refuse(field, value, `must be a whole number from ${min} to ${max}`);
  return Number(value);
}

export function parseDurationMs(value: string | undefined, fallback: number): number {
  return parseOptionalInt(value, 'durationMs', 100, MAX_PROFILE_DURATION_MS) ?? fallback;
}

/**
 * Flink's flame graph `type`: FULL (every sample, idle ones included; the default) or ON_CPU (the
 * samples where the worker ran code). OFF_CPU (where threads wait) has no counterpart in a V8
 * CPU profile, so it is refused rather than answered with something else.
 */
export function parseFlameGraphType(value: string | undefined): 'full' | 'on_cpu' {
  if (value === undefined) return 'full';
  const v = value.toUpperCase();
  if (v === 'FULL') return 'full';
  if (v === 'ON_CPU') return 'on_cpu';
  throw refuse('type', value, v === 'OFF_CPU' ? 'OFF_CPU is not available (a V8 CPU profile has no off-CPU samples); use FULL or ON_CPU' : 'must be FULL or ON_CPU');
}
