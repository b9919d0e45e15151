/**
 * The column row of a key group's windows and aligned timers: the encoding written out by hand
 * (deltas, the previous key's base, a key with timers and no window), what a reader sees of it,
 * and a truncated row refused rather than restored wrong.
 */
import { WINDOW_COLUMNS, WindowColumnsWriter, readWindowColumns } from './window.columns';

const entry = (key: string, starts: number[], ends: number[], accs: unknown[]) => ({ key, starts, ends, accs });

describe('window columns', () => {
  const writer = new WindowColumnsWriter();
  writer.add(entry('A', [1000, 3000], [1010, 3010], ['x', 'y']), [1009, 3009], undefined);
  writer.add(entry('B', [], [], []), undefined, [995]);
  const [key, ns, value] = writer.row();

  it('writes windows and timers as small numbers relative to a base', () => {
    expect(key).toBeNull();
    expect(ns).toBe(WINDOW_COLUMNS);
    expect(value).toEqual({
      keys: ['A', 'B'],
      // A: 2 windows, base 1000 (− 0), starts +0 +2000, lengths 10 10, fire 2: +9 +2009, cleanup 0.
      // B: 0 windows, base 995 (− 1000), fire 0, cleanup 1: +0.
      nums: [2, 1000, 0, 2000, 10, 10, 2, 9, 2009, 0, 0, -5, 0, 1, 0],
      accs: ['x', 'y'],
    });
  });

  it('reads back every window, timer and window-less key in order', () => {
    const seen: unknown[] = [];
    readWindowColumns(value, {
      window: (k, start, end, acc) => seen.push(['window', k, start, end, acc]),
      timer: (k, kind, ts) => seen.push([kind, k, ts]),
      key: (k) => seen.push(['key', k]),
    });
    expect(seen).toEqual([
      ['window', 'A', 1000, 1010, 'x'],
      ['window', 'A', 3000, 3010, 'y'],
      ['fire', 'A', 1009],
      ['fire', 'A', 3009],
      ['key', 'B'],
      ['cleanup', 'B', 995],
    ]);
  });

  it('refuses a row whose numbers do not add up', () => {
    const cut = { ...(value as { nums: number[] }), nums: [2, 1000, 0, 2000, 10, 10, 2, 9, 2009, 0, 0, -5, 0, 1, 0, 7] };
    const none = { window: () => undefined, timer: () => undefined, key: () => undefined };
    expect(() => readWindowColumns(cut, none)).toThrow(/inconsistent/);
  });
});
