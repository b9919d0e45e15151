import { FailureRateLimiter } from './failure-rate.limiter';

describe('FailureRateLimiter', () => {
  it('refuses once maxFailures fall within the window, and allows again when they age out', () => {
    let now = 1_000;
    const limiter = new FailureRateLimiter(3, 10_000, () => now);
    limiter.record('exit code 1');
    now += 1_000;
    limiter.record('exit code 1');
    expect(limiter.refusal()).toBeUndefined();
    now += 1_000;
    limiter.record('signal SIGSEGV');
    const refusal = limiter.refusal();
    expect(refusal).toContain('3 TaskManagers failed within 10000 ms');
    expect(refusal).toContain('Last failure: signal SIGSEGV');
    expect(refusal).toContain('not starting more for 8 s');
    now = 1_000 + 10_000; // the first failure leaves the window
    expect(limiter.refusal()).toBeUndefined();
  });
});
