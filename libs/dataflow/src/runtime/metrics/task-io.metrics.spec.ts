/**
 * The runtime's metrics against counts made independently of it: a q5-shaped job over the Nexmark
 * generator (bids counted from the generator's id → kind rule), late records a window drops
 * (counted from the input), user-defined counters and histograms, and the names of the snapshot.
 */
import { StreamExecutionEnvironment } from '../../api/stream-execution-environment';
import { EmbeddedExecutor } from '../../executor/embedded.executor';
import type { SubtaskMetrics } from '../../executor/job-executor.types';
import { NexmarkSource } from '../../connectors/nexmark/nexmark.source';
import { nexmarkEventKind } from '../../connectors/nexmark/nexmark.generator';
import type { BidEvent, NexmarkEvent } from '../../connectors/nexmark/nexmark-event.types';
import { WatermarkStrategy } from '../../time/watermark-strategy';
import { SlidingEventTimeWindows, TumblingEventTimeWindows } from '../../time/window-assigners';
import type { ProcessFunction, RuntimeContext } from '../../api/functions.types';
import { END_WATERMARK_VALUE, NO_WATERMARK_VALUE, operatorMetricValues, taskMetricValues, watermarkValue } from './metric-names';
import { OperatorMetricGroup, InvalidMetricError, MAX_USER_METRICS } from './operator-metric.group';

const discard = { createWriter: () => ({ write: () => undefined }) };

async function run(env: StreamExecutionEnvironment, name: string, batchSize?: number): Promise<SubtaskMetrics[]> {
  const client = new EmbeddedExecutor().submit(env.buildJob(name), batchSize ? { batchSize } : {});
  await client.result;
  return client.metrics!();
}

const byVertex = (metrics: SubtaskMetrics[], name: RegExp) => metrics.filter((m) => name.test(m.vertexName));
const sum = (ms: SubtaskMetrics[], metric: 'numRecordsIn' | 'numRecordsOut') => ms.reduce((a, m) => a + taskMetricValues(m.snapshot)[metric], 0);

