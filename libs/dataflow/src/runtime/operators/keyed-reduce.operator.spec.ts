import { OperatorTestHarness } from '../operator-test.harness';

interface Row {
  k: string;
  v: number;
  tag: string;
}
const rows: Row[] = [
  { k: 'a', v: 3, tag: 'first' },
  { k: 'a', v: 1, tag: 'second' },
  { k: 'b', v: 5, tag: 'b1' },
  { k: 'a', v: 7, tag: 'third' },
];

async function run(aggregation: string, field: string | null, reduce?: unknown) {
  const h = await new OperatorTestHarness({
    kind: 'keyed-reduce',
    keyed: true,
    config: { aggregation, field },
    functions: { reduce, keySelectors: [(r: Row) => r.k] },
  }).open();
  rows.forEach((r, i) => h.processElement(r, i));
  return h.recordsWithTimestamps();
}

describe('KeyedReduceOperator', () => {
  it('reduce emits the running value per key with the record timestamp', async () => {
    expect(await run('reduce', null, (a: Row, b: Row) => ({ ...a, v: a.v * b.v }))).toEqual([
      [{ k: 'a', v: 3, tag: 'first' }, 0],
      [{ k: 'a', v: 3, tag: 'first' }, 1],
      [{ k: 'b', v: 5, tag: 'b1' }, 2],
      [{ k: 'a', v: 21, tag: 'first' }, 3],
    ]);
  });
  it('sum / min / max keep other fields of the first element; minBy / maxBy keep whole elements', async () => {
    const last = async (agg: string) => (await run(agg, 'v')).filter(([r]) => (r as Row).k === 'a').map(([r]) => r).pop();
    expect(await last('sum')).toEqual({ k: 'a', v: 11, tag: 'first' });
    expect(await last('min')).toEqual({ k: 'a', v: 1, tag: 'first' });
    expect(await last('max')).toEqual({ k: 'a', v: 7, tag: 'first' });
    expect(await last('minBy')).toEqual({ k: 'a', v: 1, tag: 'second' });
    expect(await last('maxBy')).toEqual({ k: 'a', v: 7, tag: 'third' });
  });
});
