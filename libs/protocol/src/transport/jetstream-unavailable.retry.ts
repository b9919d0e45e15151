/**
 * Retries a JetStream API call while JetStream is only temporarily unavailable: on a NATS cluster
 * that lost a node, a new replicated consumer's raft group may first try to elect the dead node
 * and answer after an election timeout (2–5 s on nats-server 2.9), so the request times out or
 * gets a 503 although it is being carried out. Creating a durable consumer again with the same
 * configuration is idempotent, so trying again until a deadline is safe.
 */
import type { NatsError } from 'nats';

/** Whether an error means "not now" rather than "no": a timeout, no responders, JetStream unavailable. */
export function isJetStreamUnavailable(error: unknown): boolean {
  const e = error as (NatsError & { api_error?: { code?: number; err_code?: number } }) | undefined;
  if (e?.code === 'TIMEOUT' || e?.code === '503') return true;
  // 10008: "JetStream system temporarily unavailable"
  return e?.api_error?.code === 503 || e?.api_error?.err_code === 10008;
}

export async function retryWhileJetStreamUnavailable<T>(call: () => Promise<T>, options: { readonly deadlineMs?: number; readonly stopped?: () => boolean } = {}): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  let pauseMs = 200;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isJetStreamUnavailable(error) || Date.now() + pauseMs >= deadline || options.stopped?.()) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(2_000, pauseMs * 2);
  }
}
