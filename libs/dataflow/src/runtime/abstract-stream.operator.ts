/**
 * Base class of all operators: keeps the context and output, forwards watermarks, and for keyed
 * operators owns the keyed state backend and timer service (restored from and snapshotted to
 * key groups). Subclasses override only what they need.
 */
import { keyGroupRangeForSubtask } from '../core/key-group.assignment';
import { MissingFunctionError } from '../core/dataflow.errors';
import { NO_TIMESTAMP } from '../core/stream-element.types';
import type { Collector, RuntimeContext, TimerService } from '../api/functions.types';
import type { OperatorContext, Output, StreamOperator } from './operator.types';
import { KeyedStateBackend, VOID_NAMESPACE } from './state/keyed-state.backend';
import type { KeyedStateSnapshot, OperatorStateSnapshot } from './state/state-snapshot.types';
import { InternalTimerService, type TimerTarget } from './state/timer.service';
import type { InternalTimer } from './state/timer-heap';
import { OperatorMetricGroup } from './metrics/operator-metric.group';

export abstract class AbstractStreamOperator implements StreamOperator, TimerTarget {
  protected ctx!: OperatorContext;
  protected output!: Output;
  protected currentWatermark = Number.NEGATIVE_INFINITY;
  protected backend?: KeyedStateBackend;
  protected timers?: InternalTimerService;
  protected keySelectors: ((v: unknown) => unknown)[] = [];
  metricGroup!: OperatorMetricGroup;

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.metricGroup = new OperatorMetricGroup(ctx.descriptor.name);
    this.output = ctx.output;
    if (ctx.descriptor.keyed) {
      const range = keyGroupRangeForSubtask(ctx.maxParallelism, ctx.parallelism, ctx.subtaskIndex);
      this.backend = new KeyedStateBackend(ctx.maxParallelism, range, ctx.clock);
      this.timers = new InternalTimerService(this.backend, this, ctx.clock);
      this.keySelectors = (ctx.functions.keySelectors ?? []) as ((v: unknown) => unknown)[];
      if (this.keySelectors.length === 0) throw new MissingFunctionError(ctx.descriptor.uid, 'key selector');
    }
  }

  /** A user function bound to this operator's uid. */
  protected fn<F>(name: string): F {
    const f = this.ctx.functions[name];
    if (f === undefined) throw new MissingFunctionError(this.ctx.descriptor.uid, name);
    return f as F;
  }

  /**
   * A per-subtask instance of a user function object. Parallel subtasks in one process share the
   * module's function object; Object.create gives each its own `this`, so fields set in open()
   * (state handles) stay per subtask, like Flink's per-subtask deserialized copies.
   */
  protected instance<F extends object>(fn: F): F {
    return Object.create(fn) as F;
  }

  initializeState(restored: OperatorStateSnapshot | undefined): void {
    if (!restored) return;
    if (restored.keyed && this.backend) {
      this.backend.restore(restored.keyed);
      this.timers!.restore(restored.keyed);
    }
    if (restored.operator !== undefined) this.restoreOperatorState(restored.operator);
    for (const state of restored.adopted ?? []) this.restoreAdoptedOperatorState(state);
  }
  /** Scale-in: state of an old subtask that no longer exists (default: ignored; sinks override). */
  protected restoreAdoptedOperatorState(_state: unknown): void {
    // Stateless by default.
  }
  protected restoreOperatorState(_state: unknown): void {
    // Stateless by default; sources and stateful non-keyed operators override.
  }
  protected snapshotOperatorState(): unknown {
    return undefined;
  }

  open(): void | Promise<void> {
    // Nothing to prepare by default.
  }

  abstract processElement(value: unknown, timestamp: number, input: number): void;

  protected setKeyContext(value: unknown, input: number): void {
    this.backend!.setCurrentKey(this.keySelectors[input] ? this.keySelectors[input](value) : this.keySelectors[0](value));
  }

  processWatermark(watermark: number): void {
    if (watermark <= this.currentWatermark) return;
    this.currentWatermark = watermark;
    this.timers?.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }

  processWatermarkStatus(idle: boolean): void {
    this.output.emitWatermarkStatus(idle);
  }

  nextProcessingTime(): number | undefined {
    return this.timers?.nextProcessingTime();
  }
  advanceProcessingTime(now: number): void {
    this.timers?.advanceProcessingTime(now);
  }

  onEventTime(_timer: InternalTimer): void {
    // Only operators that register timers override these.
  }
  onProcessingTime(_timer: InternalTimer): void {
    // See onEventTime.
  }

  snapshotState(_checkpointId: number): OperatorStateSnapshot {
    let keyed: KeyedStateSnapshot | undefined;
    if (this.backend) {
      keyed = this.backend.snapshot();
      this.timers!.snapshot(keyed);
    }
    const operator = this.snapshotOperatorState();
    return {
      operatorUid: this.ctx.descriptor.uid,
      subtaskIndex: this.ctx.subtaskIndex,
      ...(keyed ? { keyed } : {}),
      ...(operator !== undefined ? { operator } : {}),
    };
  }

  /** Bounded input ended: processing-time timers still pending fire now, so results are not lost. */
  finish(): void | Promise<void> {
    if (this.timers?.hasProcessingTimers()) this.timers.advanceProcessingTime(Number.POSITIVE_INFINITY);
  }

  close(): void | Promise<void> {
    // Nothing to release by default.
  }

  /** RuntimeContext handed to user functions' open(). */
  protected runtimeContext(): RuntimeContext {
    const backend = this.backend;
    const uid = this.ctx.descriptor.uid;
    const need = () => {
      if (!backend) throw new MissingFunctionError(uid, 'keyed state (state is only available on keyed streams)');
      return backend;
    };
    return {
      subtaskIndex: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      maxParallelism: this.ctx.maxParallelism,
      operatorUid: uid,
      getMetricGroup: () => this.metricGroup,
      getState: (d) => need().getState(d),
      getListState: (d) => need().getListState(d),
      getMapState: (d) => need().getMapState(d),
      getReducingState: (d) => need().getReducingState(d),
      getAggregatingState: (d) => need().getAggregatingState(d),
    };
  }

  /** TimerService view for user functions: timers in the void namespace of the current key. */
  protected userTimerService(): TimerService {
    const timers = this.timers!;
    return {
      currentProcessingTime: () => this.ctx.clock(),
      currentWatermark: () => this.currentWatermark,
      registerEventTimeTimer: (ts) => timers.registerEventTimeTimer(VOID_NAMESPACE, ts),
      registerProcessingTimeTimer: (ts) => timers.registerProcessingTimeTimer(VOID_NAMESPACE, ts),
      deleteEventTimeTimer: (ts) => timers.deleteEventTimeTimer(VOID_NAMESPACE, ts),
      deleteProcessingTimeTimer: (ts) => timers.deleteProcessingTimeTimer(VOID_NAMESPACE, ts),
    };
  }
}

/**
 * A Collector that stamps records with a settable timestamp. One instance per operator, reused for
 * every record (no per-record closure).
 */
export class TimestampedCollector<T> implements Collector<T> {
  timestamp = NO_TIMESTAMP;
  constructor(private readonly output: Output) {}
  collect(value: T): void {
    this.output.collect(value, this.timestamp);
  }
}
