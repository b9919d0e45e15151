/**
 * DataStream, its operator-handle subclass, and KeyedStream. Each method records a
 * Transformation on the environment; nothing runs until execute(). Keyed operations exist only on
 * KeyedStream (so the compiler rejects them elsewhere) and are checked again at graph building.
 */
import { InvalidArgumentError, InvalidParallelismError } from '../core/dataflow.errors';
import { PartitionerType } from '../graph/job-graph.types';
import { ChainingStrategy, OperatorKind, Transformation, VirtualKind } from '../graph/transformation';
import type { Sink } from '../connectors/source.types';
import type { WatermarkStrategy } from '../time/watermark-strategy';
import type { WindowAssigner } from '../time/window-assigner.types';
import type { TimeWindow } from '../time/time-window';
import type {
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  ProcessFunction,
  ReduceFunction,
} from './functions.types';
import { checkBufferTimeout } from './buffer-timeout';
import type { OutputTag } from './output-tag';
import type { StreamExecutionEnvironment } from './stream-execution-environment';
import { ConnectedStreams, KeyedConnectedStreams } from './connected-streams';
import { JoinedStreams, IntervalJoin } from './join-streams';
import { WindowedStream } from './windowed-stream';
import { CollectSink } from '../connectors/collect.sink';
import { PrintSink } from '../connectors/print.sink';

function requireFunction(what: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new InvalidArgumentError(`${what} expects a function, got ${typeof fn}`);
}
function requireMethod(what: string, obj: unknown, method: string): void {
  if (!obj || typeof (obj as Record<string, unknown>)[method] !== 'function')
    throw new InvalidArgumentError(`${what} expects an object with a ${method}() method`);
}

export class DataStream<T> {
  declare readonly __type?: T;
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
  ) {}

  protected op<O>(kind: OperatorKind, name: string, functions: Record<string, unknown>, config: Record<string, unknown> = {}): SingleOutputStreamOperator<O> {
    return new SingleOutputStreamOperator<O>(this.env, this.env.addTransformation(kind, name, [this.transformation], config, functions));
  }
  private virtual(kind: VirtualKind, setup: (t: Transformation) => void, inputs: Transformation[] = [this.transformation]): Transformation {
    const t = this.env.addTransformation(kind, kind, inputs);
    setup(t);
    return t;
  }

  map<O>(fn: MapFunction<T, O>): SingleOutputStreamOperator<O> {
    requireFunction('map', fn);
    return this.op(OperatorKind.Map, 'Map', { fn });
  }
  flatMap<O>(fn: FlatMapFunction<T, O>): SingleOutputStreamOperator<O> {
    requireFunction('flatMap', fn);
    return this.op(OperatorKind.FlatMap, 'FlatMap', { fn });
  }
  filter(fn: FilterFunction<T>): SingleOutputStreamOperator<T> {
    requireFunction('filter', fn);
    return this.op(OperatorKind.Filter, 'Filter', { fn });
  }
  /** Non-keyed process function (side outputs; no keyed state or timers). */
  process<O>(fn: ProcessFunction<T, O>): SingleOutputStreamOperator<O> {
    requireMethod('process', fn, 'processElement');
    return this.op(OperatorKind.Process, 'Process', { fn });
  }

  keyBy<K>(selector: KeySelector<T, K>): KeyedStream<T, K> {
    requireFunction('keyBy', selector);
    const t = this.virtual(VirtualKind.Partition, (p) => {
      p.partitioner = PartitionerType.Hash;
      p.keySelector = selector as (v: never) => unknown;
    });
    return new KeyedStream<T, K>(this.env, t, selector);
  }

  private repartition(partitioner: PartitionerType): DataStream<T> {
    return new DataStream<T>(this.env, this.virtual(VirtualKind.Partition, (p) => (p.partitioner = partitioner)));
  }
  rebalance(): DataStream<T> {
    return this.repartition(PartitionerType.Rebalance);
  }
  broadcast(): DataStream<T> {
    return this.repartition(PartitionerType.Broadcast);
  }
  shuffle(): DataStream<T> {
    return this.repartition(PartitionerType.Shuffle);
  }
  forward(): DataStream<T> {
    return this.repartition(PartitionerType.Forward);
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) if (o.env !== this.env) throw new InvalidArgumentError('union: all streams must come from the same environment');
    return new DataStream<T>(this.env, this.virtual(VirtualKind.Union, () => undefined, [this.transformation, ...others.map((o) => o.transformation)]));
  }

  connect<B>(other: DataStream<B>): ConnectedStreams<T, B> {
    return new ConnectedStreams<T, B>(this, other);
  }

  /** Window join: a.join(b).where(ka).equalTo(kb).window(assigner).apply(fn). */
  join<B>(other: DataStream<B>): JoinedStreams<T, B> {
    return new JoinedStreams<T, B>(this, other);
  }

  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    const op = this.op<T>(OperatorKind.TimestampsWatermarks, 'Timestamps/Watermarks', { timestampAssigner: strategy.timestampAssigner }, { strategy: { ...strategy.config } });
    op.transformation.assignsWatermarks = strategy.producesWatermarks;
    return op;
  }

  sinkTo(sink: Sink<T>, name = 'Sink'): DataStreamSink<T> {
    requireMethod('sinkTo', sink, 'createWriter');
    const t = this.env.addTransformation(OperatorKind.Sink, name, [this.transformation], { sink: sink.describe?.() ?? {} }, { sink });
    return new DataStreamSink<T>(t);
  }

  print(prefix?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(prefix), 'Print to Std. Out');
  }

  /** Adds a collect sink, runs the job on this environment, and returns every record. */
  async executeAndCollect(jobName = 'collect'): Promise<T[]> {
    const sink = new CollectSink<T>();
    this.sinkTo(sink, 'Collect');
    await this.env.execute(jobName);
    return sink.values;
  }
}

