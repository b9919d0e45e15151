/**
 * Keyed rolling reduce and the built-in aggregations (sum/min/max/minBy/maxBy of a field):
 * emits the running value for the key after every record.
 */
import { AbstractStreamOperator } from '../abstract-stream.operator';
import type { StateTable } from '../state/keyed-state.backend';

type Reduce = (a: unknown, b: unknown) => unknown;

function withField(a: unknown, field: string | number, value: number): unknown {
  if (Array.isArray(a)) {
    const copy = a.slice();
    copy[field as number] = value;
    return copy;
  }
  return { ...(a as object), [field]: value };
}

/** Builds the reduce function of a built-in aggregation; like Flink, non-aggregated fields come from the first element. */
export function builtInAggregation(aggregation: string, field: string | number | null): Reduce {
  const get = (v: unknown): number => (field === null ? (v as number) : (v as Record<string | number, number>)[field]);
  const set = (a: unknown, value: number) => (field === null ? value : withField(a, field, value));
  switch (aggregation) {
    case 'sum':
      return (a, b) => set(a, get(a) + get(b));
    case 'min':
      return (a, b) => (get(b) < get(a) ? set(a, get(b)) : a);
    case 'max':
      return (a, b) => (get(b) > get(a) ? set(a, get(b)) : a);
    case 'minBy':
      return (a, b) => (get(b) < get(a) ? b : a);
    case 'maxBy':
      return (a, b) => (get(b) > get(a) ? b : a);
    default:
      throw new Error(`unknown aggregation ${aggregation}`);
  }
}

export class KeyedReduceOperator extends AbstractStreamOperator {
  private reduce!: Reduce;
  private table!: StateTable;
  override open(): void {
    const { aggregation, field } = this.ctx.descriptor.config as { aggregation: string; field: string | number | null };
    this.reduce = aggregation === 'reduce' ? this.fn<Reduce>('reduce') : builtInAggregation(aggregation, field ?? null);
    this.table = this.backend!.table('reduce', 'internal');
  }
  processElement(value: unknown, timestamp: number, input: number): void {
    this.setKeyContext(value, input);
    const cur = this.table.get();
    const next = cur === undefined ? value : this.reduce(cur, value);
    this.table.put(next);
    this.output.collect(next, timestamp);
  }
}
