/** Non-keyed ProcessFunction: side outputs and the current watermark; no keyed state or timers. */
import { NO_TIMESTAMP } from '../../core/stream-element.types';
import type { ProcessContext, ProcessFunction } from '../../api/functions.types';
import { AbstractStreamOperator, TimestampedCollector } from '../abstract-stream.operator';

export class ProcessOperator extends AbstractStreamOperator {
  private f!: ProcessFunction<unknown, unknown>;
  private collector!: TimestampedCollector<unknown>;
  private pctx!: ProcessContext;

  override open(): void {
    this.f = this.instance(this.fn('fn'));
    this.collector = new TimestampedCollector(this.output);
    const c = this.collector;
    this.pctx = {
      timestamp: () => (c.timestamp === NO_TIMESTAMP ? undefined : c.timestamp),
      output: (tag, value) => this.output.collectSide(tag.id, value, c.timestamp),
      currentWatermark: () => this.currentWatermark,
    };
    this.f.open?.(this.runtimeContext());
  }
  processElement(value: unknown, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.f.processElement(value, this.pctx, this.collector);
  }
  override close(): void {
    this.f?.close?.();
  }
}
