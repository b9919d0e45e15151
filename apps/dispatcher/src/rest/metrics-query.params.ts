/**
 * Flink's metric query parameters: `get=a,b` (ids to return), `agg=min,max,sum,avg`, `subtasks=0,2-4`
 * and `jobs=<id>,<id>`. Checked here, so bad input is a 400 before the cluster is asked anything.
 */
import { JobId, METRIC_AGGREGATES, MetricAggregate, MetricQueryLimits, ValidationError } from '@runnel/protocol';
import { parseJobId } from './ids';

function list(raw: unknown, field: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  if (typeof text !== 'string') throw new ValidationError(`${field} must be a comma-separated list`, [{ field, problems: ['must be a string'] }]);
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length > MetricQueryLimits.names) throw new ValidationError(`${field} names at most ${MetricQueryLimits.names} items`, [{ field, problems: ['too many items'] }]);
  return items;
}

export function parseGet(raw: unknown): string[] | undefined {
  const items = list(raw, 'get');
  const long = items?.find((i) => i.length > MetricQueryLimits.nameLength);
  if (long) throw new ValidationError(`get: a metric id is at most ${MetricQueryLimits.nameLength} characters`, [{ field: 'get', problems: ['id too long'] }]);
  return items;
}

export function parseAgg(raw: unknown): MetricAggregate[] | undefined {
  const items = list(raw, 'agg');
  const bad = items?.find((a) => !(METRIC_AGGREGATES as readonly string[]).includes(a));
  if (bad !== undefined)
    throw new ValidationError(`Unknown aggregate ${JSON.stringify(bad.slice(0, 50))}: expected ${METRIC_AGGREGATES.join(', ')}`, [{ field: 'agg', problems: [`must be among ${METRIC_AGGREGATES.join(', ')}`] }]);
  return items ? ([...new Set(items)] as MetricAggregate[]) : undefined;
}

/** `0,2-4` → [0, 2, 3, 4]. */
export function parseSubtasks(raw: unknown): number[] | undefined {
  const items = list(raw, 'subtasks');
  if (!items) return undefined;
  const out = new Set<number>();
  for (const item of items) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] !== undefined ? Number(m[2]) : from;
    if (!m || to < from || to > 32_767 || to - from >= MetricQueryLimits.subtasks)
      throw new ValidationError(`Invalid subtasks ${JSON.stringify(item.slice(0, 50))}: expected indexes or ranges like 0,2-4`, [{ field: 'subtasks', problems: ['must be indexes or ranges'] }]);
    for (let i = from; i <= to; i++) out.add(i);
  }
  return [...out];
}

export function parseJobs(raw: unknown): JobId[] | undefined {
  return list(raw, 'jobs')?.map(parseJobId);
}

export function parseSubtaskIndex(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 32_767)
    throw new ValidationError(`Invalid subtask index ${JSON.stringify(raw.slice(0, 50))}: expected a number`, [{ field: 'subtaskindex', problems: ['must be a non-negative integer'] }]);
  return Number(raw);
}

/** A JobVertex id as the JobGraph makes them (hex, or a user's uid-derived id): bounded and path-safe. */
export function parseVertexId(raw: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,255}$/.test(raw))
    throw new ValidationError(`Invalid vertex id ${JSON.stringify(raw.slice(0, 100))}`, [{ field: 'vertexid', problems: ['must be a vertex id of the job'] }]);
  return raw;
}
