/** connect(): two streams of different types feeding one two-input operator. */
import { InvalidArgumentError } from '../core/dataflow.errors';
import { OperatorKind } from '../graph/transformation';
import type { CoMapFunction, CoProcessFunction, KeyedCoProcessFunction, KeySelector } from './functions.types';
import { SingleOutputStreamOperator, type DataStream, type KeyedStream } from './data-stream';

export class ConnectedStreams<A, B> {
  constructor(
    readonly first: DataStream<A>,
    readonly second: DataStream<B>,
  ) {
    if (first.env !== second.env) throw new InvalidArgumentError('connect: both streams must come from the same environment');
  }

  protected twoInput<O>(kind: OperatorKind, name: string, fn: unknown): SingleOutputStreamOperator<O> {
    const env = this.first.env;
    return new SingleOutputStreamOperator<O>(env, env.addTransformation(kind, name, [this.first.transformation, this.second.transformation], {}, { fn }));
  }

  map<O>(fn: CoMapFunction<A, B, O>): SingleOutputStreamOperator<O> {
    if (typeof fn?.map1 !== 'function' || typeof fn?.map2 !== 'function') throw new InvalidArgumentError('connect().map expects a CoMapFunction { map1, map2 }');
    return this.twoInput(OperatorKind.CoMap, 'Co-Map', fn);
  }

  process<O>(fn: CoProcessFunction<A, B, O>): SingleOutputStreamOperator<O> {
    if (typeof fn?.processElement1 !== 'function' || typeof fn?.processElement2 !== 'function')
      throw new InvalidArgumentError('connect().process expects a CoProcessFunction { processElement1, processElement2 }');
    return this.twoInput(OperatorKind.CoProcess, 'Co-Process', fn);
  }

  keyBy<K>(keyA: KeySelector<A, K>, keyB: KeySelector<B, K>): KeyedConnectedStreams<A, B, K> {
    return new KeyedConnectedStreams<A, B, K>(this.first.keyBy(keyA), this.second.keyBy(keyB));
  }
}

export class KeyedConnectedStreams<A, B, K> extends ConnectedStreams<A, B> {
  constructor(
    first: KeyedStream<A, K>,
    second: KeyedStream<B, K>,
  ) {
    super(first, second);
  }

  /** Keyed co-process: shared keyed state and timers for both inputs. */
  override process<O>(fn: KeyedCoProcessFunction<K, A, B, O> | CoProcessFunction<A, B, O>): SingleOutputStreamOperator<O> {
    if (typeof fn?.processElement1 !== 'function' || typeof fn?.processElement2 !== 'function')
      throw new InvalidArgumentError('connect().process expects { processElement1, processElement2 }');
    return this.twoInput(OperatorKind.KeyedCoProcess, 'Keyed Co-Process', fn);
  }
}
