import { OperatorTestHarness } from '../operator-test.harness';

interface E {
  k: string;
  id: string;
}

describe('IntervalJoinOperator', () => {
  it('joins b with a when a.ts + lower <= b.ts <= a.ts + upper, and cleans buffers by watermark', async () => {
    const h = await new OperatorTestHarness({
      kind: 'interval-join',
      keyed: true,
      inputs: 2,
      config: { lower: -2, upper: 3 },
      functions: {
        fn: { processElement: (l: E, r: E, _ctx: unknown, out: { collect(v: string): void }) => out.collect(`${l.id}-${r.id}`) },
        keySelectors: [(e: E) => e.k, (e: E) => e.k],
      },
    }).open();
    const lefts: [E, number][] = [
      [{ k: 'x', id: 'L1' }, 10],
      [{ k: 'y', id: 'L2' }, 10],
      [{ k: 'x', id: 'L3' }, 20],
    ];
    const rights: [E, number][] = [
      [{ k: 'x', id: 'R1' }, 8],
      [{ k: 'x', id: 'R2' }, 13],
      [{ k: 'x', id: 'R3' }, 14],
      [{ k: 'y', id: 'R4' }, 12],
      [{ k: 'x', id: 'R5' }, 19],
    ];
    // Interleave: left, right, left, right...
    const all = [...lefts.map((l) => [...l, 0] as const), ...rights.map((r) => [...r, 1] as const)].sort((a, b) => a[1] - b[1]);
    for (const [e, ts, side] of all) h.processElement(e, ts, side);
    const expected: string[] = [];
    for (const [l, lt] of lefts) for (const [r, rt] of rights) if (l.k === r.k && rt >= lt - 2 && rt <= lt + 3) expected.push(`${l.id}-${r.id}`);
    expect(h.records().map(String).sort()).toEqual(expected.sort());
    const ts = h.recordsWithTimestamps().find(([v]) => v === 'L1-R2')![1];
    expect(ts).toBe(13);
    h.processWatermark(1000);
    expect(h.snapshot().keyed?.groups).toEqual({});
  });
});
