/**
 * Wall-clock time in microseconds that two processes on one machine agree on: the process's
 * epoch-based time origin plus its monotonic clock (Date.now() has only ms resolution).
 */
export function wallMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
