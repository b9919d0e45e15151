/** Buffer timeout and auto-watermark interval: where they land in the JobGraph, and what is refused. */
import { InvalidArgumentError, type SingleOutputStreamOperator, StreamExecutionEnvironment, WatermarkStrategy, jobGraphHash, toFlinkPlan } from '../index';
import { WatermarkGenerator } from '../time/watermark-strategy';

describe('setBufferTimeout', () => {
  it('goes to the job config, and an operator setting to its outputs, the one nearest them winning', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment(1).setBufferTimeout(-1).setAutoWatermarkInterval(0);
    env.fromSequence(1, 10).uid('seq').map((x: number) => x + 1).uid('m1').setBufferTimeout(5).map((x: number) => x * 2).uid('m2').setBufferTimeout(0).rebalance().print();
    const { jobGraph } = env.buildJob('bt');
    expect(jobGraph.config.bufferTimeoutMs).toBe(-1);
    expect(jobGraph.config.autoWatermarkIntervalMs).toBe(0);
    const head = jobGraph.vertices.find((v) => v.operators.some((o) => o.uid === 'm2'))!;
    expect(head.bufferTimeoutMs).toBe(0);
  });

  it('a linear chain keeps its one timeout on the vertex; its edges name none (graph and hash as before edges could)', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment(2).setBufferTimeout(-1);
    env.fromSequence(1, 10).uid('seq').setBufferTimeout(5).map((x: number) => x + 1).uid('m1').keyBy((x: number) => x % 2).sum().uid('sum').setBufferTimeout(0).print().uid('out');
    const { jobGraph } = env.buildJob('linear');
    expect(jobGraph.vertices.map((v) => v.bufferTimeoutMs)).toEqual([5, 0]);
    expect(JSON.stringify(jobGraph.edges)).not.toContain('bufferTimeoutMs');
    // Computed by the builder of 1d7a78b, where a vertex had the only per-chain timeout.
    expect(jobGraphHash(jobGraph)).toBe('be947c21875e95b4faa53b0df75814a96cd36b23343ce57761e751d0a450508b');
  });

  describe('in a branched chain (a source feeding two filters: one task, one edge per filter)', () => {
    const build = (configure: (src: SingleOutputStreamOperator<number>, evens: SingleOutputStreamOperator<number>, odds: SingleOutputStreamOperator<number>) => void) => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(1);
      const src = env.fromSequence(1, 10).uid('src');
      const evens = src.filter((x) => x % 2 === 0).uid('evens');
      const odds = src.filter((x) => x % 2 === 1).uid('odds');
      configure(src, evens, odds);
      evens.rebalance().print().uid('out-evens');
      odds.rebalance().print().uid('out-odds');
      const { jobGraph } = env.buildJob('branches');
      expect(jobGraph.vertices[0].operators.map((o) => o.uid)).toEqual(['src', 'evens', 'odds']);
      const edgeFrom = (uid: string) => jobGraph.edges.find((e) => (e.sourceOperator ?? 'odds') === uid)!;
      return { jobGraph, vertex: jobGraph.vertices[0], evens: edgeFrom('evens'), odds: edgeFrom('odds') };
    };

    it('a timeout on one filter goes to that filter\'s edge only (the other keeps the default)', () => {
      for (const [timeout, other] of [[0, -1], [-1, 0]] as const) {
        const onEvens = build((_s, evens) => evens.setBufferTimeout(timeout));
        expect(onEvens.evens.bufferTimeoutMs).toBe(timeout);
        expect(onEvens.odds).not.toHaveProperty('bufferTimeoutMs');
        expect(onEvens.vertex).not.toHaveProperty('bufferTimeoutMs');
        const onOdds = build((_s, _e, odds) => odds.setBufferTimeout(other));
        expect(onOdds.odds.bufferTimeoutMs).toBe(other);
        expect(onOdds.evens).not.toHaveProperty('bufferTimeoutMs');
        expect(onOdds.vertex).not.toHaveProperty('bufferTimeoutMs');
      }
    });

    it('an upstream timeout in the branch applies unless a nearer one is set; one shared by all outputs stays on the vertex', () => {
      const nearest = build((src, evens) => {
        src.setBufferTimeout(5);
        evens.setBufferTimeout(0);
      });
      expect([nearest.vertex.bufferTimeoutMs, nearest.evens.bufferTimeoutMs, nearest.odds.bufferTimeoutMs]).toEqual([undefined, 0, 5]);
      const shared = build((src) => src.setBufferTimeout(5));
      expect([shared.vertex.bufferTimeoutMs, shared.evens.bufferTimeoutMs, shared.odds.bufferTimeoutMs]).toEqual([5, undefined, undefined]);
    });

    it('the plan shows each input\'s timeout where the job sets one', () => {
      const { jobGraph } = build((_s, evens) => evens.setBufferTimeout(0));
      const plan = toFlinkPlan(jobGraph);
      const inputOf = (sink: string) => plan.nodes.find((n) => n.id === sink)!.inputs![0];
      expect(inputOf('out-evens').buffer_timeout_ms).toBe(0);
      expect(inputOf('out-odds')).not.toHaveProperty('buffer_timeout_ms');
    });

    it('with no timeouts set, the graph has none anywhere', () => {
      const { jobGraph } = build(() => undefined);
      expect(JSON.stringify(jobGraph)).not.toContain('bufferTimeoutMs');
    });
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
