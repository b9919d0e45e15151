/**
 * Flink's task and operator metric names, once, and the compact snapshot a subtask reports: plain
 * number arrays in the order of these lists, so a report carries numbers only and the names travel
 * with the code, not with every message.
 */

/** Task scope (Flink: `<host>.taskmanager.<tm_id>.<job_name>.<task_name>.<subtask_index>.*`). */
export const TASK_METRICS = [
  'numRecordsIn',
  'numRecordsOut',
  'numBytesIn',
  'numBytesOut',
  'numRecordsInPerSecond',
  'numRecordsOutPerSecond',
  'numBytesInPerSecond',
  'numBytesOutPerSecond',
  'busyTimeMsPerSecond',
  'idleTimeMsPerSecond',
  'backPressuredTimeMsPerSecond',
  'isBackPressured',
  'currentInputWatermark',
  'currentOutputWatermark',
  'checkpointAlignmentTime',
  'checkpointStartDelayNanos',
  'lastCheckpointSize',
] as const;
export type TaskMetricName = (typeof TASK_METRICS)[number];

/** Operator scope (Flink: `….<task_name>.<subtask_index>.<operator_name>.*`). */
export const OPERATOR_METRICS = [
  'numRecordsIn',
  'numRecordsOut',
  'numRecordsInPerSecond',
  'numRecordsOutPerSecond',
  'currentInputWatermark',
  'currentOutputWatermark',
  'currentInput1Watermark',
  'currentInput2Watermark',
  'numLateRecordsDropped',
] as const;
export type OperatorMetricName = (typeof OPERATOR_METRICS)[number];

/** Metrics whose values are watermarks: -∞ (none yet) travels as Flink's Long.MIN_VALUE. */
export const WATERMARK_METRICS: ReadonlySet<string> = new Set([
  'currentInputWatermark',
  'currentOutputWatermark',
  'currentInput1Watermark',
  'currentInput2Watermark',
]);

/**
 * Flink's Long.MIN_VALUE ("no watermark yet") and Long.MAX_VALUE (end of input) as JSON numbers
 * (doubles: ±2^63; REST prints them as the exact longs).
 */
export const NO_WATERMARK_VALUE = -(2 ** 63);
export const END_WATERMARK_VALUE = 2 ** 63;

/** A watermark as a JSON number: ±∞ become Flink's Long.MIN_VALUE / Long.MAX_VALUE. */
export function watermarkValue(wm: number): number {
  if (wm === Number.NEGATIVE_INFINITY) return NO_WATERMARK_VALUE;
  if (wm === Number.POSITIVE_INFINITY) return END_WATERMARK_VALUE;
  return wm;
}

/**
 * Which input channel holds a task's watermark back: the channel with the lowest watermark among
 * those that are not idle (the valve's minimum), how long it has been silent, and whether it is
 * idle (marked idle by its producer, or silent for IDLE_INPUT_MS).
 */
export interface WatermarkHold {
  readonly channel: number;
  readonly watermark: number;
  readonly idle: boolean;
  readonly silentMs: number;
}

/** An input that delivered nothing for this long is reported idle in the watermark view. */
export const IDLE_INPUT_MS = 2000;

/** What a subtask reports, numbers only (`hold` and `user` are small objects of numbers too). */
export interface TaskMetricSnapshot {
  /** Wall-clock time of the snapshot (ms). */
  readonly at: number;
  /** In TASK_METRICS order. */
  readonly task: number[];
  /** Per chained operator, in OPERATOR_METRICS order. */
  readonly ops: number[][];
  /** User-defined metrics per chained operator (name → value; histograms flattened). */
  readonly user: Record<string, number>[];
  readonly hold?: WatermarkHold;
}

/** A snapshot's values by name (for views). */
export function taskMetricValues(snapshot: TaskMetricSnapshot): Record<TaskMetricName, number> {
  return Object.fromEntries(TASK_METRICS.map((n, i) => [n, snapshot.task[i] ?? 0])) as Record<TaskMetricName, number>;
}

export function operatorMetricValues(snapshot: TaskMetricSnapshot, operatorIndex: number): Record<OperatorMetricName, number> {
  const values = snapshot.ops[operatorIndex] ?? [];
  return Object.fromEntries(OPERATOR_METRICS.map((n, i) => [n, values[i] ?? 0])) as Record<OperatorMetricName, number>;
}
