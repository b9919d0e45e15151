/**
 * A subtask's metric snapshot as it crosses the wire (inside updateTaskExecutionState): numbers
 * only, in bounded arrays and maps, so a report stays compact and a malformed one is refused
 * before the JobManager keeps it. The layout is dataflow's TaskMetricSnapshot.
 */
import { ValidateBy, ValidationOptions } from 'class-validator';

export const MetricSnapshotLimits = {
  taskValues: 64,
  operators: 1000,
  operatorValues: 64,
  userMetricsPerOperator: 7 * 32,
  nameLength: 80,
} as const;

const isNumberArray = (v: unknown, max: number): v is number[] => Array.isArray(v) && v.length <= max && v.every((x) => typeof x === 'number');
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why a snapshot is refused, or undefined when it is well-formed. */
export function metricSnapshotProblem(v: unknown): string | undefined {
  if (!isRecord(v)) return 'must be an object';
  if (typeof v.at !== 'number') return 'at must be a number';
  if (!isNumberArray(v.task, MetricSnapshotLimits.taskValues)) return `task must be at most ${MetricSnapshotLimits.taskValues} numbers`;
  if (!Array.isArray(v.ops) || v.ops.length > MetricSnapshotLimits.operators || !v.ops.every((o) => isNumberArray(o, MetricSnapshotLimits.operatorValues)))
    return 'ops must be arrays of numbers, one per operator';
  if (!Array.isArray(v.user) || v.user.length > MetricSnapshotLimits.operators) return 'user must be an array, one entry per operator';
  for (const u of v.user) {
    if (!isRecord(u)) return 'user entries must be objects';
    const entries = Object.entries(u);
    if (entries.length > MetricSnapshotLimits.userMetricsPerOperator) return 'too many user metrics';
    if (entries.some(([k, x]) => k.length > MetricSnapshotLimits.nameLength || typeof x !== 'number')) return 'user metrics must be short names with number values';
  }
  if (v.hold !== undefined) {
    const h = v.hold;
    if (!isRecord(h) || typeof h.channel !== 'number' || typeof h.watermark !== 'number' || typeof h.idle !== 'boolean' || typeof h.silentMs !== 'number')
      return 'hold must be {channel, watermark, idle, silentMs}';
  }
  const known = new Set(['at', 'task', 'ops', 'user', 'hold']);
  const extra = Object.keys(v).find((k) => !known.has(k));
  return extra ? `unknown field ${extra}` : undefined;
}

export function IsMetricSnapshot(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMetricSnapshot',
      validator: {
        validate: (value: unknown) => metricSnapshotProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'snapshot'} ${metricSnapshotProblem(args?.value) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

/** The snapshot's shape, as the JobManager reads it once validated. */
export interface WireMetricSnapshot {
  readonly at: number;
  readonly task: number[];
  readonly ops: number[][];
  readonly user: Record<string, number>[];
  readonly hold?: { channel: number; watermark: number; idle: boolean; silentMs: number };
}
