// Polls a condition until it holds or a deadline passes. This is the only way the infra code
// synchronises with other processes: never a fixed sleep, always "wait until X, at most T".

import { WaitTimeoutError } from './infra.errors';

export interface WaitForOptions {
  /** What is awaited, in words; it names the failure ("timed out after 10000 ms waiting for …"). */
  description: string;
  /** Deadline for the whole wait (default 10 000 ms). */
  timeoutMs?: number;
  /** Pause between two checks (default 100 ms). */
  intervalMs?: number;
  /** Checked before each poll; when it returns an error the wait fails at once with it. */
  abortIf?: () => Error | undefined;
}

/**
 * Resolves with the first truthy value `check` returns. A check that throws counts as "not yet";
 * the last thrown error is attached as `cause` when the deadline passes.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted) throw aborted;
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new WaitTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${options.description}${detail}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
