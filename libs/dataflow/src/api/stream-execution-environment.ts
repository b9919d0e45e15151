/**
 * The entry point of a program: creates sources, records transformations, builds the JobGraph and
 * runs it. A "plan" environment (used when a worker or the client re-imports a job module) only
 * captures the graph: its execute() returns without running anything.
 */
import { InvalidArgumentError, InvalidParallelismError } from '../core/dataflow.errors';
import { checkBufferTimeout } from './buffer-timeout';
import { DEFAULT_MAX_PARALLELISM } from '../core/key-group.assignment';
import { buildJobGraphFromTransformations, jobGraphHash, type BuiltJob } from '../graph/job-graph.builder';
import { CheckpointingMode, ExternalizedCheckpointCleanup, type CheckpointConfig } from '../graph/job-graph.types';
import { normalizeRestartStrategy, type RestartStrategyConfig } from './restart-strategies';
import { OperatorKind, Transformation, type VirtualKind } from '../graph/transformation';
import { CollectionSource, GeneratorSource, SequenceSource } from '../connectors/collection.source';
import type { Source } from '../connectors/source.types';
import { WatermarkStrategy } from '../time/watermark-strategy';
import type { ExecutorOptions, JobClient, JobExecutionResult, JobExecutor } from '../executor/job-executor.types';
import { EmbeddedExecutor } from '../executor/embedded.executor';
import { SingleOutputStreamOperator } from './data-stream';

export interface CheckpointOptions {
  /** Default 'exactly-once' (barrier alignment); 'at-least-once' never blocks input channels. */
  readonly mode?: CheckpointingMode;
  /** A checkpoint not complete after this long is declined (default 10 min). */
  readonly timeoutMs?: number;
  readonly minPauseBetweenMs?: number;
  readonly maxConcurrent?: number;
  /** Consecutive failed checkpoints tolerated before the job fails over (default 3). */
  readonly tolerableFailures?: number;
  /** Completed checkpoints kept; older ones are deleted (default 2). */
  readonly retained?: number;
  /** Keep the retained checkpoints when the job is cancelled (default: deleted), to start a job from one later. */
  readonly externalizedCheckpointCleanup?: ExternalizedCheckpointCleanup;
}

export const EnvironmentMode = { Local: 'local', Plan: 'plan' } as const;
export type EnvironmentMode = (typeof EnvironmentMode)[keyof typeof EnvironmentMode];

export class StreamExecutionEnvironment {
  private parallelism: number;
  private maxParallelism = DEFAULT_MAX_PARALLELISM;
  private checkpointing?: CheckpointConfig;
  private bufferTimeoutMs?: number;
  private autoWatermarkIntervalMs?: number;
  private restartStrategy?: RestartStrategyConfig;
  private readonly transformations: Transformation[] = [];
  private nextId = 0;
  /** Set by execute() in plan mode: the job name the program asked for. */
  plannedJobName?: string;

  constructor(
    readonly mode: EnvironmentMode = EnvironmentMode.Local,
    parallelism = 1,
    private executorOptions: ExecutorOptions = {},
    private readonly executor: JobExecutor = new EmbeddedExecutor(),
  ) {
    this.parallelism = parallelism;
  }

  /**
   * Set while a job module's main runs under buildJobGraph, so a module that calls
   * getExecutionEnvironment() itself (instead of using the env it is given) is planned too.
   */
  static contextEnvironment?: StreamExecutionEnvironment;

