/**
 * A JobMaster's waits (restart back-off, slot and outcome retries): over after `ms`, or at once
 * when the job stops. The abort listener goes when the wait ends either way: a job waiting for
 * slots sleeps on one signal every retry, and kept listeners were a leak (Node's
 * MaxListenersExceededWarning after 10 retries).
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
