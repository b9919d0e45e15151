/** Checkpointing options and restart strategies as the JobManager reads them from jobGraph.config. */
import { InvalidArgumentError, RestartStrategies, StreamExecutionEnvironment, jobGraphHash, type RestartStrategyConfig } from '../index';

function graph(configure: (env: StreamExecutionEnvironment) => void) {
  const env = StreamExecutionEnvironment.createPlanEnvironment(2);
  configure(env);
  env.fromSequence(1, 10).uid('seq').print();
  const { jobGraph } = env.buildJob('cfg');
  return JSON.parse(JSON.stringify(jobGraph)) as typeof jobGraph;
}

describe('checkpointing options', () => {
  it('defaults tolerableFailures to 3 and retained to 2', () => {
    expect(graph((env) => env.enableCheckpointing(500)).config.checkpointing).toEqual({
      intervalMs: 500,
      mode: 'exactly-once',
      timeoutMs: 600_000,
      minPauseBetweenMs: 0,
      maxConcurrent: 1,
      tolerableFailures: 3,
      retained: 2,
    });
  });
  it('sets the externalized checkpoint cleanup with Flink\'s names, only when asked', () => {
    expect(graph((env) => env.enableCheckpointing(500).setExternalizedCheckpointCleanup('RETAIN_ON_CANCELLATION')).config.checkpointing?.externalizedCheckpointCleanup).toBe('RETAIN_ON_CANCELLATION');
    expect(graph((env) => env.enableCheckpointing(500, { externalizedCheckpointCleanup: 'DELETE_ON_CANCELLATION' })).config.checkpointing?.externalizedCheckpointCleanup).toBe('DELETE_ON_CANCELLATION');
    expect(graph((env) => env.enableCheckpointing(500)).config.checkpointing).not.toHaveProperty('externalizedCheckpointCleanup');
    const env = StreamExecutionEnvironment.createPlanEnvironment();
    expect(() => env.setExternalizedCheckpointCleanup('RETAIN_ON_CANCELLATION')).toThrow(/enableCheckpointing first/);
    expect(() => env.enableCheckpointing(100).setExternalizedCheckpointCleanup('KEEP' as never)).toThrow(InvalidArgumentError);
  });
  it('keeps every option and rejects invalid ones', () => {
    const c = graph((env) =>
      env.enableCheckpointing(1000, { mode: 'at-least-once', timeoutMs: 5000, minPauseBetweenMs: 100, maxConcurrent: 2, tolerableFailures: 0, retained: 3 }),
    ).config.checkpointing;
    expect(c).toEqual({ intervalMs: 1000, mode: 'at-least-once', timeoutMs: 5000, minPauseBetweenMs: 100, maxConcurrent: 2, tolerableFailures: 0, retained: 3 });
    const env = StreamExecutionEnvironment.createPlanEnvironment();
    expect(() => env.enableCheckpointing(100, { retained: 0 })).toThrow(InvalidArgumentError);
    expect(() => env.enableCheckpointing(100, { tolerableFailures: -1 })).toThrow(InvalidArgumentError);
    expect(() => env.enableCheckpointing(100, { mode: 'sometimes' as never })).toThrow(InvalidArgumentError);
  });
});

describe('restart strategies', () => {
  it.each<[string, RestartStrategyConfig, RestartStrategyConfig]>([
    ['noRestart', RestartStrategies.noRestart(), { type: 'none' }],
    ['fixedDelay', RestartStrategies.fixedDelay(3, 200), { type: 'fixed-delay', attempts: 3, delayMs: 200 }],
    ['failureRate', RestartStrategies.failureRate(5, 60_000, 1000), { type: 'failure-rate', maxFailures: 5, intervalMs: 60_000, delayMs: 1000 }],
    ['exponentialDelay()', RestartStrategies.exponentialDelay(), { type: 'exponential-delay' }],
    [
      'exponentialDelay(options)',
      RestartStrategies.exponentialDelay({ initialBackoffMs: 10, maxBackoffMs: 1000, multiplier: 1.5, resetBackoffThresholdMs: 5000, jitterFactor: 0 }),
      { type: 'exponential-delay', initialBackoffMs: 10, maxBackoffMs: 1000, multiplier: 1.5, resetBackoffThresholdMs: 5000, jitterFactor: 0 },
    ],
  ])('%s is stored as config.restartStrategy', (_name, config, expected) => {
    expect(graph((env) => env.setRestartStrategy(config)).config.restartStrategy).toEqual(expected);
  });

  it('the graph hash does not depend on how the object was spelled; no strategy means no key', () => {
    const a = graph((env) => env.setRestartStrategy({ type: 'fixed-delay', attempts: 3, delayMs: 200 }));
    const b = graph((env) => env.setRestartStrategy({ delayMs: 200, attempts: 3, type: 'fixed-delay', extra: 1 } as unknown as RestartStrategyConfig));
    expect(jobGraphHash(a)).toBe(jobGraphHash(b));
    expect('restartStrategy' in graph(() => undefined).config).toBe(false);
  });

  it('rejects unknown types and invalid numbers', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment();
    expect(() => env.setRestartStrategy({ type: 'sometimes' } as never)).toThrow(InvalidArgumentError);
    expect(() => env.setRestartStrategy(RestartStrategies.fixedDelay(-1, 0))).toThrow(InvalidArgumentError);
    expect(() => env.setRestartStrategy(RestartStrategies.failureRate(1, Number.NaN, 0))).toThrow(InvalidArgumentError);
    expect(() => env.setRestartStrategy(RestartStrategies.exponentialDelay({ multiplier: 0.5 }))).toThrow(InvalidArgumentError);
  });
});
