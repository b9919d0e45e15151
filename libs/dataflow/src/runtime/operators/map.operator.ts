/** map: one output per input, timestamp kept. */
import { AbstractStreamOperator } from '../abstract-stream.operator';

export class MapOperator extends AbstractStreamOperator {
  private f!: (v: unknown) => unknown;
  override open(): void {
    this.f = this.fn('fn');
  }
  processElement(value: unknown, timestamp: number): void {
    this.output.collect(this.f(value), timestamp);
  }
}