describe('task and operator metrics', () => {
  it('q5 shape: the source chain sends every bid and the window vertex receives every bid', async () => {
    const events = 20_000;
    let expectedBids = 0;
    for (let id = 0; id < events; id++) if (nexmarkEventKind(id) === 'bid') expectedBids++;

    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(4000).withTimestampAssigner((e) => e.dateTime);
    env
      .fromSource(new NexmarkSource({ events, seed: 7 }), strategy, 'Nexmark Generator')
      .filter((e: NexmarkEvent) => e.type === 'bid')
      .name('Bids')
      .keyBy((b) => (b as BidEvent).auction)
      .window(SlidingEventTimeWindows.of(10_000, 2_000))
      .aggregate({ createAccumulator: () => 0, add: (_: unknown, a: number) => a + 1, getResult: (a: number) => a, merge: (a: number, b: number) => a + b })
      .name('Bids per Auction and Window')
      .sinkTo(discard)
      .name('Sink');
    const metrics = await run(env, 'q5-metrics');

    const sources = byVertex(metrics, /Nexmark Generator/);
    const windows = byVertex(metrics, /Bids per Auction/);
    expect(sources).toHaveLength(2);
    expect(windows.length).toBeGreaterThan(0);
    expect(sum(sources, 'numRecordsOut')).toBe(expectedBids);
    expect(sum(windows, 'numRecordsIn')).toBe(expectedBids);

    // Operator scope: the chain's filter took every event and passed the bids on.
    const bidsIndex = sources[0].operators.indexOf('Bids');
    expect(bidsIndex).toBeGreaterThan(0);
    const filterIn = sources.reduce((a, m) => a + operatorMetricValues(m.snapshot, bidsIndex).numRecordsIn, 0);
    const filterOut = sources.reduce((a, m) => a + operatorMetricValues(m.snapshot, bidsIndex).numRecordsOut, 0);
    expect(filterIn).toBe(events);
    expect(filterOut).toBe(expectedBids);

    // A finished task's watermarks reached the end of input.
    for (const w of windows) {
      const v = taskMetricValues(w.snapshot);
      expect(v.currentInputWatermark).toBe(END_WATERMARK_VALUE);
      expect(v.numBytesIn).toBe(0); // in-memory channels count records only
    }
    // The sink is chained to the window: the chain's tail emits nothing downstream.
    expect(sum(windows, 'numRecordsOut')).toBe(0);
    const windowIndex = windows[0].operators.indexOf('Bids per Auction and Window');
    const fired = windows.reduce((a, m) => a + operatorMetricValues(m.snapshot, windowIndex).numRecordsOut, 0);
    expect(fired).toBeGreaterThan(0);
  });

  it('counts the records a window drops as too late', async () => {
    // Timestamps in order except the late ones: with no out-of-orderness every element whose
    // window ended before the current watermark is late.
    const input: [number, number][] = [];
    let expectedLate = 0;
    let maxTs = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < 400; i++) {
      const ts = i % 10 === 9 ? (i - 300) * 100 : i * 100;
      const windowEnd = Math.floor(ts / 1000) * 1000 + 1000;
      // The watermark before this element is maxTs - 1 (bounded out-of-orderness 0).
      if (windowEnd - 1 <= maxTs - 1) expectedLate++;
      maxTs = Math.max(maxTs, ts);
      input.push([i, ts]);
    }
    expect(expectedLate).toBeGreaterThan(0);
    const env = StreamExecutionEnvironment.createPlanEnvironment(1);
    env
      .fromElements(...input)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<[number, number]>().withTimestampAssigner((e) => e[1]))
      .keyBy(() => 0)
      .window(TumblingEventTimeWindows.of(1000))
      .aggregate({ createAccumulator: () => 0, add: (_: unknown, a: number) => a + 1, getResult: (a: number) => a, merge: (a: number, b: number) => a + b })
      .name('Window')
      .sinkTo(discard);
    // One element per batch: a watermark follows every element, so lateness is exact per element.
    const metrics = await run(env, 'late', 1);
    const window = byVertex(metrics, /Window/)[0];
    const index = window.operators.indexOf('Window');
    expect(operatorMetricValues(window.snapshot, index).numLateRecordsDropped).toBe(expectedLate);
  });

  it('reports user-defined counters and histograms of getRuntimeContext().getMetricGroup()', async () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    const fn: ProcessFunction<number, number> & { seen?: { inc(n?: number): void }; sizes?: { update(v: number): void } } = {
      open(ctx: RuntimeContext) {
        this.seen = ctx.getMetricGroup().counter('seen');
        this.sizes = ctx.getMetricGroup().histogram('sizes');
        ctx.getMetricGroup().gauge('answer', () => 42);
      },
      processElement(v, _ctx, out) {
        this.seen!.inc();
        this.sizes!.update(v);
        out.collect(v);
      },
    };
    const env = StreamExecutionEnvironment.createPlanEnvironment(1);
    env.fromElements(...values).process(fn).name('Counting').sinkTo(discard);
    const [task] = byVertex(await run(env, 'user'), /Counting/);
    const user = task.snapshot.user[task.operators.indexOf('Counting')];
    expect(user.seen).toBe(values.length);
    expect(user.answer).toBe(42);
    expect(user.sizes_count).toBe(values.length);
    expect(user.sizes_min).toBe(0);
    expect(user.sizes_max).toBe(100);
    expect(user.sizes_p50).toBe(50);
  });

  it('refuses metric names that are not identifiers, kind clashes and too many metrics', () => {
    const group = new OperatorMetricGroup('op');
    expect(() => group.counter('has space')).toThrow(InvalidMetricError);
    group.counter('c');
    expect(() => group.histogram('c')).toThrow(InvalidMetricError);
    expect(group.counter('c')).toBe(group.counter('c'));
    for (let i = 1; i < MAX_USER_METRICS; i++) group.counter(`c${i}`);
    expect(() => group.counter('one_more')).toThrow(InvalidMetricError);
  });

  it('encodes watermarks as Flink does: none yet is Long.MIN_VALUE', () => {
    expect(watermarkValue(Number.NEGATIVE_INFINITY)).toBe(NO_WATERMARK_VALUE);
    expect(watermarkValue(Number.POSITIVE_INFINITY)).toBe(END_WATERMARK_VALUE);
    expect(watermarkValue(1234)).toBe(1234);
  });
});
