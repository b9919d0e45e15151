/**
 * Keyed window operator for tumbling, sliding and session windows in event or processing time.
 * Contents are kept per key in a state table whose namespace is the window ("start:end"), so
 * windows, their accumulators and their timers are all snapshotted by key group. Reduce, aggregate
 * and process windows share one path through an internal accumulator; a window fires at its max
 * timestamp, fires again for late-but-allowed elements, and is cleared at max timestamp + allowed
 * lateness. Session windows merge on arrival (touching windows merge, as in Flink).
 */
import { DataflowError, DataflowErrorCode } from '../../core/dataflow.errors';
import { NO_TIMESTAMP } from '../../core/stream-element.types';
import type { AggregateFunction, ProcessWindowFunction, ReduceFunction, WindowContext } from '../../api/functions.types';
import { TimeWindow } from '../../time/time-window';
import { windowAssignerFromConfig, type WindowAssigner, type WindowAssignerConfig } from '../../time/window-assigner.types';
import { AbstractStreamOperator, TimestampedCollector } from '../abstract-stream.operator';
import type { StateTable } from '../state/keyed-state.backend';
import type { InternalTimer } from '../state/timer-heap';

interface WindowConfig {
  assigner: WindowAssignerConfig;
  allowedLateness: number;
  lateTag: string | null;
  function: 'reduce' | 'aggregate' | 'process';
  hasWindowFunction: boolean;
}

type InternalAggregate = Required<AggregateFunction<unknown, unknown, unknown>>;

function internalAggregate(kind: WindowConfig['function'], fns: Record<string, unknown>): InternalAggregate {
  if (kind === 'reduce') {
    const reduce = fns.reduce as ReduceFunction<unknown>;
    return {
      createAccumulator: () => undefined,
      add: (v, acc) => (acc === undefined ? v : reduce(acc, v)),
      merge: (a, b) => (a === undefined ? b : b === undefined ? a : reduce(a, b)),
      getResult: (acc) => acc,
    };
  }
  if (kind === 'aggregate') {
    const f = fns.aggregate as AggregateFunction<unknown, unknown, unknown>;
    return {
      createAccumulator: () => f.createAccumulator(),
      add: (v, acc) => f.add(v, acc),
      merge: (a, b) => f.merge!(a, b),
      getResult: (acc) => f.getResult(acc),
    };
  }
  return {
    createAccumulator: () => [],
    add: (v, acc) => {
      (acc as unknown[]).push(v);
      return acc;
    },
    merge: (a, b) => (a as unknown[]).concat(b as unknown[]),
    getResult: (acc) => acc,
  };
}

export class WindowOperator extends AbstractStreamOperator {
  private config!: WindowConfig;
  private assigner!: WindowAssigner;
  private agg!: InternalAggregate;
  private windowFn?: ProcessWindowFunction<unknown, unknown, unknown, TimeWindow>;
  private table!: StateTable;
  private collector!: TimestampedCollector<unknown>;
  private wctx!: WindowContext<TimeWindow> & { window: TimeWindow };
  private readonly single: unknown[] = [undefined];
  /** Set by mergeInto when session windows were merged (the result needs fresh timers). */
  private merged = false;
  /** Elements dropped because they were later than the allowed lateness (a metric). */
  numLateRecordsDropped = 0;

  override open(): void {
    this.config = this.ctx.descriptor.config as unknown as WindowConfig;
    this.assigner = windowAssignerFromConfig(this.config.assigner);
    this.agg = internalAggregate(this.config.function, this.ctx.functions);
    const windowFn = this.ctx.functions.windowFn as typeof this.windowFn;
    this.windowFn = windowFn && this.instance(windowFn);
    this.table = this.backend!.table('window-contents', 'internal');
    this.collector = new TimestampedCollector(this.output);
    const c = this.collector;
    this.wctx = {
      window: new TimeWindow(0, 0),
      currentWatermark: () => this.currentWatermark,
      currentProcessingTime: () => this.ctx.clock(),
      output: (tag, value) => this.output.collectSide(tag.id, value, c.timestamp),
    };
    this.windowFn?.open?.(this.runtimeContext());
  }

  private isLate(w: TimeWindow): boolean {
    return this.assigner.isEventTime && w.maxTimestamp() + this.config.allowedLateness <= this.currentWatermark;
  }

