import { checkRows } from './bench.check';
import { spread } from './bench.stats';

describe('bench answer check and spread', () => {
  it('passes equal rows in any order and fails a missing, extra or changed row', () => {
    const ref = [
      { w: 0, a: 1, c: 3 },
      { w: 0, a: 2, c: 3 },
    ];
    expect(checkRows([ref[1], ref[0]], ref).ok).toBe(true);
    expect(checkRows([ref[0]], ref)).toMatchObject({ ok: false });
    expect(checkRows([...ref, ref[0]], ref).ok).toBe(false);
    const changed = checkRows([ref[0], { w: 0, a: 2, c: 4 }], ref);
    expect(changed.ok).toBe(false);
    expect(changed.detail).toContain('1 missing');
  });

  it('min, median and max of repeats', () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 2, 3])).toEqual({ min: 1, median: 2.5, max: 4 });
  });
});
