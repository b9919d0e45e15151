/**
 * Stops a crash loop: at most `maxFailures` TaskManager failures within `windowMs`; past that, no
 * new TaskManager is started until the oldest failure leaves the window. The reason names the
 * count, the window and the last failure, for the job's status message and the log.
 */
export class FailureRateLimiter {
  private readonly failures: { at: number; description: string }[] = [];

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  record(description: string): void {
    this.failures.push({ at: this.clock(), description });
    this.prune();
  }

  /** Why starting is refused now; undefined when it is allowed. */
  refusal(): string | undefined {
    this.prune();
    if (this.failures.length < this.maxFailures) return undefined;
    const last = this.failures[this.failures.length - 1];
    const retryInMs = this.failures[0].at + this.windowMs - this.clock();
    return (
      `${this.failures.length} TaskManagers failed within ${this.windowMs} ms (TM_MAX_FAILURES=${this.maxFailures}, ` +
      `TM_FAILURE_WINDOW_MS=${this.windowMs}); not starting more for ${Math.max(0, Math.ceil(retryInMs / 1000))} s. Last failure: ${last.description}`
    );
  }

  private prune(): void {
    const horizon = this.clock() - this.windowMs;
    while (this.failures.length > 0 && this.failures[0].at <= horizon) this.failures.shift();
  }
}
