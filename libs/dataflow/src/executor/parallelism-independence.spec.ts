/**
 * Property: a keyed, event-time windowed job gives the same results whatever the parallelism
 * (1 vs 4) and batch size. Expected values are computed directly from the generated events.
 */
import fc from 'fast-check';
import { CollectSink, EventTimeSessionWindows, SlidingEventTimeWindows, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../index';

interface Ev {
  key: string;
  ts: number;
  v: number;
}

type Assigner = 'tumbling' | 'sliding' | 'session';

async function runJob(events: Ev[], parallelism: number, batchSize: number, assigner: Assigner, outOfOrderness: number): Promise<string[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, { batchSize, channelCapacity: 2 });
  const sink = new CollectSink<string>();
  const windowAssigner =
    assigner === 'tumbling' ? TumblingEventTimeWindows.of(100) : assigner === 'sliding' ? SlidingEventTimeWindows.of(100, 50) : EventTimeSessionWindows.withGap(30);
  env
    .fromCollection(events)
    .rebalance()
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(outOfOrderness).withTimestampAssigner((e) => e.ts))
    .keyBy((e) => e.key)
    .window(windowAssigner)
    .aggregate(
      { createAccumulator: () => 0, add: (e: Ev, acc: number) => acc + e.v, getResult: (acc: number) => acc, merge: (a: number, b: number) => a + b },
      {
        process(key: string, ctx, sums: readonly number[], out) {
          out.collect(`${key}|${ctx.window.start}|${ctx.window.end}|${sums[0]}`);
        },
      },
    )
    .sinkTo(sink);
  await env.execute('property');
  return sink.values.sort();
}

function expected(events: Ev[], assigner: Assigner): string[] {
  const out = new Map<string, number>();
  const byKey = new Map<string, Ev[]>();
  for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  for (const [key, evs] of byKey) {
    if (assigner === 'session') {
      const sorted = [...evs].sort((a, b) => a.ts - b.ts);
      let start = sorted[0].ts;
      let end = start + 30;
      let sum = 0;
      for (const e of sorted) {
        if (e.ts > end) {
          out.set(`${key}|${start}|${end}`, sum);
          start = e.ts;
          sum = 0;
        }
        end = Math.max(end, e.ts + 30);
        sum += e.v;
      }
      out.set(`${key}|${start}|${end}`, sum);
      continue;
    }
    for (const e of evs) {
      const starts = assigner === 'tumbling' ? [Math.floor(e.ts / 100) * 100] : [Math.floor(e.ts / 50) * 50, Math.floor(e.ts / 50) * 50 - 50];
      for (const s of starts) {
        const id = `${key}|${s}|${s + 100}`;
        out.set(id, (out.get(id) ?? 0) + e.v);
      }
    }
  }
  return [...out].map(([id, sum]) => `${id}|${sum}`).sort();
}

describe('keyed windowed job results are independent of parallelism and batch size', () => {
  it.each<Assigner>(['tumbling', 'sliding', 'session'])('%s windows', async (assigner) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), ts: fc.integer({ min: 0, max: 2000 }), v: fc.integer({ min: -5, max: 50 }) }),
          { minLength: 1, maxLength: 120 },
        ),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (events, batchSize, sorted) => {
          // Either arbitrary order with a bound covering all disorder (windows fire at end of input),
          // or time-ordered input with monotonous watermarks (windows fire while the job runs).
          const input = sorted ? [...events].sort((a, b) => a.ts - b.ts) : events;
          const bound = sorted ? 0 : 1_000_000;
          const want = expected(events, assigner);
          expect(await runJob(input, 1, 256, assigner, bound)).toEqual(want);
          expect(await runJob(input, 4, batchSize, assigner, bound)).toEqual(want);
        },
      ),
      { numRuns: 25 },
    );
  });
});
