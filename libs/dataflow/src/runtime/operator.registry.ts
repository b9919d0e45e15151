/** Operator kinds → factories. Operators register themselves; tasks build chains by kind. */
import { UnknownOperatorKindError } from '../core/dataflow.errors';
import type { OperatorDescriptor } from '../graph/job-graph.types';
import type { OperatorFactory, StreamOperator } from './operator.types';

const factories = new Map<string, OperatorFactory>();

export function registerOperator(kind: string, factory: OperatorFactory): void {
  factories.set(kind, factory);
}

export function createOperator(descriptor: OperatorDescriptor): StreamOperator {
  const f = factories.get(descriptor.kind);
  if (!f) throw new UnknownOperatorKindError(descriptor.kind);
  return f(descriptor);
}

export function registeredOperatorKinds(): string[] {
  return [...factories.keys()].sort();
}
