/**
 * Flink's three REST answers over a map of metric values: without `get` the ids (`[{id}]`), with
 * `get` the values of those that exist (`[{id, value}]`), and over several sources (subtasks, jobs)
 * the aggregates asked for (`[{id, min, max, avg, sum}]`). Unknown ids are left out, as Flink does.
 */
import type { MetricAggregate } from '@runnel/protocol';
import { metricValueString } from './metric-ids';

export function listOrGet(values: ReadonlyMap<string, number>, get: readonly string[] | undefined): Record<string, unknown>[] {
  if (!get) return [...values.keys()].sort().map((id) => ({ id }));
  return get.filter((id) => values.has(id)).map((id) => ({ id, value: metricValueString(values.get(id)!) }));
}

export function aggregate(sources: readonly ReadonlyMap<string, number>[], get: readonly string[] | undefined, agg: readonly MetricAggregate[] | undefined): Record<string, unknown>[] {
  if (!get) return [...new Set(sources.flatMap((s) => [...s.keys()]))].sort().map((id) => ({ id }));
  const wanted: readonly MetricAggregate[] = agg && agg.length ? agg : ['min', 'max', 'avg', 'sum'];
  const out: Record<string, unknown>[] = [];
  for (const id of get) {
    const vs = sources.flatMap((s) => (s.has(id) ? [s.get(id)!] : []));
    if (vs.length === 0) continue;
    const all: Record<MetricAggregate, number> = {
      min: Math.min(...vs),
      max: Math.max(...vs),
      sum: vs.reduce((a, b) => a + b, 0),
      avg: vs.reduce((a, b) => a + b, 0) / vs.length,
    };
    const entry: Record<string, unknown> = { id };
    for (const a of wanted) entry[a] = all[a];
    out.push(entry);
  }
  return out;
}
