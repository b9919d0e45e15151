/**
 * Restart strategies, as in Flink: what the JobManager does when a task of the job fails. The
 * program only *declares* one (`env.setRestartStrategy(...)`); it travels as plain JSON in
 * `jobGraph.config.restartStrategy` and the JobManager's failover reads it. Without one, the
 * JobManager uses exponential-delay when checkpointing is on and `none` otherwise.
 */
import { InvalidArgumentError } from '../core/dataflow.errors';

export const RestartStrategyType = {
  None: 'none',
  FixedDelay: 'fixed-delay',
  ExponentialDelay: 'exponential-delay',
  FailureRate: 'failure-rate',
} as const;
export type RestartStrategyType = (typeof RestartStrategyType)[keyof typeof RestartStrategyType];

import type { ExponentialDelayOptions, RestartStrategyConfig } from '@runnel/protocol';
export type { ExponentialDelayOptions, RestartStrategyConfig };

const nonNegative = (name: string, v: unknown): void => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`restart strategy: ${name} must be a finite number >= 0, got ${String(v)}`);
};
const nonNegativeInt = (name: string, v: unknown): void => {
  nonNegative(name, v);
  if (!Number.isInteger(v)) throw new InvalidArgumentError(`restart strategy: ${name} must be an integer, got ${String(v)}`);
};

/**
 * Checks a config and returns a copy with only the known keys in a fixed order, so the JobGraph's
 * JSON (and its hash) does not depend on how the caller spelled the object.
 */
export function normalizeRestartStrategy(config: RestartStrategyConfig): RestartStrategyConfig {
  switch (config?.type) {
    case 'none':
      return { type: 'none' };
    case 'fixed-delay':
      nonNegativeInt('attempts', config.attempts);
      nonNegative('delayMs', config.delayMs);
      return { type: 'fixed-delay', attempts: config.attempts, delayMs: config.delayMs };
    case 'exponential-delay': {
      const out: { -readonly [K in keyof ExponentialDelayOptions]: number } = {};
      for (const k of ['initialBackoffMs', 'maxBackoffMs', 'multiplier', 'resetBackoffThresholdMs', 'jitterFactor'] as const) {
        if (config[k] === undefined) continue;
        nonNegative(k, config[k]);
        out[k] = config[k];
      }
      if (out.multiplier !== undefined && out.multiplier < 1) throw new InvalidArgumentError(`restart strategy: multiplier must be >= 1, got ${out.multiplier}`);
      if (out.jitterFactor !== undefined && out.jitterFactor > 1) throw new InvalidArgumentError(`restart strategy: jitterFactor must be in [0, 1], got ${out.jitterFactor}`);
      return { type: 'exponential-delay', ...out };
    }
    case 'failure-rate':
      nonNegativeInt('maxFailures', config.maxFailures);
      nonNegative('intervalMs', config.intervalMs);
      nonNegative('delayMs', config.delayMs);
      return { type: 'failure-rate', maxFailures: config.maxFailures, intervalMs: config.intervalMs, delayMs: config.delayMs };
    default:
      throw new InvalidArgumentError(`unknown restart strategy type: ${String((config as { type?: unknown } | undefined)?.type)}`);
  }
}

/** Flink-style factory helpers: `env.setRestartStrategy(RestartStrategies.fixedDelay(3, 1000))`. */
export const RestartStrategies = {
  noRestart: (): RestartStrategyConfig => ({ type: 'none' }),
  fixedDelay: (attempts: number, delayMs: number): RestartStrategyConfig => ({ type: 'fixed-delay', attempts, delayMs }),
  exponentialDelay: (options: ExponentialDelayOptions = {}): RestartStrategyConfig => ({ type: 'exponential-delay', ...options }),
  failureRate: (maxFailures: number, intervalMs: number, delayMs: number): RestartStrategyConfig => ({ type: 'failure-rate', maxFailures, intervalMs, delayMs }),
} as const;
