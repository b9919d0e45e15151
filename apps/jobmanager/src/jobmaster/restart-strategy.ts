/**
 * Restart strategies, as Flink's: what a job does when a task fails. `none` fails the job;
 * `fixed-delay` restarts up to N times with a pause; `exponential-delay` (the default with
 * checkpointing) doubles the pause up to a maximum and forgets old failures after a quiet period;
 * `failure-rate` restarts unless too many failures fall in an interval.
 */

import type { RestartStrategyConfig } from '@runnel/dataflow';

export type { RestartStrategyConfig };

export interface RestartStrategy {
  readonly config: RestartStrategyConfig;
  /** Records a failure at `now`; returns the pause before restarting, or undefined to fail the job. */
  onFailure(now: number): number | undefined;
}

export function restartStrategyFor(config: RestartStrategyConfig | undefined, checkpointing: boolean): RestartStrategy {
  const c: RestartStrategyConfig = config ?? (checkpointing ? { type: 'exponential-delay' } : { type: 'none' });
  switch (c.type) {
    case 'none':
      return { config: c, onFailure: () => undefined };
    case 'fixed-delay': {
      let restarts = 0;
      return { config: c, onFailure: () => (restarts++ < c.attempts ? c.delayMs : undefined) };
    }
    case 'exponential-delay': {
      const initial = c.initialBackoffMs ?? 1000;
      const max = c.maxBackoffMs ?? 60_000;
      const multiplier = c.multiplier ?? 2;
      const reset = c.resetBackoffThresholdMs ?? 3_600_000;
      const jitter = c.jitterFactor ?? 0.1;
      let backoff = 0;
      let lastFailure = -Infinity;
      return {
        config: c,
        onFailure: (now) => {
          backoff = now - lastFailure >= reset || backoff === 0 ? initial : Math.min(max, backoff * multiplier);
          lastFailure = now;
          // Jitter spreads the restarts of many jobs that failed together.
          return Math.round(backoff * (1 + jitter * (Math.random() * 2 - 1)));
        },
      };
    }
    case 'failure-rate': {
      const failures: number[] = [];
      return {
        config: c,
        onFailure: (now) => {
          failures.push(now);
          while (failures.length && failures[0] <= now - c.intervalMs) failures.shift();
          return failures.length <= c.maxFailures ? c.delayMs : undefined;
        },
      };
    }
  }
}
