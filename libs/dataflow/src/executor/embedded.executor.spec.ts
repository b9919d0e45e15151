import {
  JobExecutionError,
  JobCancelledError,
  OutputTag,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  CollectSink,
} from '../index';

describe('EmbeddedExecutor', () => {
  it('runs map/filter/flatMap at parallelism 1 and 3', async () => {
    for (const p of [1, 3]) {
      const env = StreamExecutionEnvironment.createLocalEnvironment(p);
      const out = await env
        .fromSequence(1, 1000)
        .map((x) => x * 2)
        .filter((x) => x % 3 === 0)
        .flatMap<number>((x, c) => {
          c.collect(x);
          c.collect(-x);
        })
        .executeAndCollect();
      const expected: number[] = [];
      for (let x = 1; x <= 1000; x++) if ((x * 2) % 3 === 0) expected.push(x * 2, -x * 2);
      expect(out.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    }
  });

  it('keyed sum across parallel subtasks', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(4);
    const out = await env
      .fromSequence(0, 99)
      .map((i) => ({ k: `k${i % 5}`, v: i }))
      .keyBy((e) => e.k)
      .sum('v')
      .executeAndCollect();
    const finals = new Map<string, number>();
    for (const e of out) finals.set(e.k, Math.max(finals.get(e.k) ?? 0, e.v));
    for (let k = 0; k < 5; k++) {
      let s = 0;
      for (let i = k; i < 100; i += 5) s += i;
      expect(finals.get(`k${k}`)).toBe(s);
    }
    expect(out).toHaveLength(100);
  });

  it('event-time tumbling windows fire at end of bounded input', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const events = Array.from({ length: 50 }, (_, i) => ({ k: i % 2 ? 'a' : 'b', ts: (i * 37) % 500, n: 1 }));
    const sink = new CollectSink<{ k: string; n: number }>();
    env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<(typeof events)[0]>(1000).withTimestampAssigner((e) => e.ts))
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(100))
      .reduce((a, b) => ({ ...a, n: a.n + b.n }))
      .sinkTo(sink);
    await env.execute('windows');
    const expected = new Map<string, number>();
    for (const e of events) {
      const key = `${e.k}@${Math.floor(e.ts / 100)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const actual = new Map<string, number>();
    sink.values.forEach((v, i) => actual.set(`${v.k}@${Math.floor(sink.timestamps[i] / 100)}`, v.n));
    expect(actual).toEqual(expected);
  });

  it('rejects execute() with the user error as cause', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const boom = new Error('user boom');
    env
      .fromSequence(1, 100)
      .map((x) => {
        if (x === 50) throw boom;
        return x;
      })
      .sinkTo(new CollectSink<number>());
    const err = await env.execute('failing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobExecutionError);
    expect((err as JobExecutionError).cause).toBe(boom);
    expect((err as JobExecutionError).message).toContain('user boom');
  });

  it('side outputs reach their consumers', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const odd = new OutputTag<string>('odd');
    const main = env.fromSequence(1, 10).process<number>({
      processElement(v, ctx, out) {
        if (v % 2) ctx.output(odd, `odd:${v}`);
        else out.collect(v);
      },
    });
    const sideSink = new CollectSink<string>();
    main.getSideOutput(odd).sinkTo(sideSink);
    const mainSink = new CollectSink<number>();
    main.sinkTo(mainSink);
    await env.execute();
    expect(mainSink.values.sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10]);
    expect(sideSink.values.sort()).toEqual(['odd:1', 'odd:3', 'odd:5', 'odd:7', 'odd:9']);
  });
});

describe('EmbeddedExecutor with unbounded sources', () => {
  it('executeAsync + cancel stops an unbounded job; result rejects with JobCancelledError', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    let seen = 0;
    let reached!: () => void;
    const enough = new Promise<void>((r) => (reached = r));
    env.fromGenerator((i) => i).sinkTo({
      createWriter: () => ({
        write: (vs: readonly number[]) => {
          seen += vs.length;
          if (seen >= 5000) reached();
        },
      }),
    });
    const client = await env.executeAsync('endless');
    await enough;
    await client.cancel();
    await expect(client.result).rejects.toBeInstanceOf(JobCancelledError);
  });
});
