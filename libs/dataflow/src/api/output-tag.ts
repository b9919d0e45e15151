/** Names a side output of an operator; the type parameter types the side stream. */
import { InvalidArgumentError } from '../core/dataflow.errors';

export class OutputTag<T> {
  /** Phantom field: carries T so tags of different element types are not interchangeable. */
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError('OutputTag id must be a non-empty string');
  }
}