/** Operator-level settings, shared by operators (SingleOutputStreamOperator) and sinks. */
const settings = {
  name(t: Transformation, name: string): void {
    t.name = name;
  },
  uid(t: Transformation, uid: string): void {
    if (typeof uid !== 'string' || !uid) throw new InvalidArgumentError('uid must be a non-empty string');
    t.uid = uid;
  },
  parallelism(t: Transformation, p: number, what = 'parallelism'): void {
    if (!Number.isInteger(p) || p < 1) throw new InvalidParallelismError(t.name, `${what} must be an integer >= 1, got ${p}`);
    if (what === 'parallelism') t.parallelism = p;
    else t.maxParallelism = p;
  },
};

export class SingleOutputStreamOperator<T> extends DataStream<T> {
  name(name: string): this {
    settings.name(this.transformation, name);
    return this;
  }
  /** Stable id used to match state on restore; set it on every stateful operator. */
  uid(uid: string): this {
    settings.uid(this.transformation, uid);
    return this;
  }
  setParallelism(parallelism: number): this {
    settings.parallelism(this.transformation, parallelism);
    return this;
  }
  setMaxParallelism(maxParallelism: number): this {
    settings.parallelism(this.transformation, maxParallelism, 'maxParallelism');
    return this;
  }
  slotSharingGroup(group: string): this {
    this.transformation.slotSharingGroup = group;
    return this;
  }
  /** Flink's per-operator buffer timeout for this operator's output (see env.setBufferTimeout). */
  setBufferTimeout(timeoutMs: number): this {
    this.transformation.bufferTimeoutMs = checkBufferTimeout(this.transformation.name, timeoutMs);
    return this;
  }
  /** Begin a new chain at this operator (it may still chain to its successors). */
  startNewChain(): this {
    this.transformation.chainingStrategy = ChainingStrategy.Head;
    return this;
  }
  disableChaining(): this {
    this.transformation.chainingStrategy = ChainingStrategy.Never;
    return this;
  }
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t = this.env.addTransformation(VirtualKind.SideOutput, `side-output:${tag.id}`, [this.transformation]);
    t.sideOutputTag = tag.id;
    return new DataStream<X>(this.env, t);
  }
}

