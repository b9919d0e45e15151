/** Registers every built-in operator kind. Importing this module is what makes kinds runnable. */
import { OperatorKind } from '../../graph/transformation';
import { registerOperator } from '../operator.registry';
import { CoMapOperator } from './co-map.operator';
import { CoProcessOperator } from './co-process.operator';
import { FilterOperator } from './filter.operator';
import { FlatMapOperator } from './flat-map.operator';
import { IntervalJoinOperator } from './interval-join.operator';
import { KeyedProcessOperator } from './keyed-process.operator';
import { KeyedReduceOperator } from './keyed-reduce.operator';
import { MapOperator } from './map.operator';
import { ProcessOperator } from './process.operator';
import { SinkOperator } from './sink.operator';
import { SourceOperator } from './source.operator';
import { TimestampsWatermarksOperator } from './timestamps-watermarks.operator';
import { WindowOperator } from './window.operator';

registerOperator(OperatorKind.Source, () => new SourceOperator());
registerOperator(OperatorKind.Map, () => new MapOperator());
registerOperator(OperatorKind.FlatMap, () => new FlatMapOperator());
registerOperator(OperatorKind.Filter, () => new FilterOperator());
registerOperator(OperatorKind.Process, () => new ProcessOperator());
registerOperator(OperatorKind.TimestampsWatermarks, () => new TimestampsWatermarksOperator());
registerOperator(OperatorKind.KeyedReduce, () => new KeyedReduceOperator());
registerOperator(OperatorKind.KeyedProcess, () => new KeyedProcessOperator());
// Keyed co-process is the keyed process operator with two inputs (processElement1/2 by input).
registerOperator(OperatorKind.KeyedCoProcess, () => new KeyedProcessOperator());
registerOperator(OperatorKind.Window, () => new WindowOperator());
registerOperator(OperatorKind.CoMap, () => new CoMapOperator());
registerOperator(OperatorKind.CoProcess, () => new CoProcessOperator());
registerOperator(OperatorKind.IntervalJoin, () => new IntervalJoinOperator());
registerOperator(OperatorKind.Sink, () => new SinkOperator());

export {
  CoMapOperator,
  CoProcessOperator,
  FilterOperator,
  FlatMapOperator,
  IntervalJoinOperator,
  KeyedProcessOperator,
  KeyedReduceOperator,
  MapOperator,
  ProcessOperator,
  SinkOperator,
  SourceOperator,
  TimestampsWatermarksOperator,
  WindowOperator,
};
