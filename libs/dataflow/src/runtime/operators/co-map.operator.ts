/** connect().map: a CoMapFunction applied to whichever input the record came from. */
import type { CoMapFunction } from '../../api/functions.types';
import { AbstractStreamOperator } from '../abstract-stream.operator';

export class CoMapOperator extends AbstractStreamOperator {
  private f!: CoMapFunction<unknown, unknown, unknown>;
  override open(): void {
    this.f = this.fn('fn');
  }
  processElement(value: unknown, timestamp: number, input: number): void {
    this.output.collect(input === 0 ? this.f.map1(value) : this.f.map2(value), timestamp);
  }
}
