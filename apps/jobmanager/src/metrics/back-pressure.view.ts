/**
 * Flink's back-pressure view of a vertex (JobVertexBackPressureInfo) from the time its subtasks
 * spent waiting for downstream capacity: ratio = backPressuredTimeMsPerSecond / 1000, and the level
 * `ok` ≤ 0.10 < `low` ≤ 0.5 < `high`, per subtask and for the vertex (its worst subtask).
 */
import { taskMetricValues, type TaskMetricSnapshot } from '@runnel/dataflow';
import type { BackPressureReply, Reply } from '@runnel/protocol';
import type { JobMaster } from '../jobmaster/job-master';
import { snapshotOf, type VertexEntry } from './job-metrics.views';

export type BackPressureLevel = 'ok' | 'low' | 'high';

export function backPressureLevel(ratio: number): BackPressureLevel {
  if (ratio <= 0.1) return 'ok';
  if (ratio <= 0.5) return 'low';
  return 'high';
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function backPressureView(job: JobMaster, entry: VertexEntry, now: number): Reply<BackPressureReply> {
  let worst = 0;
  let end = 0;
  const subtasks = entry.executions.map((e) => {
    const snapshot = snapshotOf(e);
    const v = snapshot ? taskMetricValues(snapshot as TaskMetricSnapshot) : undefined;
    const ratio = round((v?.backPressuredTimeMsPerSecond ?? 0) / 1000);
    worst = Math.max(worst, ratio);
    end = Math.max(end, snapshot?.at ?? 0);
    return {
      subtask: e.subtaskIndex,
      'attempt-number': job.graph.attempt,
      backpressureLevel: backPressureLevel(ratio),
      ratio,
      idleRatio: round((v?.idleTimeMsPerSecond ?? 0) / 1000),
      busyRatio: round((v?.busyTimeMsPerSecond ?? 0) / 1000),
      isBackPressured: (v?.isBackPressured ?? 0) === 1,
    };
  });
  return { status: 'ok', backpressureLevel: backPressureLevel(worst), 'end-timestamp': end || now, subtasks };
}
