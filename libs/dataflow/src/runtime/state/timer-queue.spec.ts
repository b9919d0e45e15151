import { TimerQueue } from './timer-queue';

describe('TimerQueue', () => {
  const fired = (q: TimerQueue<string>, upTo: number) => {
    const out: string[] = [];
    q.fireUpTo(upTo, (t) => out.push(`${t.timestamp}:${String(t.key)}:${t.namespace}`));
    return out;
  };

  it('fires in timestamp order, registration order within a timestamp, once per (key, namespace, timestamp)', () => {
    const q = new TimerQueue<string>();
    expect(q.add('a', 'a', 1, 'n', 20)).toBe(true);
    q.add('b', 'b', 2, 'n', 10);
    q.add('a', 'a', 1, 'm', 20);
    q.add('c', 'c', 3, 'n', 20);
    expect(q.add('a', 'a', 1, 'n', 20)).toBe(false);
    expect(q.size).toBe(4);
    expect(q.peek()).toBe(10);
    expect(fired(q, 15)).toEqual(['10:b:n']);
    expect(fired(q, 100)).toEqual(['20:a:n', '20:a:m', '20:c:n']);
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
  });

  it('deleted timers do not fire, also when deleted by a timer firing at the same timestamp', () => {
    const q = new TimerQueue<string>();
    q.add('a', 'a', 1, 'x', 5);
    q.add('a', 'a', 1, 'y', 5);
    q.add('b', 'b', 1, 'x', 5);
    q.add('c', 'c', 1, 'x', 6);
    expect(q.delete('c', 'x', 6)).toBe(true);
    expect(q.delete('c', 'x', 6)).toBe(false);
    const out: string[] = [];
    q.fireUpTo(10, (t) => {
      out.push(`${String(t.key)}:${t.namespace}`);
      if (t.key === 'a' && t.namespace === 'x') {
        q.delete('a', 'y', 5); // same chain, being fired
        q.delete('b', 'x', 5); // same bucket, not reached yet
        q.add('d', 'd', 1, 'x', 5); // due now: fires in this call
      }
    });
    expect(out).toEqual(['a:x', 'd:x']);
    expect(q.size).toBe(0);
  });

  it('lists pending timers in firing order', () => {
    const q = new TimerQueue<number>();
    q.add(1, 1, 0, 0, 30);
    q.add(2, 2, 0, 0, 10);
    q.add(1, 1, 0, 5, 10);
    expect([...q.pending()].map((t) => [t.timestamp, t.key, t.namespace])).toEqual([
      [10, 2, 0],
      [10, 1, 5],
      [30, 1, 0],
    ]);
  });
});
