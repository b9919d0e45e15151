import { WatermarkGenerator, WatermarkStrategy } from './watermark-strategy';
import { OperatorTestHarness } from '../runtime/operator-test.harness';
import { Boundedness, type Source } from '../connectors/source.types';
import { InvalidArgumentError } from '../core/dataflow.errors';
import { NO_TIMESTAMP } from '../core/stream-element.types';

describe('WatermarkStrategy', () => {
  it('bounded out-of-orderness: watermark = max timestamp - bound - 1, emitted once per batch, monotonic', () => {
    const s = WatermarkStrategy.forBoundedOutOfOrderness<{ t: number }>(10).withTimestampAssigner((e) => e.t);
    const g = new WatermarkGenerator(s.config, s.timestampAssigner, () => 0);
    expect(g.periodicWatermark()).toBeUndefined();
    for (const t of [100, 120, 90]) g.extract({ t }, undefined);
    expect(g.periodicWatermark()).toBe(109);
    expect(g.periodicWatermark()).toBeUndefined();
    g.extract({ t: 50 }, undefined);
    expect(g.periodicWatermark()).toBeUndefined();
  });

  it("a source's records (extractNew): the assigner's timestamp, or NO_TIMESTAMP without an assigner or for a non-number", () => {
    const s = WatermarkStrategy.forBoundedOutOfOrderness<{ t: unknown }>(10).withTimestampAssigner((e) => e.t as number);
    const g = new WatermarkGenerator(s.config, s.timestampAssigner, () => 0);
    expect([{ t: 100 }, { t: undefined }, { t: '200' }, { t: 120 }].map((e) => g.extractNew(e))).toEqual([100, NO_TIMESTAMP, NO_TIMESTAMP, 120]);
    expect(g.periodicWatermark()).toBe(109);
    expect(new WatermarkGenerator(s.config, undefined, () => 0).extractNew({ t: 5 })).toBe(NO_TIMESTAMP);
  });

  it('monotonous = bound 0; noWatermarks produces none', () => {
    const m = new WatermarkGenerator(WatermarkStrategy.forMonotonousTimestamps().config, undefined, () => 0);
    m.extract(1, 7);
    expect(m.periodicWatermark()).toBe(6);
    const n = new WatermarkGenerator(WatermarkStrategy.noWatermarks().config, undefined, () => 0);
    n.extract(1, 7);
    expect(n.periodicWatermark()).toBeUndefined();
  });

  it('rejects invalid arguments with InvalidArgumentError', () => {
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(-1)).toThrow(InvalidArgumentError);
    expect(() => WatermarkStrategy.forMonotonousTimestamps().withIdleness(0)).toThrow(InvalidArgumentError);
  });

  it('a source with idleness marks itself idle after idlenessMs without records and active again on data', async () => {
    let now = 0;
    let script: (number[] | null)[] = [[5], [], [], [9], null];
    const source: Source<number, number> = {
      boundedness: Boundedness.Bounded,
      createReader: () => ({ pollBatch: () => script.shift() ?? null, position: () => 0, restore: () => undefined }),
    };
    const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x).withIdleness(100);
    const h = new OperatorTestHarness({ kind: 'source', config: { strategy: strategy.config }, functions: { source, timestampAssigner: strategy.timestampAssigner }, clock: () => now });
    await h.open();
    const op = h.operator as unknown as { emitBatch(b: readonly number[] | null): string; sourceReader: { pollBatch(n: number): number[] | null } };
    const poll = () => op.emitBatch(op.sourceReader.pollBatch(10));
    poll();
    now = 50;
    poll();
    now = 150;
    poll();
    now = 160;
    poll();
    expect(h.events.map((e) => (e.type === 'status' ? `idle=${e.idle}` : e.type === 'watermark' ? `wm=${e.timestamp}` : `r=${(e as { value: number }).value}`))).toEqual([
      'r=5',
      'wm=4',
      'idle=true',
      'idle=false',
      'r=9',
      'wm=8',
    ]);
    script = [];
  });
});
