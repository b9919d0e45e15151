/** Buffer timeout and auto-watermark interval: where they land in the JobGraph, and what is refused. */
import { InvalidArgumentError, StreamExecutionEnvironment, WatermarkStrategy, jobGraphHash } from '../index';
import { WatermarkGenerator } from '../time/watermark-strategy';

describe('setBufferTimeout', () => {
  it('goes to the job config, and an operator setting to its chain, nearest the tail winning', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment(1).setBufferTimeout(-1).setAutoWatermarkInterval(0);
    env.fromSequence(1, 10).uid('seq').map((x: number) => x + 1).uid('m1').setBufferTimeout(5).map((x: number) => x * 2).uid('m2').setBufferTimeout(0).rebalance().print();
    const { jobGraph } = env.buildJob('bt');
    expect(jobGraph.config.bufferTimeoutMs).toBe(-1);
    expect(jobGraph.config.autoWatermarkIntervalMs).toBe(0);
    const head = jobGraph.vertices.find((v) => v.operators.some((o) => o.uid === 'm2'))!;
    expect(head.bufferTimeoutMs).toBe(0);
  });

  it('leaves the graph (and its hash) as before when unset', () => {
    const build = (configure: (env: StreamExecutionEnvironment) => void) => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(1);
      configure(env);
      env.fromSequence(1, 3).uid('seq').print();
      return env.buildJob('h').jobGraph;
    };
    const plain = build(() => undefined);
    expect(plain.config).not.toHaveProperty('bufferTimeoutMs');
    expect(plain.vertices.every((v) => !('bufferTimeoutMs' in v))).toBe(true);
    expect(jobGraphHash(build((env) => env.setBufferTimeout(100)))).not.toBe(jobGraphHash(plain));
  });

  it('refuses values other than -1 and 0..3600000 ms', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment(1);
    for (const bad of [-2, 1.5, Number.NaN, 3_600_001]) expect(() => env.setBufferTimeout(bad)).toThrow(InvalidArgumentError);
    expect(() => env.fromSequence(1, 2).map((x: number) => x).setBufferTimeout(-5)).toThrow(InvalidArgumentError);
    expect(() => env.setAutoWatermarkInterval(-1)).toThrow(InvalidArgumentError);
  });
});

describe('auto-watermark interval', () => {
  const config = WatermarkStrategy.forBoundedOutOfOrderness<number>(0).config;
  afterEach(() => jest.useRealTimers());

  it('0 emits after every batch whose max timestamp advanced', () => {
    const gen = new WatermarkGenerator<number>(config, undefined, () => 0, 0);
    gen.extract(0, 10);
    expect(gen.periodicWatermark()).toBe(9);
    gen.extract(0, 20);
    expect(gen.periodicWatermark()).toBe(19);
  });

  it('> 0 withholds watermarks until the interval has passed, then emits the latest', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const gen = new WatermarkGenerator<number>(config, undefined, () => 0, 200);
    gen.extract(0, 10);
    expect(gen.periodicWatermark()).toBe(9);
    gen.extract(0, 20);
    expect(gen.periodicWatermark()).toBeUndefined();
    jest.advanceTimersByTime(199);
    expect(gen.periodicWatermark()).toBeUndefined();
    gen.extract(0, 30);
    jest.advanceTimersByTime(1);
    expect(gen.periodicWatermark()).toBe(29);
  });
});
