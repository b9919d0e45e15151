import { restartStrategyFor } from './restart-strategy';

describe('restart strategies', () => {
  it('none fails at once; the default without checkpointing is none', () => {
    expect(restartStrategyFor(undefined, false).onFailure(0)).toBeUndefined();
  });

  it('fixed-delay restarts N times with its pause', () => {
    const s = restartStrategyFor({ type: 'fixed-delay', attempts: 2, delayMs: 50 }, false);
    expect([s.onFailure(0), s.onFailure(1), s.onFailure(2)]).toEqual([50, 50, undefined]);
  });

  it('exponential-delay (the default with checkpointing) grows the pause to its maximum and resets after a quiet period', () => {
    const s = restartStrategyFor({ type: 'exponential-delay', initialBackoffMs: 100, maxBackoffMs: 350, multiplier: 2, resetBackoffThresholdMs: 10_000, jitterFactor: 0 }, true);
    expect([s.onFailure(0), s.onFailure(1), s.onFailure(2), s.onFailure(3)]).toEqual([100, 200, 350, 350]);
    expect(s.onFailure(20_000)).toBe(100);
    expect(restartStrategyFor(undefined, true).config.type).toBe('exponential-delay');
  });

  it('failure-rate gives up when too many failures fall in the interval', () => {
    const s = restartStrategyFor({ type: 'failure-rate', maxFailures: 2, intervalMs: 1000, delayMs: 10 }, false);
    expect([s.onFailure(0), s.onFailure(100), s.onFailure(200)]).toEqual([10, 10, undefined]);
    const t = restartStrategyFor({ type: 'failure-rate', maxFailures: 2, intervalMs: 1000, delayMs: 10 }, false);
    expect([t.onFailure(0), t.onFailure(100), t.onFailure(1500)]).toEqual([10, 10, 10]);
  });
});
