/** flatMap: zero or more outputs per input through a reused collector. */
import type { Collector } from '../../api/functions.types';
import { AbstractStreamOperator, TimestampedCollector } from '../abstract-stream.operator';

export class FlatMapOperator extends AbstractStreamOperator {
  private f!: (v: unknown, out: Collector<unknown>) => void;
  private collector!: TimestampedCollector<unknown>;
  override open(): void {
    this.f = this.fn('fn');
    this.collector = new TimestampedCollector(this.output);
  }
  processElement(value: unknown, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.f(value, this.collector);
  }
}
