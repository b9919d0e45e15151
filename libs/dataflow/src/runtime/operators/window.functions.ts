/**
 * The one accumulator interface the window operator runs reduce, aggregate and process windows
 * through: reduce keeps the reduced value, aggregate the user's accumulator, process the list of
 * elements.
 */
import type { AggregateFunction, ReduceFunction } from '../../api/functions.types';

export type WindowFunctionKind = 'reduce' | 'aggregate' | 'process';

export interface InternalAggregate {
  createAccumulator(): unknown;
  add(value: unknown, acc: unknown): unknown;
  /** Absent for an aggregate without merge: no session windows, no panes. */
  merge: ((a: unknown, b: unknown) => unknown) | undefined;
  getResult(acc: unknown): unknown;
}

export function internalAggregate(kind: WindowFunctionKind, fns: Record<string, unknown>): InternalAggregate {
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
      merge: f.merge === undefined ? undefined : (a, b) => f.merge!(a, b),
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
