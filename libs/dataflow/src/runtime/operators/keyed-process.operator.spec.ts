import { OperatorTestHarness } from '../operator-test.harness';
import { ValueStateDescriptor, type ValueState } from '../state/state.types';
import type { Collector, KeyedContext, KeyedProcessFunction, OnTimerContext, RuntimeContext } from '../../api/functions.types';

interface Ev {
  k: string;
  v: number;
}

/** Emits the count per key when the event-time timer at the end of the element's 10ms bucket fires. */
function countingFn(log: string[]): KeyedProcessFunction<string, Ev, string> {
  let count!: ValueState<number>;
  return {
    open(rc: RuntimeContext) {
      count = rc.getState(new ValueStateDescriptor<number>('count', 0));
    },
    processElement(e: Ev, ctx: KeyedContext<string>, _out: Collector<string>) {
      const n = count.value()! + 1;
      count.update(n);
      // Registered on every element: timers are deduplicated per (key, timestamp).
      ctx.timerService().registerEventTimeTimer(Math.floor(ctx.timestamp()! / 10) * 10 + 9);
      ctx.timerService().registerProcessingTimeTimer(1000);
    },
    onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>) {
      log.push(`${ctx.timeDomain()}:${ctx.getCurrentKey()}@${ts}`);
      if (ctx.timeDomain() === 'event-time') out.collect(`${ctx.getCurrentKey()}=${count.value()}`);
    },
  };
}

function harness(fn: KeyedProcessFunction<string, Ev, string>, clock = () => 0) {
  return new OperatorTestHarness({ kind: 'keyed-process', keyed: true, functions: { fn, keySelectors: [(e: Ev) => e.k] }, clock });
}

describe('KeyedProcessOperator', () => {
  it('keyed state + event-time timers fire in timestamp order with the key set; dedup; processing-time timers', async () => {
    const log: string[] = [];
    let now = 0;
    const h = await harness(countingFn(log), () => now).open();
    h.processElement({ k: 'a', v: 1 }, 5).processElement({ k: 'b', v: 1 }, 11).processElement({ k: 'a', v: 1 }, 6);
    h.processWatermark(14);
    expect(h.recordsWithTimestamps()).toEqual([['a=2', 9]]);
    h.processWatermark(19);
    expect(h.records()).toEqual(['a=2', 'b=1']);
    expect(log).toEqual(['event-time:a@9', 'event-time:b@19']);
    now = 1000;
    h.advanceProcessingTime(1000);
    expect(log.slice(2).sort()).toEqual(['processing-time:a@1000', 'processing-time:b@1000']);
  });

  it('timers and state survive snapshot/restore', async () => {
    const log: string[] = [];
    const h = await harness(countingFn(log)).open();
    h.processElement({ k: 'a', v: 1 }, 5).processElement({ k: 'a', v: 1 }, 7);
    const snap = h.snapshot();
    const log2: string[] = [];
    const h2 = await harness(countingFn(log2)).open(JSON.parse(JSON.stringify(snap)));
    h2.processElement({ k: 'a', v: 1 }, 8);
    h2.processWatermark(100);
    expect(h2.records()).toEqual(['a=3']);
    expect(log2).toEqual(['event-time:a@9']);
  });

  it('side outputs via ctx.output', async () => {
    const h = await harness({
      processElement(e, ctx, out) {
        if (e.v < 0) ctx.output({ id: 'neg' } as never, e);
        else out.collect(e.k);
      },
    }).open();
    h.processElement({ k: 'a', v: -1 }, 1).processElement({ k: 'b', v: 1 }, 2);
    expect(h.records()).toEqual(['b']);
    expect(h.sideOutput('neg')).toEqual([{ k: 'a', v: -1 }]);
  });
});
