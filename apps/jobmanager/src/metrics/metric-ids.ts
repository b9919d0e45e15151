/**
 * How metrics are named in Flink's REST API: operator names sanitised into one id segment (Flink
 * replaces what is not a letter, digit, `_` or `-`, and cuts at 80 characters), values as strings
 * with watermarks' ±∞ as Long.MIN_VALUE / Long.MAX_VALUE, and what a subtask's snapshot says by id.
 */
import {
  END_WATERMARK_VALUE, NO_WATERMARK_VALUE, OPERATOR_METRICS, TASK_METRICS, type JobVertex,
} from '@runnel/dataflow';
import type { WireMetricSnapshot } from '@runnel/protocol';

export function operatorSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
}

/** Flink's REST values are strings; watermark sentinels are printed exactly. */
export function metricValueString(v: number): string {
  if (v <= NO_WATERMARK_VALUE) return '-9223372036854775808';
  if (v >= END_WATERMARK_VALUE) return '9223372036854775807';
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}

/**
 * A subtask's metrics by id: task scope by name (`numRecordsIn`), operator scope as
 * `<operator>.<name>`, user metrics as `<operator>.<name>` too (Flink's layout).
 */
export function subtaskMetricMap(vertex: JobVertex, snapshot: WireMetricSnapshot | undefined, extra?: Record<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  if (!snapshot) return out;
  TASK_METRICS.forEach((name, i) => out.set(name, snapshot.task[i] ?? 0));
  vertex.operators.forEach((op, k) => {
    const seg = operatorSegment(op.name);
    const values = snapshot.ops[k] ?? [];
    OPERATOR_METRICS.forEach((name, i) => out.set(`${seg}.${name}`, values[i] ?? 0));
    for (const [name, v] of Object.entries(snapshot.user[k] ?? {})) out.set(`${seg}.${name}`, v);
  });
  for (const [k, v] of Object.entries(extra ?? {})) out.set(k, v);
  return out;
}
