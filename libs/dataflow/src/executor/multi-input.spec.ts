import {
  CollectSink,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
  type ValueState,
  type KeyedCoProcessFunction,
} from '../index';

interface Order {
  user: string;
  ts: number;
  amount: number;
}
interface Click {
  user: string;
  ts: number;
  page: string;
}
const orders: Order[] = Array.from({ length: 40 }, (_, i) => ({ user: `u${i % 4}`, ts: i * 25, amount: i }));
const clicks: Click[] = Array.from({ length: 30 }, (_, i) => ({ user: `u${i % 3}`, ts: i * 33, page: `p${i}` }));

function streams(parallelism: number) {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, { batchSize: 7 });
  const o = env.fromCollection(orders).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Order>().withTimestampAssigner((e) => e.ts));
  const c = env.fromCollection(clicks).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((e) => e.ts));
  return { env, o, c };
}

describe('multi-input operators on the embedded executor', () => {
  it('union merges streams', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(3);
    const out = await env.fromSequence(1, 5).union(env.fromSequence(10, 12), env.fromElements(100)).executeAndCollect();
    expect(out.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 10, 11, 12, 100]);
  });

  it('connect + CoMapFunction', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const out = await env
      .fromElements(1, 2)
      .connect(env.fromElements('a', 'b'))
      .map({ map1: (n) => `n${n}`, map2: (s) => `s${s}` })
      .executeAndCollect();
    expect(out.sort()).toEqual(['n1', 'n2', 'sa', 'sb']);
  });

  it('keyed connect + KeyedCoProcessFunction shares keyed state across both inputs', async () => {
    const { env, o, c } = streams(3);
    // Per-subtask fields live on `this` (each parallel instance gets its own Object.create(fn)).
    const out = await o
      .keyBy((x) => x.user)
      .connect(c.keyBy((x) => x.user))
      .process<string>({
        total: undefined as unknown as ValueState<number>,
        open(rc) {
          this.total = rc.getState(new ValueStateDescriptor<number>('total', 0));
        },
        processElement1(x, _ctx, _out) {
          this.total.update(this.total.value()! + x.amount);
        },
        processElement2(x, ctx, out) {
          out.collect(`${ctx.getCurrentKey()}:${x.page}:${this.total.value()! >= 0}`);
        },
      } as KeyedCoProcessFunction<string, Order, Click, string> & { total: ValueState<number> })
      .executeAndCollect();
    void env;
    expect(out.sort()).toEqual(clicks.map((k) => `${k.user}:${k.page}:true`).sort());
  });

  it('window join pairs equal keys within the same tumbling window', async () => {
    const { o, c } = streams(2);
    const out = await o
      .join(c)
      .where((x) => x.user)
      .equalTo((x) => x.user)
      .window(TumblingEventTimeWindows.of(100))
      .apply((a, b) => `${a.amount}/${b.page}`)
      .executeAndCollect();
    const expected: string[] = [];
    for (const a of orders) for (const b of clicks) if (a.user === b.user && Math.floor(a.ts / 100) === Math.floor(b.ts / 100)) expected.push(`${a.amount}/${b.page}`);
    expect(out.sort()).toEqual(expected.sort());
  });

  it('interval join pairs b with a when a.ts - 30 <= b.ts <= a.ts + 10', async () => {
    const { o, c } = streams(4);
    const out = await o
      .keyBy((x) => x.user)
      .intervalJoin(c.keyBy((x) => x.user))
      .between(-30, 10)
      .process<string>({ processElement: (a, b, _ctx, out) => out.collect(`${a.amount}/${b.page}`) })
      .executeAndCollect();
    const expected: string[] = [];
    for (const a of orders) for (const b of clicks) if (a.user === b.user && b.ts >= a.ts - 30 && b.ts <= a.ts + 10) expected.push(`${a.amount}/${b.page}`);
    expect(out.sort()).toEqual(expected.sort());
  });

  it('broadcast sends every record to every parallel instance', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(3);
    const sink = new CollectSink<number>();
    env.fromElements(1, 2).broadcast().map((x) => x * 10).sinkTo(sink);
    await env.execute();
    expect(sink.values.sort((a, b) => a - b)).toEqual([10, 10, 10, 20, 20, 20]);
  });

  it('backpressure: a slow async sink with channel capacity 1 still receives every record', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2, { batchSize: 4, channelCapacity: 1 });
    const got: number[] = [];
    env.fromSequence(1, 300).keyBy(() => 'one').map((x) => x).sinkTo({
      createWriter: () => ({
        write: async (values: readonly number[]) => {
          await new Promise((r) => setImmediate(r));
          got.push(...values);
        },
      }),
    });
    await env.execute();
    expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
