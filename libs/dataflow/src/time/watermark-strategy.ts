/**
 * WatermarkStrategy: how timestamps are extracted and watermarks generated. Its config is
 * serialisable (goes in the JobGraph); the timestamp assigner is a function bound by uid.
 */
import { InvalidArgumentError } from '../core/dataflow.errors';
import { NO_TIMESTAMP } from '../core/stream-element.types';
import type { TimestampAssigner } from '../api/functions.types';

export interface WatermarkStrategyConfig {
  /** 'none' = no watermarks; 'bounded' = bounded out-of-orderness (monotonous is bounded with 0). */
  readonly type: 'none' | 'bounded';
  readonly maxOutOfOrdernessMs: number;
  readonly idlenessMs?: number;
  readonly hasTimestampAssigner: boolean;
}

export class WatermarkStrategy<T> {
  private constructor(
    readonly config: WatermarkStrategyConfig,
    readonly timestampAssigner?: TimestampAssigner<T>,
  ) {}

  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (!(maxOutOfOrdernessMs >= 0)) throw new InvalidArgumentError(`maxOutOfOrderness must be >= 0, got ${maxOutOfOrdernessMs}`);
    return new WatermarkStrategy<T>({ type: 'bounded', maxOutOfOrdernessMs, hasTimestampAssigner: false });
  }
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return WatermarkStrategy.forBoundedOutOfOrderness<T>(0);
  }
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>({ type: 'none', maxOutOfOrdernessMs: 0, hasTimestampAssigner: false });
  }

  withTimestampAssigner<U extends T>(assigner: TimestampAssigner<U>): WatermarkStrategy<U> {
    if (typeof assigner !== 'function') throw new InvalidArgumentError('withTimestampAssigner expects a function (element, recordTimestamp) => number');
    return new WatermarkStrategy<U>({ ...this.config, hasTimestampAssigner: true }, assigner);
  }
  /** Marks the input idle (excluded from the min-watermark downstream) after this long without records. */
  withIdleness(idlenessMs: number): WatermarkStrategy<T> {
    if (!(idlenessMs > 0)) throw new InvalidArgumentError(`idleness must be > 0, got ${idlenessMs}`);
    return new WatermarkStrategy<T>({ ...this.config, idlenessMs }, this.timestampAssigner);
  }

  get producesWatermarks(): boolean {
    return this.config.type !== 'none';
  }
}

/** Flink's default auto-watermark interval (pipeline.auto-watermark-interval). */
export const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

/**
 * Runtime watermark generator: fed per record, asked once per batch (periodic emission), and
 * answering at most once per `intervalMs` of wall time (0: every batch). A watermark is a
 * broadcast that flushes every output channel, so one per batch would cut every batch into
 * small messages; Flink emits them every 200 ms for the same reason. Wall time, not the
 * injectable processing-time clock: tests that stop that clock must still get watermarks.
 * Also tracks idleness against the processing-time clock.
 */
export class WatermarkGenerator<T> {
  private maxTs = Number.NEGATIVE_INFINITY;
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private lastEmittedAt = 0;
  private lastActivity: number;
  idle = false;
  private readonly assign?: TimestampAssigner<T>;

  constructor(
    private readonly config: WatermarkStrategyConfig,
    assigner: TimestampAssigner<T> | undefined,
    private readonly clock: () => number,
    private readonly intervalMs = 0,
  ) {
    this.assign = assigner;
    this.lastActivity = clock();
  }

  /** Extracts the timestamp for one record and updates the max seen. */
  extract(value: T, recordTs: number | undefined): number | undefined {
    const ts = this.assign ? this.assign(value, recordTs) : recordTs;
    if (ts !== undefined && ts > this.maxTs) this.maxTs = ts;
    return ts;
  }

  /**
   * The assigner's timestamp for a record that has none yet (a source's), NO_TIMESTAMP without
   * an assigner. Always a number, so a source's per-record path keeps it unboxed.
   */
  extractNew(value: T): number {
    const assign = this.assign;
    if (assign === undefined) return NO_TIMESTAMP;
    const ts = assign(value, undefined);
    // An assigner in plain JS may return anything: no timestamp then (the window operator says so).
    if (typeof ts !== 'number') return NO_TIMESTAMP;
    if (ts > this.maxTs) this.maxTs = ts;
    return ts;
  }

  markActive(): void {
    this.lastActivity = this.clock();
  }

  /** The watermark to emit now, or undefined when it has not advanced. */
  periodicWatermark(): number | undefined {
    if (this.config.type === 'none' || this.maxTs === Number.NEGATIVE_INFINITY) return undefined;
    const wm = this.maxTs - this.config.maxOutOfOrdernessMs - 1;
    if (wm <= this.lastEmitted) return undefined;
    if (this.intervalMs > 0) {
      const now = Date.now();
      if (now - this.lastEmittedAt < this.intervalMs) return undefined;
      this.lastEmittedAt = now;
    }
    this.lastEmitted = wm;
    return wm;
  }

  /** True when the input has just become idle (no records for idlenessMs). */
  checkIdle(): boolean {
    if (this.idle || this.config.idlenessMs === undefined) return false;
    if (this.clock() - this.lastActivity >= this.config.idlenessMs) {
      this.idle = true;
      return true;
    }
    return false;
  }
}