export class DataStreamSink<T> {
  declare readonly __type?: T;
  constructor(readonly transformation: Transformation) {}
  name(name: string): this {
    settings.name(this.transformation, name);
    return this;
  }
  uid(uid: string): this {
    settings.uid(this.transformation, uid);
    return this;
  }
  setParallelism(parallelism: number): this {
    settings.parallelism(this.transformation, parallelism);
    return this;
  }
  slotSharingGroup(group: string): this {
    this.transformation.slotSharingGroup = group;
    return this;
  }
  disableChaining(): this {
    this.transformation.chainingStrategy = ChainingStrategy.Never;
    return this;
  }
}

export type NumericField<T> = { [F in keyof T]: T[F] extends number ? F : never }[keyof T] & (string | number);

export class KeyedStream<T, K> extends DataStream<T> {
  constructor(
    env: StreamExecutionEnvironment,
    transformation: Transformation,
    readonly keySelector: KeySelector<T, K>,
  ) {
    super(env, transformation);
  }

  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    requireFunction('reduce', fn);
    return this.op(OperatorKind.KeyedReduce, 'Keyed Reduce', { reduce: fn }, { aggregation: 'reduce' });
  }
  private aggregation(aggregation: string, field: unknown): SingleOutputStreamOperator<T> {
    if (field !== undefined && typeof field !== 'string' && typeof field !== 'number') throw new InvalidArgumentError(`${aggregation}: field must be a property name or index`);
    return this.op(OperatorKind.KeyedReduce, `Keyed Aggregation (${aggregation})`, {}, { aggregation, field: field ?? null });
  }
  /** Running sum of `field` per key (or of the values themselves for a stream of numbers). */
  sum(field?: NumericField<T>): SingleOutputStreamOperator<T> {
    return this.aggregation('sum', field);
  }
  min(field?: NumericField<T>): SingleOutputStreamOperator<T> {
    return this.aggregation('min', field);
  }
  max(field?: NumericField<T>): SingleOutputStreamOperator<T> {
    return this.aggregation('max', field);
  }
  /** Element with the minimum `field` so far (whole element, unlike min). */
  minBy(field: NumericField<T>): SingleOutputStreamOperator<T> {
    return this.aggregation('minBy', field);
  }
  maxBy(field: NumericField<T>): SingleOutputStreamOperator<T> {
    return this.aggregation('maxBy', field);
  }

  override process<O>(fn: KeyedProcessFunction<K, T, O>): SingleOutputStreamOperator<O> {
    requireMethod('process', fn, 'processElement');
    return this.op(OperatorKind.KeyedProcess, 'Keyed Process', { fn });
  }

  window(assigner: WindowAssigner): WindowedStream<T, K, TimeWindow> {
    if (!assigner || typeof assigner.assignWindows !== 'function') throw new InvalidArgumentError('window() expects a WindowAssigner such as TumblingEventTimeWindows.of(1000)');
    return new WindowedStream<T, K, TimeWindow>(this, assigner);
  }

  override connect<B>(other: KeyedStream<B, K>): KeyedConnectedStreams<T, B, K>;
  override connect<B>(other: DataStream<B>): ConnectedStreams<T, B>;
  override connect<B>(other: DataStream<B>): ConnectedStreams<T, B> {
    if (other instanceof KeyedStream) return new KeyedConnectedStreams<T, B, K>(this, other as KeyedStream<B, K>);
    return new ConnectedStreams<T, B>(this, other);
  }

  /** Interval join: joins a with b where b.ts ∈ [a.ts + lower, a.ts + upper] and keys are equal. */
  intervalJoin<B>(other: KeyedStream<B, K>): IntervalJoin<T, B, K> {
    return new IntervalJoin<T, B, K>(this, other);
  }
}
