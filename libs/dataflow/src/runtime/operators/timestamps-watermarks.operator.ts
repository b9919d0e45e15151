/**
 * assignTimestampsAndWatermarks: stamps records and emits watermarks once per batch (periodic
 * emission without per-record timers). Upstream watermarks are swallowed, except the final MAX
 * watermark of a bounded input, which must reach every window. With `withIdleness(ms)`, the
 * operator asks the task to wake it at the idleness deadline and then declares its output idle,
 * so downstream tasks stop waiting for its watermark; the next record makes it active again.
 */
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../core/stream-element.types';
import type { TimestampAssigner } from '../../api/functions.types';
import { WatermarkGenerator, type WatermarkStrategyConfig } from '../../time/watermark-strategy';
import { AbstractStreamOperator } from '../abstract-stream.operator';

export class TimestampsWatermarksOperator extends AbstractStreamOperator {
  private gen!: WatermarkGenerator<unknown>;
  private idlenessMs?: number;
  private lastActivity = 0;
  private sawRecords = false;

  override open(): void {
    const config = this.ctx.descriptor.config.strategy as WatermarkStrategyConfig;
    // Every batch (no auto-watermark interval): nothing would wake this operator to emit a
    // withheld watermark once its input goes quiet, unlike a source, which keeps polling.
    this.gen = new WatermarkGenerator(config, this.ctx.functions.timestampAssigner as TimestampAssigner<unknown> | undefined, this.ctx.clock);
    this.idlenessMs = config.idlenessMs;
    this.lastActivity = this.ctx.clock();
  }

  processElement(value: unknown, timestamp: number): void {
    if (this.gen.idle) {
      this.gen.idle = false;
      this.output.emitWatermarkStatus(false);
    }
    this.sawRecords = true;
    const ts = this.gen.extract(value, timestamp === NO_TIMESTAMP ? undefined : timestamp);
    this.output.collect(value, ts ?? NO_TIMESTAMP);
  }

  endBatch(): void {
    if (this.sawRecords && this.idlenessMs !== undefined) {
      // One clock read per batch, not per record.
      this.lastActivity = this.ctx.clock();
      this.gen.markActive();
    }
    this.sawRecords = false;
    const wm = this.gen.periodicWatermark();
    if (wm !== undefined) super.processWatermark(wm);
  }

  override processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK) super.processWatermark(watermark);
  }

  override nextProcessingTime(): number | undefined {
    if (this.idlenessMs === undefined || this.gen.idle || this.currentWatermark === MAX_WATERMARK) return undefined;
    return this.lastActivity + this.idlenessMs;
  }

  override advanceProcessingTime(_now: number): void {
    if (this.gen.checkIdle()) this.output.emitWatermarkStatus(true);
  }
}
