/**
 * Signatures of user functions. Simple transformations take plain functions; functions with a
 * lifecycle, state or timers are objects with named methods (Flink's Rich/Process functions).
 */
import type { MetricGroup } from '../runtime/metrics/operator-metric.group';
import type { OutputTag } from './output-tag';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../runtime/state/state.types';
import type { TimeWindow } from '../time/time-window';

export type MapFunction<I, O> = (value: I) => O;
export type FilterFunction<T> = (value: T) => boolean;
export type FlatMapFunction<I, O> = (value: I, out: Collector<O>) => void;
export type KeySelector<T, K> = (value: T) => K;
export type ReduceFunction<T> = (a: T, b: T) => T;
export type JoinFunction<A, B, O> = (left: A, right: B) => O;

export interface Collector<T> {
  collect(value: T): void;
}

export interface AggregateFunction<I, ACC, O> {
  createAccumulator(): ACC;
  add(value: I, accumulator: ACC): ACC;
  getResult(accumulator: ACC): O;
  /**
   * Required for merging (session) windows. Sliding windows use it too: they keep one accumulator
   * per pane (gcd of size and slide) and combine a window's panes when it fires, each pane into
   * several windows, so merge may modify and return `a` but must not modify `b`.
   */
  merge?(a: ACC, b: ACC): ACC;
}

export const TimeDomain = { EventTime: 'event-time', ProcessingTime: 'processing-time' } as const;
export type TimeDomain = (typeof TimeDomain)[keyof typeof TimeDomain];

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(timestamp: number): void;
  registerProcessingTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
}

/** Handed to open(): task identity and keyed state. */
export interface RuntimeContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly operatorUid: string;
  /** This operator's user-defined metrics (Flink's getRuntimeContext().getMetricGroup()). */
  getMetricGroup(): MetricGroup;
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<I, ACC, O>(descriptor: AggregatingStateDescriptor<I, ACC, O>): AggregatingState<I, O>;
}

export interface RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
}

export interface ProcessContext {
  /** Timestamp of the current record, or undefined when it has none. */
  timestamp(): number | undefined;
  output<X>(tag: OutputTag<X>, value: X): void;
  currentWatermark(): number;
}

export interface ProcessFunction<I, O> extends RichFunction {
  processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
}

export interface KeyedContext<K> extends ProcessContext {
  getCurrentKey(): K;
  timerService(): TimerService;
}
export interface OnTimerContext<K> extends KeyedContext<K> {
  timeDomain(): TimeDomain;
}

export interface KeyedProcessFunction<K, I, O> extends RichFunction {
  processElement(value: I, ctx: KeyedContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

export interface WindowContext<W = TimeWindow> {
  readonly window: W;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface ProcessWindowFunction<I, O, K, W = TimeWindow> extends RichFunction {
  process(key: K, context: WindowContext<W>, elements: readonly I[], out: Collector<O>): void;
}

export interface CoMapFunction<A, B, O> {
  map1(value: A): O;
  map2(value: B): O;
}

export interface CoProcessFunction<A, B, O> extends RichFunction {
  processElement1(value: A, ctx: ProcessContext, out: Collector<O>): void;
  processElement2(value: B, ctx: ProcessContext, out: Collector<O>): void;
}

export interface KeyedCoProcessFunction<K, A, B, O> extends RichFunction {
  processElement1(value: A, ctx: KeyedContext<K>, out: Collector<O>): void;
  processElement2(value: B, ctx: KeyedContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

export interface ProcessJoinContext {
  leftTimestamp(): number;
  rightTimestamp(): number;
  /** max(left, right) timestamp: the timestamp of emitted results. */
  timestamp(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface ProcessJoinFunction<A, B, O> {
  processElement(left: A, right: B, ctx: ProcessJoinContext, out: Collector<O>): void;
}

export type TimestampAssigner<T> = (element: T, recordTimestamp: number | undefined) => number;
