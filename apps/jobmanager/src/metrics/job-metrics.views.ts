/**
 * A JobMaster's metrics in Flink's scopes, read from the last snapshot each subtask reported (the
 * ExecutionGraph keeps it, final one included, so a finished job keeps its exact totals while it is
 * in the history): the job scope, a vertex's subtasks, one subtask, and a TaskManager's slots.
 */
import { ExecutionStates, TERMINAL_EXECUTION_STATES, type WireMetricSnapshot } from '@runnel/protocol';
import type { JobVertex } from '@runnel/dataflow';
import type { Execution } from '../jobmaster/execution-graph';
import type { JobMaster } from '../jobmaster/job-master';
import { subtaskMetricMap } from './metric-ids';

export function snapshotOf(e: Execution): WireMetricSnapshot | undefined {
  return e.metrics.snapshot;
}

/** Flink's job metrics: restarts, uptime/downtime, checkpoint counts and the last checkpoint. */
export function jobMetricMap(job: JobMaster, now: number): Map<string, number> {
  const stats = job.checkpoints.stats();
  const last = stats.latest.completed as { end_to_end_duration?: number; state_size?: number; checkpointed_size?: number } | null;
  const running = job.status === 'RUNNING';
  const since = job.timestamps.RUNNING ?? now;
  const restarting = job.status === 'RESTARTING';
  return new Map<string, number>([
    ['numRestarts', job.restarts],
    ['fullRestarts', job.restarts],
    ['uptime', running ? now - since : job.isTerminal() ? -1 : 0],
    ['downtime', restarting ? now - (job.timestamps.RESTARTING ?? now) : 0],
    ['lastCheckpointDuration', last?.end_to_end_duration ?? -1],
    ['lastCheckpointSize', last?.state_size ?? -1],
    ['numberOfCompletedCheckpoints', stats.counts.completed ?? 0],
    ['numberOfFailedCheckpoints', stats.counts.failed ?? 0],
    ['numberOfInProgressCheckpoints', stats.counts.in_progress ?? 0],
    ['totalNumberOfCheckpoints', stats.counts.total ?? 0],
  ]);
}

export interface VertexEntry {
  readonly vertex: JobVertex;
  readonly executions: readonly Execution[];
}

export function vertexOf(job: JobMaster, vertexId: string): VertexEntry | undefined {
  return job.graph.jobVertices.find((v) => v.vertex.id === vertexId);
}

export function subtaskMetrics(entry: VertexEntry, e: Execution): Map<string, number> {
  return subtaskMetricMap(entry.vertex, snapshotOf(e));
}

/** Flink's vertex scope: `<subtask>.<metric>` for every subtask. */
export function vertexMetricMap(entry: VertexEntry): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entry.executions) for (const [id, v] of subtaskMetrics(entry, e)) out.set(`${e.subtaskIndex}.${id}`, v);
  return out;
}

/** A TaskManager as the JobManager sees it: the slots its jobs use and each slot worker's heap. */
export function taskManagerMetricMap(jobs: Iterable<JobMaster>, taskManagerId: string): Map<string, number> {
  const slots = new Map<number, { used: number; limit: number }>();
  let tasks = 0;
  for (const job of jobs) {
    for (const e of job.graph.executions()) {
      if (e.slot?.resourceId !== taskManagerId || TERMINAL_EXECUTION_STATES.includes(e.state)) continue;
      if (e.state === ExecutionStates.Running) tasks++;
      const m = e.metrics;
      const slot = slots.get(e.slot.slotIndex) ?? { used: 0, limit: 0 };
      // Tasks of one slot share its worker: any of them reports the same heap.
      if (m.heapUsed !== undefined) slot.used = Math.max(slot.used, m.heapUsed);
      if (m.heapLimit !== undefined) slot.limit = Math.max(slot.limit, m.heapLimit);
      slots.set(e.slot.slotIndex, slot);
    }
  }
  const out = new Map<string, number>([
    ['Status.Slots.Used', slots.size],
    ['Status.Tasks.Running', tasks],
  ]);
  for (const [index, s] of [...slots].sort((a, b) => a[0] - b[0])) {
    out.set(`Status.Slot.${index}.Memory.Heap.Used`, s.used);
    out.set(`Status.Slot.${index}.Memory.Heap.Max`, s.limit);
  }
  return out;
}