  /** The context environment when a job is being planned; otherwise a new local environment. */
  static getExecutionEnvironment(): StreamExecutionEnvironment {
    return StreamExecutionEnvironment.contextEnvironment ?? new StreamExecutionEnvironment(EnvironmentMode.Local);
  }
  static createLocalEnvironment(parallelism = 1, options: ExecutorOptions = {}): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(EnvironmentMode.Local, parallelism, options);
  }
  /** An environment that only records the program (execute() does not run it). */
  static createPlanEnvironment(parallelism = 1): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(EnvironmentMode.Plan, parallelism);
  }

  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new InvalidParallelismError('environment', `parallelism must be an integer >= 1, got ${parallelism}`);
    this.parallelism = parallelism;
    return this;
  }
  getParallelism(): number {
    return this.parallelism;
  }
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768)
      throw new InvalidParallelismError('environment', `maxParallelism must be an integer in [1, 32768], got ${maxParallelism}`);
    this.maxParallelism = maxParallelism;
    return this;
  }
  getMaxParallelism(): number {
    return this.maxParallelism;
  }
  /**
   * Flink's buffer timeout: the longest a partly filled output batch waits before it is sent
   * (default 100 ms, the TaskManager's BUFFER_TIMEOUT_MS). 0 sends after every input batch
   * (lowest latency), -1 only when a batch is full (~32 KiB) or at a watermark, barrier or the
   * end of input (highest throughput).
   */
  setBufferTimeout(timeoutMs: number): this {
    this.bufferTimeoutMs = checkBufferTimeout('environment', timeoutMs);
    return this;
  }
  getBufferTimeout(): number | undefined {
    return this.bufferTimeoutMs;
  }
  /**
   * Flink's auto-watermark interval (ExecutionConfig.setAutoWatermarkInterval): sources emit a
   * periodic watermark at most once per this many ms of wall time (default 200). 0 emits one after
   * every batch, which is deterministic (tests of late data) but makes every batch a message.
   */
  setAutoWatermarkInterval(intervalMs: number): this {
    if (!Number.isInteger(intervalMs) || intervalMs < 0 || intervalMs > 3_600_000)
      throw new InvalidArgumentError(`auto-watermark interval must be an integer from 0 to 3600000 ms, got ${intervalMs}`);
    this.autoWatermarkIntervalMs = intervalMs;
    return this;
  }
  enableCheckpointing(intervalMs: number, options: CheckpointOptions = {}): this {
    if (!(intervalMs > 0)) throw new InvalidArgumentError(`checkpoint interval must be > 0, got ${intervalMs}`);
    const mode = options.mode ?? CheckpointingMode.ExactlyOnce;
    if (mode !== CheckpointingMode.ExactlyOnce && mode !== CheckpointingMode.AtLeastOnce)
      throw new InvalidArgumentError(`checkpoint mode must be 'exactly-once' or 'at-least-once', got ${String(mode)}`);
    const count = (name: string, v: number | undefined, fallback: number, min: number): number => {
      if (v === undefined) return fallback;
      if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(`checkpoint option ${name} must be an integer >= ${min}, got ${v}`);
      return v;
    };
    // Fixed key order: the JobGraph JSON and its hash must not depend on how options were spelled.
    this.checkpointing = {
      intervalMs,
      mode,
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
      minPauseBetweenMs: options.minPauseBetweenMs ?? 0,
      maxConcurrent: count('maxConcurrent', options.maxConcurrent, 1, 1),
      tolerableFailures: count('tolerableFailures', options.tolerableFailures, 3, 0),
      // Two by default: when the latest turns out unusable (corrupt, missing) the one before it is
      // restored, and exactly-once sinks undo what was committed after it.
      retained: count('retained', options.retained, 2, 1),
      // Only when given: the graphs (and hashes) of jobs that do not set it stay as they were.
      ...(options.externalizedCheckpointCleanup !== undefined ? { externalizedCheckpointCleanup: checkedCleanup(options.externalizedCheckpointCleanup) } : {}),
    };
    return this;
  }
  /**
   * Flink's `CheckpointConfig.setExternalizedCheckpointCleanup`: RETAIN_ON_CANCELLATION keeps the
   * retained checkpoints of a cancelled job (start another from one with `-s <checkpoint dir>`);
   * DELETE_ON_CANCELLATION (the default) deletes them. Call after enableCheckpointing.
   */
  setExternalizedCheckpointCleanup(cleanup: ExternalizedCheckpointCleanup): this {
    if (!this.checkpointing) throw new InvalidArgumentError('setExternalizedCheckpointCleanup needs checkpointing: call enableCheckpointing first');
    this.checkpointing = { ...this.checkpointing, externalizedCheckpointCleanup: checkedCleanup(cleanup) };
    return this;
  }
  getCheckpointConfig(): CheckpointConfig | undefined {
    return this.checkpointing;
  }
  /**
   * What the JobManager does when a task fails (stored as `jobGraph.config.restartStrategy`):
   * `{ type: 'none' }`, `{ type: 'fixed-delay', attempts, delayMs }`, `{ type: 'exponential-delay', … }`,
   * `{ type: 'failure-rate', maxFailures, intervalMs, delayMs }` — or `RestartStrategies.fixedDelay(3, 1000)` etc.
   */
  setRestartStrategy(config: RestartStrategyConfig): this {
    this.restartStrategy = normalizeRestartStrategy(config);
    return this;
  }
  getRestartStrategy(): RestartStrategyConfig | undefined {
    return this.restartStrategy;
  }
  /** Options of the embedded executor (batch size, channel capacity, clock). */
  setExecutorOptions(options: ExecutorOptions): this {
    this.executorOptions = { ...this.executorOptions, ...options };
    return this;
  }

  /** @internal used by the stream classes */
  addTransformation(
    kind: OperatorKind | VirtualKind,
    name: string,
    inputs: Transformation[],
    config: Record<string, unknown> = {},
    functions: Record<string, unknown> = {},
  ): Transformation {
    const t = new Transformation(this.nextId++, kind, name, inputs, config, functions);
    this.transformations.push(t);
    return t;
  }

  fromSource<T>(source: Source<T>, strategy: WatermarkStrategy<T>, name = 'Source'): SingleOutputStreamOperator<T> {
    if (!source || typeof source.createReader !== 'function') throw new InvalidArgumentError('fromSource expects a Source with createReader()');
    if (!(strategy instanceof WatermarkStrategy)) throw new InvalidArgumentError('fromSource expects a WatermarkStrategy (use WatermarkStrategy.noWatermarks() for none)');
    const t = this.addTransformation(
      OperatorKind.Source,
      name,
      [],
      { source: source.describe?.() ?? {}, boundedness: source.boundedness, strategy: { ...strategy.config } },
      { source, timestampAssigner: strategy.timestampAssigner },
    );
    t.assignsWatermarks = strategy.producesWatermarks;
    if (source.defaultParallelism !== undefined) t.parallelism = source.defaultParallelism;
    return new SingleOutputStreamOperator<T>(this, t);
  }

  /** A bounded, non-parallel (parallelism 1) source of the given elements. */
  fromElements<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    return this.fromSource(new CollectionSource(elements), WatermarkStrategy.noWatermarks(), 'Collection Source');
  }
  fromCollection<T>(elements: Iterable<T>): SingleOutputStreamOperator<T> {
    return this.fromSource(new CollectionSource([...elements]), WatermarkStrategy.noWatermarks(), 'Collection Source');
  }
  /** Numbers from..to inclusive, split across parallel instances. */
  fromSequence(from: number, to: number): SingleOutputStreamOperator<number> {
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new InvalidArgumentError('fromSequence expects integers');
    return this.fromSource(new SequenceSource(from, to), WatermarkStrategy.noWatermarks(), 'Sequence Source');
  }
  /** generate(i) for i in [0, count); unbounded when count is omitted. */
  fromGenerator<T>(generate: (index: number) => T, count?: number): SingleOutputStreamOperator<T> {
    return this.fromSource(new GeneratorSource(generate, count), WatermarkStrategy.noWatermarks(), 'Generator Source');
  }

  /** Builds the JobGraph (validated, chained, deterministic) and the function registry. */
  buildJob(jobName = 'Runnel Job'): BuiltJob {
    return buildJobGraphFromTransformations(this.transformations, {
      jobName,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      checkpointing: this.checkpointing,
      restartStrategy: this.restartStrategy,
      ...(this.bufferTimeoutMs !== undefined ? { bufferTimeoutMs: this.bufferTimeoutMs } : {}),
      ...(this.autoWatermarkIntervalMs !== undefined ? { autoWatermarkIntervalMs: this.autoWatermarkIntervalMs } : {}),
    });
  }

  async execute(jobName = 'Runnel Job'): Promise<JobExecutionResult> {
    const job = this.buildJob(jobName);
    if (this.mode === EnvironmentMode.Plan) {
      this.plannedJobName = jobName;
      return { jobName, jobGraphHash: jobGraphHash(job.jobGraph), netRuntimeMs: 0 };
    }
    return this.executor.submit(job, this.executorOptions).result;
  }

  /** Starts the job and returns a client (for unbounded jobs: cancel() stops it). */
  async executeAsync(jobName = 'Runnel Job'): Promise<JobClient> {
    const job = this.buildJob(jobName);
    return this.executor.submit(job, this.executorOptions);
  }
}

function checkedCleanup(cleanup: unknown): ExternalizedCheckpointCleanup {
  const allowed: readonly unknown[] = Object.values(ExternalizedCheckpointCleanup);
  if (!allowed.includes(cleanup)) throw new InvalidArgumentError(`externalized checkpoint cleanup must be ${allowed.join(' or ')}, got ${String(cleanup)}`);
  return cleanup as ExternalizedCheckpointCleanup;
}
