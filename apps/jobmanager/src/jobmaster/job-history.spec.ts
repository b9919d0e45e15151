import type { JobId } from '@runnel/protocol';
import { JobHistory } from './job-history';

/** Job ids as labels (the history only keys on them): a fixture cast, not a parse. */
const id = (label: string) => label as JobId;

describe('JobHistory (JOB_HISTORY_SIZE, JOB_HISTORY_EXPIRY_MS)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  it('keeps at most `size` ended jobs, dropping the oldest first', () => {
    const history = new JobHistory({ size: 3, expiryMs: 60_000 }, clock);
    const dropped: string[] = [];
    for (let i = 1; i <= 10; i++) {
      now += 10;
      dropped.push(...history.jobEnded(id(`job-${i}`)));
      expect(history.size).toBe(Math.min(i, 3));
    }
    expect(dropped).toEqual(['job-1', 'job-2', 'job-3', 'job-4', 'job-5', 'job-6', 'job-7']);
  });

  it('drops ended jobs older than the expiry, and only those', () => {
    const history = new JobHistory({ size: 100, expiryMs: 1_000 }, clock);
    history.jobEnded(id('old'));
    now += 600;
    history.jobEnded(id('newer'));
    now += 500;
    expect(history.evict()).toEqual(['old']);
    expect(history.evict()).toEqual([]);
    now += 600;
    expect(history.evict()).toEqual(['newer']);
    expect(history.size).toBe(0);
  });

  it('size 0 keeps no ended job; a resubmitted job is not ended any more', () => {
    const none = new JobHistory({ size: 0, expiryMs: 1_000 }, clock);
    expect(none.jobEnded(id('a'))).toEqual(['a']);
    const history = new JobHistory({ size: 1, expiryMs: 1_000 }, clock);
    history.jobEnded(id('a'));
    history.forget(id('a'));
    expect(history.jobEnded(id('b'))).toEqual([]);
    expect(history.size).toBe(1);
  });
});
