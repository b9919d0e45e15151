/**
 * @runnel/dataflow — the DataStream API, the JobGraph, and the operator runtime shared by the
 * embedded executor and TaskManager slots.
 */
export * from './core/dataflow.errors';
export * from './core/stream-element.types';
export { encodeStreamElement, decodeStreamElement } from './core/stream-element.codec';
export {
  DEFAULT_MAX_PARALLELISM,
  assignToKeyGroup,
  assignKeyToParallelOperator,
  computeOperatorIndexForKeyGroup,
  keyGroupRangeForSubtask,
  canonicalJson,
  type KeyGroupRange,
} from './core/key-group.assignment';
export { murmur3_32 } from './core/murmur3.hash';

export * from './api/functions.types';
export { OutputTag } from './api/output-tag';
export { StreamExecutionEnvironment, EnvironmentMode, type CheckpointOptions } from './api/stream-execution-environment';
export {
  RestartStrategies,
  RestartStrategyType,
  normalizeRestartStrategy,
  type RestartStrategyConfig,
  type ExponentialDelayOptions,
} from './api/restart-strategies';
export { DataStream, SingleOutputStreamOperator, DataStreamSink, KeyedStream, type NumericField } from './api/data-stream';
export { WindowedStream, WindowFunctionKind } from './api/windowed-stream';
export { ConnectedStreams, KeyedConnectedStreams } from './api/connected-streams';
export { JoinedStreams, JoinWhereEqual, WindowJoin, IntervalJoin, IntervalJoined } from './api/join-streams';

export * from './runtime/state/state.types';
export * from './runtime/state/state-snapshot.types';
export { redistributeKeyedState, mergeKeyedState } from './runtime/state/state-redistribution';

export { TimeWindow } from './time/time-window';
export { WatermarkStrategy, type WatermarkStrategyConfig } from './time/watermark-strategy';
export { WindowAssigner, WindowAssignerType, type WindowAssignerConfig } from './time/window-assigner.types';
export * from './time/window-assigners';

export * from './graph/job-graph.types';
export { OperatorKind, ChainingStrategy, type JsonValue } from './graph/transformation';
export { buildJobGraphFromTransformations, jobGraphHash, type BuiltJob } from './graph/job-graph.builder';

export * from './runtime/operator.types';
export { registerOperator, createOperator, registeredOperatorKinds } from './runtime/operator.registry';
export { AbstractStreamOperator } from './runtime/abstract-stream.operator';
export * from './runtime/task/channel.types';
export { InProcessInputGate, InProcessPartitionWriter, InProcessChannelFactory } from './runtime/task/in-process.channel';
export { subtaskWiring, wireSubtask, type ChannelFactory, type InputEdgeWiring, type OutputEdgeWiring, type SubtaskWiring, type WiredSubtask } from './runtime/task/subtask-wiring';
export { StreamTask, type StreamTaskOptions, type SnapshotTimings } from './runtime/task/stream.task';
export { OperatorTestHarness } from './runtime/operator-test.harness';

export * from './executor/job-executor.types';
export { EmbeddedExecutor, type EmbeddedSubmitOptions } from './executor/embedded.executor';

export * from './connectors/source.types';
export { CollectionSource, SequenceSource, GeneratorSource } from './connectors/collection.source';
export { CollectSink } from './connectors/collect.sink';
export { PrintSink } from './connectors/print.sink';

export { loadJobModule, buildJobGraph, assertJobGraphHash, type JobModule, type JobMain, type LoadedJobGraph } from './job/job-module.loader';
export { toFlinkPlan, type FlinkPlan } from './graph/job-plan';
export { chainName, chainPredecessors, edgeSourceOperator } from './graph/operator-chain';
export { bundleJobArtifact, type JobArtifact } from './job/job-artifact.bundler';
export { stopEsbuild } from './job/esbuild.runner';
export { JsonLinesFileSource, resolveFiles, type JsonLinesFilePosition, type JsonLinesFileSourceOptions } from './connectors/json-lines-file.source';
export { JsonLinesFileSink, type JsonLinesFileSinkState } from './connectors/json-lines-file.sink';
export { PartFileLayout, type PendingPartFile } from './connectors/part-file.committer';
export { PostgresSink, type PostgresSinkOptions, type PostgresSinkState } from './connectors/postgres.sink';
export {
  JetStreamSource,
  JetStreamSink,
  JetStreamFormat,
  type JetStreamSourceOptions,
  type JetStreamSinkOptions,
  type JetStreamSinkState,
} from './connectors/jetstream.connector';
// Nexmark benchmark source (owned by the benchmark/examples work).
export * from './connectors/nexmark';
export { inputChannels, outputChannels, hasDeterministicInputOrder, type InputChannelDescriptor } from './graph/channel-layout';
// Flink's task and operator metrics, counted by the runtime.
export * from './runtime/metrics/metric-names';
export { TaskIOMetrics } from './runtime/metrics/task-io.metrics';
export { OperatorMetricGroup, InvalidMetricError, MAX_USER_METRICS, type MetricGroup, type Counter, type Gauge, type Histogram } from './runtime/metrics/operator-metric.group';
export {
  CheckpointTracker,
  checkpointSettings,
  type CheckpointSettings,
  type CheckpointTrackerHooks,
  type PendingCheckpoint,
  type TriggerOptions,
} from './runtime/checkpoint/checkpoint.tracker';
