import { OperatorTestHarness } from '../operator-test.harness';
import { MAX_WATERMARK } from '../../core/stream-element.types';
import type { Collector, ProcessContext } from '../../api/functions.types';

const open = (kind: string, functions: Record<string, unknown>, extra: Partial<ConstructorParameters<typeof OperatorTestHarness>[0]> = {}) =>
  new OperatorTestHarness({ kind, functions, ...extra }).open();

describe('stateless operators', () => {
  it('map keeps timestamps and forwards watermarks', async () => {
    const h = await open('map', { fn: (x: number) => x + 1 });
    h.processElement(1, 10).processWatermark(5).processElement(2, 11);
    expect(h.events).toEqual([
      { type: 'record', value: 2, timestamp: 10 },
      { type: 'watermark', timestamp: 5 },
      { type: 'record', value: 3, timestamp: 11 },
    ]);
  });

  it('filter and flatMap', async () => {
    const f = await open('filter', { fn: (x: number) => x % 2 === 0 });
    [1, 2, 3, 4].forEach((x) => f.processElement(x, x));
    expect(f.recordsWithTimestamps()).toEqual([
      [2, 2],
      [4, 4],
    ]);
    const fm = await open('flatMap', { fn: (s: string, out: Collector<string>) => s.split(' ').forEach((w) => out.collect(w)) });
    fm.processElement('a b', 7).processElement('', 8);
    expect(fm.recordsWithTimestamps()).toEqual([
      ['a', 7],
      ['b', 7],
      ['', 8],
    ]);
  });

  it('process: side outputs, timestamp and per-subtask open()', async () => {
    const fn = {
      prefix: '',
      open(rc: { subtaskIndex: number }) {
        this.prefix = `s${rc.subtaskIndex}:`;
      },
      processElement(x: number, ctx: ProcessContext, out: Collector<string>) {
        if (x < 0) ctx.output({ id: 'neg' } as never, x);
        else out.collect(`${this.prefix}${x}@${ctx.timestamp()}`);
      },
    };
    const a = await open('process', { fn }, { subtaskIndex: 0, parallelism: 2 });
    const b = await open('process', { fn }, { subtaskIndex: 1, parallelism: 2 });
    a.processElement(1, 5).processElement(-1, 6);
    b.processElement(2, 7);
    expect(a.records()).toEqual(['s0:1@5']);
    expect(b.records()).toEqual(['s1:2@7']);
    expect(a.sideOutput('neg')).toEqual([-1]);
  });

  it('co-map and co-process dispatch by input', async () => {
    const cm = await open('co-map', { fn: { map1: (x: number) => `L${x}`, map2: (s: string) => `R${s}` } }, { inputs: 2 });
    cm.processElement(1, 0, 0).processElement('x', 0, 1);
    expect(cm.records()).toEqual(['L1', 'Rx']);
    const cp = await open(
      'co-process',
      {
        fn: {
          processElement1: (x: number, _c: ProcessContext, out: Collector<string>) => out.collect(`one:${x}`),
          processElement2: (x: number, _c: ProcessContext, out: Collector<string>) => out.collect(`two:${x}`),
        },
      },
      { inputs: 2 },
    );
    cp.processElement(1, 0, 1).processElement(2, 0, 0);
    expect(cp.records()).toEqual(['two:1', 'one:2']);
  });

  it('timestamps-watermarks stamps records, emits one watermark per batch and swallows upstream watermarks except MAX', async () => {
    const h = await open(
      'timestamps-watermarks',
      { timestampAssigner: (e: { t: number }) => e.t },
      { config: { strategy: { type: 'bounded', maxOutOfOrdernessMs: 2, hasTimestampAssigner: true } } },
    );
    h.processElement({ t: 10 }).processElement({ t: 14 }).processElement({ t: 12 });
    h.processWatermark(100);
    await h.endBatch();
    h.processWatermark(MAX_WATERMARK);
    expect(h.recordsWithTimestamps().map(([, t]) => t)).toEqual([10, 14, 12]);
    expect(h.watermarks()).toEqual([11, MAX_WATERMARK]);
  });
});

describe('timestamps-watermarks idleness', () => {
  it('declares idleness at the deadline and becomes active again with the next record', async () => {
    let now = 1000;
    const h = await new OperatorTestHarness({
      kind: 'timestamps-watermarks',
      clock: () => now,
      config: { strategy: { type: 'bounded', maxOutOfOrdernessMs: 0, hasTimestampAssigner: false, idlenessMs: 50 } },
    }).open();
    h.processElement('a', 10);
    await h.endBatch();
    expect(h.operator.nextProcessingTime!()).toBe(1050);
    now = 1050;
    h.advanceProcessingTime(now);
    expect(h.operator.nextProcessingTime!()).toBeUndefined();
    h.processElement('b', 20);
    await h.endBatch();
    expect(h.events.map((e) => e.type + (e.type === 'status' ? `:${e.idle}` : ''))).toEqual(['record', 'watermark', 'status:true', 'status:false', 'record', 'watermark']);
  });
});
