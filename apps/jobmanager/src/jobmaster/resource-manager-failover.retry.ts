/**
 * Calls to the ResourceManager that are safe to repeat (storing a job, asking for slots,
 * updating a status), retried while no ResourceManager answers: during its failover nobody
 * listens on its subjects until a standby wins the lease, and a job submitted just then must
 * wait for it rather than fail with NoRespondersError (found by the chaos soak).
 */
import { ErrorCodes, RunnelError } from '@runnel/protocol';

const FAILOVER_CODES: readonly string[] = [ErrorCodes.NoResponders, ErrorCodes.RequestTimeout];

export interface FailoverRetryOptions {
  /** Give up (rethrow) after this long without an answer (ms). */
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly clock: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly signal: AbortSignal;
}

export function isResourceManagerUnreachable(error: unknown): boolean {
  return error instanceof RunnelError && FAILOVER_CODES.includes(error.code);
}

export async function whileResourceManagerFailsOver<T>(call: () => Promise<T>, options: FailoverRetryOptions): Promise<T> {
  const deadline = options.clock() + options.timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isResourceManagerUnreachable(error) || options.signal.aborted || options.clock() >= deadline) throw error;
      await options.sleep(options.intervalMs, options.signal).catch(() => undefined);
    }
  }
}
