/** Validation of Flink's buffer timeout, shared by the environment and per-operator settings. */
import { InvalidArgumentError } from '../core/dataflow.errors';

/** A buffer timeout is -1 (only when full) or an integer number of ms up to an hour. */
export function checkBufferTimeout(what: string, timeoutMs: number): number {
  if (!Number.isInteger(timeoutMs) || timeoutMs < -1 || timeoutMs > 3_600_000)
    throw new InvalidArgumentError(`${what}: buffer timeout must be -1 or an integer from 0 to 3600000 ms, got ${timeoutMs}`);
  return timeoutMs;
}
