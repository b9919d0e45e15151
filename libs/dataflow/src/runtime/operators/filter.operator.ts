/** filter: keeps the records the predicate accepts. */
import { AbstractStreamOperator } from '../abstract-stream.operator';

export class FilterOperator extends AbstractStreamOperator {
  private f!: (v: unknown) => boolean;
  override open(): void {
    this.f = this.fn('fn');
  }
  processElement(value: unknown, timestamp: number): void {
    if (this.f(value)) this.output.collect(value, timestamp);
  }
}
