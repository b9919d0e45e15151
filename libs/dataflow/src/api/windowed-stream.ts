/** WindowedStream: keyed stream + window assigner → one window operator per terminal call. */
import { InvalidArgumentError } from '../core/dataflow.errors';
import { OperatorKind } from '../graph/transformation';
import type { WindowAssigner } from '../time/window-assigner.types';
import type { TimeWindow } from '../time/time-window';
import type { AggregateFunction, ProcessWindowFunction, ReduceFunction } from './functions.types';
import type { OutputTag } from './output-tag';
import { SingleOutputStreamOperator, type KeyedStream } from './data-stream';

export const WindowFunctionKind = { Reduce: 'reduce', Aggregate: 'aggregate', Process: 'process' } as const;
export type WindowFunctionKind = (typeof WindowFunctionKind)[keyof typeof WindowFunctionKind];

export class WindowedStream<T, K, W = TimeWindow> {
  private lateness = 0;
  private lateTag?: string;
  declare readonly __window?: W;

  constructor(
    readonly input: KeyedStream<T, K>,
    readonly assigner: WindowAssigner,
  ) {}

  /** Keep window state this long after the watermark passes the window end; late firings update results. */
  allowedLateness(ms: number): this {
    if (!(ms >= 0)) throw new InvalidArgumentError(`allowedLateness must be >= 0, got ${ms}`);
    this.lateness = ms;
    return this;
  }

  /** Elements later than the allowed lateness go to this side output instead of being dropped. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag.id;
    return this;
  }

  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T>;
  reduce<O>(fn: ReduceFunction<T>, windowFn: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O>;
  reduce<O>(fn: ReduceFunction<T>, windowFn?: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O | T> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('window reduce expects a function (a, b) => value');
    return this.build(WindowFunctionKind.Reduce, 'Window Reduce', { reduce: fn, windowFn });
  }

  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): SingleOutputStreamOperator<R>;
  aggregate<ACC, R, O>(fn: AggregateFunction<T, ACC, R>, windowFn: ProcessWindowFunction<R, O, K, W>): SingleOutputStreamOperator<O>;
  aggregate<ACC, R, O>(fn: AggregateFunction<T, ACC, R>, windowFn?: ProcessWindowFunction<R, O, K, W>): SingleOutputStreamOperator<O | R> {
    for (const m of ['createAccumulator', 'add', 'getResult'] as const)
      if (typeof fn?.[m] !== 'function') throw new InvalidArgumentError(`window aggregate expects an AggregateFunction with ${m}()`);
    if (this.assigner.isMerging && typeof fn.merge !== 'function')
      throw new InvalidArgumentError('session (merging) windows need an AggregateFunction with merge()');
    return this.build(WindowFunctionKind.Aggregate, 'Window Aggregate', { aggregate: fn, windowFn });
  }

  process<O>(windowFn: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O> {
    if (typeof windowFn?.process !== 'function') throw new InvalidArgumentError('window process expects a ProcessWindowFunction with process()');
    return this.build(WindowFunctionKind.Process, 'Window Process', { windowFn });
  }

  private build<O>(fnKind: WindowFunctionKind, name: string, functions: Record<string, unknown>): SingleOutputStreamOperator<O> {
    const env = this.input.env;
    const t = env.addTransformation(
      OperatorKind.Window,
      name,
      [this.input.transformation],
      {
        assigner: { ...this.assigner.config },
        allowedLateness: this.lateness,
        lateTag: this.lateTag ?? null,
        function: fnKind,
        hasWindowFunction: functions.windowFn !== undefined,
      },
      functions,
    );
    t.needsWatermarks = this.assigner.isEventTime;
    return new SingleOutputStreamOperator<O>(env, t);
  }
}
