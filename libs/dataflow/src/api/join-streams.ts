/**
 * Joins. A window join is built from existing operators (tag both sides, union, keyBy, window),
 * as Flink's coGroup does; an interval join is a two-input keyed operator buffering both sides.
 */
import { InvalidArgumentError } from '../core/dataflow.errors';
import { OperatorKind } from '../graph/transformation';
import type { WindowAssigner } from '../time/window-assigner.types';
import type { TimeWindow } from '../time/time-window';
import type { Collector, JoinFunction, KeySelector, ProcessJoinFunction, WindowContext } from './functions.types';
import { SingleOutputStreamOperator, type DataStream, type KeyedStream } from './data-stream';

interface Tagged<A, B> {
  s: 0 | 1;
  v: A | B;
}

export class JoinedStreams<A, B> {
  constructor(
    readonly left: DataStream<A>,
    readonly right: DataStream<B>,
  ) {}
  where<K>(keyA: KeySelector<A, K>): { equalTo(keyB: KeySelector<B, K>): JoinWhereEqual<A, B, K> } {
    return { equalTo: (keyB) => new JoinWhereEqual<A, B, K>(this.left, this.right, keyA, keyB) };
  }
}

export class JoinWhereEqual<A, B, K> {
  constructor(
    private readonly left: DataStream<A>,
    private readonly right: DataStream<B>,
    private readonly keyA: KeySelector<A, K>,
    private readonly keyB: KeySelector<B, K>,
  ) {
    if (typeof keyA !== 'function' || typeof keyB !== 'function') throw new InvalidArgumentError('join where/equalTo expect key selector functions');
  }
  window(assigner: WindowAssigner): WindowJoin<A, B, K> {
    return new WindowJoin<A, B, K>(this.left, this.right, this.keyA, this.keyB, assigner);
  }
}

export class WindowJoin<A, B, K> {
  constructor(
    private readonly left: DataStream<A>,
    private readonly right: DataStream<B>,
    private readonly keyA: KeySelector<A, K>,
    private readonly keyB: KeySelector<B, K>,
    private readonly assigner: WindowAssigner,
  ) {}

  /** Emits fn(a, b) for every pair of equal-key elements that fall in the same window. */
  apply<O>(fn: JoinFunction<A, B, O>): SingleOutputStreamOperator<O> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('join apply expects a function (left, right) => result');
    const { keyA, keyB } = this;
    const l = this.left.map((v): Tagged<A, B> => ({ s: 0, v })).name('Join Tag Left');
    const r = this.right.map((v): Tagged<A, B> => ({ s: 1, v })).name('Join Tag Right');
    return l
      .union(r)
      .keyBy((t) => (t.s === 0 ? keyA(t.v as A) : keyB(t.v as B)))
      .window(this.assigner)
      .process<O>({
        process(_key: K, _ctx: WindowContext<TimeWindow>, elements: readonly Tagged<A, B>[], out: Collector<O>) {
          const lefts: A[] = [];
          const rights: B[] = [];
          for (const e of elements) (e.s === 0 ? lefts : rights).push(e.v as never);
          for (const a of lefts) for (const b of rights) out.collect(fn(a, b));
        },
      })
      .name('Window Join');
  }
}

export class IntervalJoin<A, B, K> {
  constructor(
    readonly left: KeyedStream<A, K>,
    readonly right: KeyedStream<B, K>,
  ) {}
  /** Right element b joins left element a when a.ts + lower ≤ b.ts ≤ a.ts + upper (inclusive, like Flink's default). */
  between(lowerMs: number, upperMs: number): IntervalJoined<A, B, K> {
    if (!Number.isFinite(lowerMs) || !Number.isFinite(upperMs) || lowerMs > upperMs)
      throw new InvalidArgumentError(`intervalJoin.between needs finite lower <= upper, got [${lowerMs}, ${upperMs}]`);
    return new IntervalJoined<A, B, K>(this.left, this.right, lowerMs, upperMs);
  }
}

export class IntervalJoined<A, B, K> {
  private lowerInclusive = true;
  private upperInclusive = true;
  constructor(
    readonly left: KeyedStream<A, K>,
    readonly right: KeyedStream<B, K>,
    readonly lower: number,
    readonly upper: number,
  ) {}
  lowerBoundExclusive(): this {
    this.lowerInclusive = false;
    return this;
  }
  upperBoundExclusive(): this {
    this.upperInclusive = false;
    return this;
  }
  process<O>(fn: ProcessJoinFunction<A, B, O>): SingleOutputStreamOperator<O> {
    if (typeof fn?.processElement !== 'function') throw new InvalidArgumentError('intervalJoin process expects a ProcessJoinFunction { processElement }');
    const env = this.left.env;
    const lower = this.lowerInclusive ? this.lower : this.lower + 1;
    const upper = this.upperInclusive ? this.upper : this.upper - 1;
    const t = env.addTransformation(OperatorKind.IntervalJoin, 'Interval Join', [this.left.transformation, this.right.transformation], { lower, upper }, { fn });
    t.needsWatermarks = true;
    return new SingleOutputStreamOperator<O>(env, t);
  }
}
