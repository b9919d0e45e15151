import {
  DataStream,
  DuplicateUidError,
  InvalidParallelismError,
  KeyedStream,
  MissingWatermarksError,
  NonKeyedStreamError,
  OutputTag,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
  jobGraphHash,
  toFlinkPlan,
} from '../index';

function program(parallelism = 2) {
  const env = StreamExecutionEnvironment.createPlanEnvironment(parallelism);
  env.enableCheckpointing(1000);
  const src = env.fromSequence(1, 100).name('numbers');
  const mapped = src.map((x) => ({ k: x % 3, v: x })).name('to-pair');
  const late = new OutputTag<{ k: number; v: number }>('late');
  const windowed = mapped
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ k: number; v: number }>().withTimestampAssigner((e) => e.v))
    .keyBy((e) => e.k)
    .window(TumblingEventTimeWindows.of(10))
    .sideOutputLateData(late)
    .reduce((a, b) => ({ k: a.k, v: a.v + b.v }))
    .uid('sum-window');
  windowed.print();
  windowed.getSideOutput(late).print();
  return env;
}

describe('JobGraph building', () => {
  it('chains forward edges of equal parallelism and splits at keyBy', () => {
    const { jobGraph } = program().buildJob('j');
    expect(jobGraph.vertices.map((v) => v.operators.map((o) => o.kind))).toEqual([
      ['source', 'map', 'timestamps-watermarks'],
      ['window', 'sink'],
      ['sink'],
    ]);
    expect(jobGraph.vertices[0].name).toBe('numbers -> to-pair -> Timestamps/Watermarks');
    // The late-data side output is never chained: it leaves from the window, not from the chain's last operator.
    expect(jobGraph.edges.map((e) => [e.partitioner, e.sideOutputTag ?? null, e.sourceOperator ?? null])).toEqual([
      ['hash', null, null],
      ['forward', 'late', 'sum-window'],
    ]);
    expect(jobGraph.config.checkpointing?.intervalMs).toBe(1000);
    expect(jobGraph.vertices[1].id).toBe('sum-window');
  });

  it('is deterministic: same program → identical JSON and hash; different program → different hash', () => {
    const a = program().buildJob('j').jobGraph;
    const b = program().buildJob('j').jobGraph;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(jobGraphHash(a)).toBe(jobGraphHash(b));
    expect(jobGraphHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(jobGraphHash(program(3).buildJob('j').jobGraph)).not.toBe(jobGraphHash(a));
    // Plain JSON: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('keeps functions outside the graph, keyed by uid', () => {
    const { jobGraph, functions } = program().buildJob('j');
    const windowFns = functions.get('sum-window')!;
    expect(typeof windowFns.reduce).toBe('function');
    expect(typeof windowFns.keySelectors?.[0]).toBe('function');
    expect(JSON.stringify(jobGraph)).not.toMatch(/=>|function ?\(/);
  });

  it('respects disableChaining, startNewChain, slot sharing groups and parallelism changes', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    const s = env.fromSequence(1, 10);
    s.map((x) => x)
      .map((x) => x)
      .startNewChain()
      .map((x) => x)
      .disableChaining()
      .map((x) => x)
      .slotSharingGroup('other')
      .map((x) => x)
      .setParallelism(3)
      .print()
      .setParallelism(3);
    const { jobGraph } = env.buildJob();
    expect(jobGraph.vertices.map((v) => v.operators.length)).toEqual([2, 1, 1, 1, 2]);
    expect(jobGraph.vertices.map((v) => v.slotSharingGroup)).toEqual(['default', 'default', 'default', 'other', 'other']);
    expect(jobGraph.edges.map((e) => e.partitioner)).toEqual(['forward', 'forward', 'forward', 'rebalance']);
  });

  it('chains an operator with every forward successor (a tree), but not into a two-input operator', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment(1);
    const s = env.fromSequence(1, 10).uid('src');
    const a = s.map((x) => x + 1).uid('a');
    a.print().uid('p1');
    a.print().uid('p2');
    a.connect(s.map((x) => String(x)).uid('b')).map<number | string>({ map1: (x) => x, map2: (x) => x }).print();
    const { jobGraph } = env.buildJob();
    expect(jobGraph.vertices.map((v) => v.operators.map((o) => o.uid).join('+'))).toEqual(['src+a+p1+p2+b', expect.stringMatching(/^co-map-.*\+sink-/)]);
    const [tree, coMap] = jobGraph.vertices;
    expect(tree.operators.map((o) => o.chainedFrom ?? null)).toEqual([null, 0, 1, 1, 0]);
    expect(tree.name).toBe('Sequence Source -> (Map -> (Print to Std. Out, Print to Std. Out), Map)');
    // Into the co-map: input 0 from `a` (not the vertex's last operator, so named), input 1 from `b` (the last).
    expect(jobGraph.edges.filter((e) => e.target === coMap.id).map((e) => [e.source, e.targetInput, e.sourceOperator ?? null])).toEqual([
      ['src', 0, 'a'],
      ['src', 1, null],
    ]);
  });

  it('a source with two forward maps is one vertex of all three operators', () => {
    const env = StreamExecutionEnvironment.createPlanEnvironment(2);
    const src = env.fromSequence(1, 10).uid('src').name('numbers');
    src.map((x) => x * 2).uid('double').name('double').keyBy((x) => x % 2).reduce((x, y) => x + y).uid('sum').print().uid('out-sum');
    src.map((x) => -x).uid('negate').name('negate').print().uid('out-neg');
    const { jobGraph } = env.buildJob();
    expect(jobGraph.vertices.map((v) => v.operators.map((o) => o.uid))).toEqual([['src', 'double', 'negate', 'out-neg'], ['sum', 'out-sum']]);
    expect(jobGraph.vertices[0].operators.map((o) => o.chainedFrom ?? null)).toEqual([null, 0, 0, 2]);
    expect(jobGraph.vertices[0].name).toBe('numbers -> (double, negate -> Print to Std. Out)');
    expect(jobGraph.edges).toEqual([{ id: 'e0', source: 'src', target: 'sum', targetInput: 0, partitioner: 'hash', sourceOperator: 'double' }]);
    // Flink's plan view writes the tree as Flink names chains.
    const plan = toFlinkPlan(jobGraph);
    expect(plan.nodes.map((n) => [n.operator, n.description])).toEqual([
      ['source -> (map, map -> sink)', 'numbers -> (double, negate -> Print to Std. Out)'],
      ['keyed-reduce -> sink', 'Keyed Reduce -> Print to Std. Out'],
    ]);
  });

  it('a linear chain names no predecessor and no edge source operator (its JSON, and hash, as before chains could branch)', () => {
    const { jobGraph } = program().buildJob('j');
    const linear = jobGraph.vertices.filter((v) => v.id !== 'sum-window');
    expect(JSON.stringify(linear)).not.toContain('chainedFrom');
    expect(JSON.stringify(jobGraph.edges.filter((e) => e.sideOutputTag === undefined))).not.toContain('sourceOperator');
  });

  it('auto-generates stable uids that do not shift when an unrelated branch is added', () => {
    const build = (extra: boolean) => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(1);
      const s = env.fromSequence(1, 10);
      if (extra) env.fromSequence(5, 6).print();
      s.map((x) => x).filter(() => true).print();
      return env.buildJob().jobGraph.vertices.flatMap((v) => v.operators.map((o) => o.uid));
    };
    const base = build(false);
    const more = build(true);
    for (const uid of base) expect(more).toContain(uid);
  });

  describe('invalid programs', () => {
    it('keyed operation on a non-keyed stream (JS caller) → NonKeyedStreamError', () => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(1);
      const s = env.fromSequence(1, 10).map((x) => x);
      // A JS user can call KeyedStream methods on a plain stream; TypeScript forbids it.
      const fake = Object.create(KeyedStream.prototype) as KeyedStream<number, number>;
      Object.assign(fake, { env, transformation: s.transformation, keySelector: (x: number) => x });
      fake.reduce((a, b) => a + b).name('my-reduce');
      expect(() => env.buildJob()).toThrow(NonKeyedStreamError);
      try {
        env.buildJob();
      } catch (e) {
        expect((e as NonKeyedStreamError).code).toBe('DATAFLOW_NON_KEYED_STREAM');
        expect((e as Error).message).toContain('my-reduce');
      }
      // @ts-expect-error reduce does not exist on DataStream
      expect(() => (s as DataStream<number>).reduce).not.toThrow();
    });

    it('parallelism above maxParallelism → InvalidParallelismError', () => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(1);
      env.setMaxParallelism(4);
      env.fromSequence(1, 10).map((x) => x).name('too-wide').setParallelism(5).print();
      expect(() => env.buildJob()).toThrow(InvalidParallelismError);
      expect(() => env.buildJob()).toThrow(/too-wide.*exceeds maxParallelism 4/);
      try {
        env.buildJob();
      } catch (e) {
        expect((e as InvalidParallelismError).code).toBe('DATAFLOW_INVALID_PARALLELISM');
      }
    });

    it('duplicate uids → DuplicateUidError', () => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(1);
      const s = env.fromSequence(1, 10);
      s.map((x) => x).uid('same').name('first').print();
      s.map((x) => x).uid('same').name('second').print();
      expect(() => env.buildJob()).toThrow(DuplicateUidError);
      expect(() => env.buildJob()).toThrow(/"second" uses uid "same", already used by operator "first"/);
    });

    it('event-time window without watermarks → MissingWatermarksError (processing time is fine)', () => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(1);
      env
        .fromSequence(1, 10)
        .keyBy((x) => x % 2)
        .window(TumblingEventTimeWindows.of(5))
        .reduce((a, b) => a + b)
        .name('et-window');
      expect(() => env.buildJob()).toThrow(MissingWatermarksError);
      expect(() => env.buildJob()).toThrow(/et-window/);
      const ok = StreamExecutionEnvironment.createPlanEnvironment(1);
      ok.fromSequence(1, 10)
        .keyBy((x) => x % 2)
        .window(TumblingProcessingTimeWindows.of(5))
        .reduce((a, b) => a + b);
      expect(() => ok.buildJob()).not.toThrow();
    });

    it('forward edge between different parallelisms → InvalidParallelismError', () => {
      const env = StreamExecutionEnvironment.createPlanEnvironment(2);
      env.fromSequence(1, 10).forward().map((x) => x).setParallelism(3).print();
      expect(() => env.buildJob()).toThrow(InvalidParallelismError);
    });
  });
});