  processElement(value: unknown, timestamp: number, input: number): void {
    this.setKeyContext(value, input);
    const eventTime = this.assigner.isEventTime;
    if (eventTime && timestamp === NO_TIMESTAMP)
      throw new DataflowError(
        DataflowErrorCode.MissingWatermarks,
        `Window operator "${this.ctx.descriptor.name}" received a record without timestamp; assign timestamps with a WatermarkStrategy.`,
      );
    const windows = this.assigner.assignWindows(eventTime ? timestamp : this.ctx.clock());
    let skipped = true;
    for (const w of windows) {
      if (this.isLate(w)) continue;
      skipped = false;
      this.merged = false;
      const target = this.assigner.isMerging ? this.mergeInto(w) : w;
      const ns = target.toNamespace();
      const cur = this.table.get(ns);
      this.table.put(this.agg.add(value, cur === undefined ? this.agg.createAccumulator() : cur), ns);
      // A window with contents already has its timers: register only for new or merged windows
      // (keeps the per-record path free of timer bookkeeping).
      if (cur === undefined || this.merged) this.registerTimers(target);
      // Late-but-allowed element: the window already fired, so fire again with the update.
      if (eventTime && target.maxTimestamp() <= this.currentWatermark) this.fire(target);
    }
    if (skipped) {
      if (this.config.lateTag !== null) this.output.collectSide(this.config.lateTag, value, timestamp);
      else this.numLateRecordsDropped++;
    }
  }

  /** Merges `w` with every session window of the current key it touches; returns the result window. */
  private mergeInto(w: TimeWindow): TimeWindow {
    let merged = w;
    const existing = this.table.namespaces().map((ns) => TimeWindow.fromNamespace(ns));
    const absorbed: TimeWindow[] = [];
    let changed = true;
    while (changed) {
      changed = false;
      for (const e of existing) {
        if (absorbed.includes(e) || !e.intersects(merged)) continue;
        absorbed.push(e);
        merged = merged.cover(e);
        changed = true;
      }
    }
    if (absorbed.length === 0 || (absorbed.length === 1 && absorbed[0].start === merged.start && absorbed[0].end === merged.end)) return merged;
    let acc = this.agg.createAccumulator();
    for (const e of absorbed) {
      const ns = e.toNamespace();
      acc = this.agg.merge(acc, this.table.get(ns));
      this.table.remove(ns);
      this.deleteTimers(e);
    }
    this.table.put(acc, merged.toNamespace());
    this.merged = true;
    return merged;
  }

  private registerTimers(w: TimeWindow): void {
    const ns = w.toNamespace();
    if (this.assigner.isEventTime) {
      // A window already past the watermark fires right away (late-but-allowed) instead of by timer.
      if (w.maxTimestamp() > this.currentWatermark) this.timers!.registerEventTimeTimer(ns, w.maxTimestamp());
      if (this.config.allowedLateness > 0) this.timers!.registerEventTimeTimer(ns, w.maxTimestamp() + this.config.allowedLateness);
    } else this.timers!.registerProcessingTimeTimer(ns, w.maxTimestamp());
  }
  private deleteTimers(w: TimeWindow): void {
    const ns = w.toNamespace();
    if (this.assigner.isEventTime) {
      this.timers!.deleteEventTimeTimer(ns, w.maxTimestamp());
      if (this.config.allowedLateness > 0) this.timers!.deleteEventTimeTimer(ns, w.maxTimestamp() + this.config.allowedLateness);
    } else this.timers!.deleteProcessingTimeTimer(ns, w.maxTimestamp());
  }

  override onEventTime(timer: InternalTimer): void {
    const w = TimeWindow.fromNamespace(timer.namespace);
    if (timer.timestamp === w.maxTimestamp()) this.fire(w);
    if (timer.timestamp === w.maxTimestamp() + this.config.allowedLateness) this.table.remove(timer.namespace);
  }
  override onProcessingTime(timer: InternalTimer): void {
    const w = TimeWindow.fromNamespace(timer.namespace);
    this.fire(w);
    this.table.remove(timer.namespace);
  }

  private fire(w: TimeWindow): void {
    const acc = this.table.get(w.toNamespace());
    if (acc === undefined) return;
    const result = this.agg.getResult(acc);
    this.collector.timestamp = w.maxTimestamp();
    if (this.windowFn) {
      this.wctx.window = w;
      let elements: readonly unknown[];
      if (this.config.function === 'process') elements = result as unknown[];
      else {
        this.single[0] = result;
        elements = this.single;
      }
      this.windowFn.process(this.backend!.currentKey, this.wctx, elements, this.collector);
    } else this.collector.collect(result);
  }

  override close(): void {
    this.windowFn?.close?.();
  }
}
