/** connect().process on non-keyed streams: a CoProcessFunction with side outputs, no keyed state. */
import { NO_TIMESTAMP } from '../../core/stream-element.types';
import type { CoProcessFunction, ProcessContext } from '../../api/functions.types';
import { AbstractStreamOperator, TimestampedCollector } from '../abstract-stream.operator';

export class CoProcessOperator extends AbstractStreamOperator {
  private f!: CoProcessFunction<unknown, unknown, unknown>;
  private collector!: TimestampedCollector<unknown>;
  private pctx!: ProcessContext;
  override open(): void {
    this.f = this.instance(this.fn('fn'));
    const c = (this.collector = new TimestampedCollector(this.output));
    this.pctx = {
      timestamp: () => (c.timestamp === NO_TIMESTAMP ? undefined : c.timestamp),
      output: (tag, value) => this.output.collectSide(tag.id, value, c.timestamp),
      currentWatermark: () => this.currentWatermark,
    };
    this.f.open?.(this.runtimeContext());
  }
  processElement(value: unknown, timestamp: number, input: number): void {
    this.collector.timestamp = timestamp;
    if (input === 0) this.f.processElement1(value, this.pctx, this.collector);
    else this.f.processElement2(value, this.pctx, this.collector);
  }
  override close(): void {
    this.f?.close?.();
  }
}
