/**
 * Checkpoint statistics per subtask (Flink's CheckpointStatsTracker): for each recent checkpoint,
 * when each subtask acknowledged it, its state size and how it spent the checkpoint (barrier
 * alignment, start delay, synchronous and asynchronous part). It serves Flink's views of one
 * checkpoint (`CheckpointStatistics`, `TaskCheckpointStatisticsWithSubtaskDetails`) and the
 * summary of the history. The coordinator tells it what happens; it decides nothing.
 */
import type { SubtaskCheckpointTimings } from '@runnel/protocol';

type Status = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

interface SubtaskStats {
  readonly ackTimestamp: number;
  readonly stateSize: number;
  readonly timings?: SubtaskCheckpointTimings;
}

interface VertexStats {
  readonly subtasks: (SubtaskStats | undefined)[];
}

interface TrackedCheckpoint {
  readonly id: number;
  readonly savepoint: boolean;
  readonly triggerTimestamp: number;
  status: Status;
  latestAck: number;
  readonly vertices: Map<string, VertexStats>;
  failureTimestamp?: number;
  failureMessage?: string;
  externalPath?: string;
  discarded: boolean;
}

export interface MinMaxAvg {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
}

/** Flink's StatsSummaryDto: min, max, average and quantiles (nearest rank) of a set of values. */
export function summarize(values: readonly number[]): MinMaxAvg {
  if (values.length === 0) return { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  return {
    min: sorted[0],
    max: sorted[sorted.length - 1],
    avg: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), p999: q(0.999),
  };
}

const className = (s: Status) => (s === 'COMPLETED' ? 'completed' : s === 'FAILED' ? 'failed' : 'in_progress');

export class CheckpointStatsTracker {
  private readonly checkpoints = new Map<number, TrackedCheckpoint>();

  constructor(private readonly historySize: number) {}

  triggered(id: number, savepoint: boolean, at: number, vertices: readonly { readonly id: string; readonly parallelism: number }[]): void {
    this.checkpoints.set(id, {
      id, savepoint, triggerTimestamp: at, status: 'IN_PROGRESS', latestAck: at, discarded: false,
      vertices: new Map(vertices.map((v) => [v.id, { subtasks: new Array<SubtaskStats | undefined>(v.parallelism).fill(undefined) }])),
    });
    // Oldest first in a Map: drop beyond the history window.
    for (const old of this.checkpoints.keys()) {
      if (this.checkpoints.size <= this.historySize) break;
      this.checkpoints.delete(old);
    }
  }

  acknowledged(id: number, vertexId: string, subtaskIndex: number, at: number, stateSize: number, timings: SubtaskCheckpointTimings | undefined): void {
    const c = this.checkpoints.get(id);
    const subtasks = c?.vertices.get(vertexId)?.subtasks;
    if (!c || !subtasks || subtaskIndex < 0 || subtaskIndex >= subtasks.length) return;
    subtasks[subtaskIndex] = { ackTimestamp: at, stateSize, ...(timings ? { timings } : {}) };
    c.latestAck = Math.max(c.latestAck, at);
  }

  completed(id: number): void {
    const c = this.checkpoints.get(id);
    if (c) c.status = 'COMPLETED';
  }

  failed(id: number, at: number, reason: string): void {
    const c = this.checkpoints.get(id);
    if (!c) return;
    c.status = 'FAILED';
    c.failureTimestamp = at;
    c.failureMessage = reason;
  }

  /** A completed checkpoint was subsumed (its state deleted) or written to a directory. */
  discarded(id: number): void {
    const c = this.checkpoints.get(id);
    if (c) c.discarded = true;
  }

  externalPath(id: number, path: string): void {
    const c = this.checkpoints.get(id);
    if (c) c.externalPath = path;
  }

  has(id: number): boolean {
    return this.checkpoints.has(id);
  }

  /** Flink's CheckpointStatistics (GET /jobs/:id/checkpoints/details/:cid); undefined when not in the history. */
  details(id: number): Record<string, unknown> | undefined {
    const c = this.checkpoints.get(id);
    if (!c) return undefined;
    const tasks = Object.fromEntries([...c.vertices].map(([vertexId, v]) => [vertexId, this.taskStats(c, vertexId, v)]));
    return { ...this.entryFields(c), tasks };
  }

  /** Flink's TaskCheckpointStatisticsWithSubtaskDetails (…/details/:cid/subtasks/:vid); undefined when unknown. */
  subtaskDetails(id: number, vertexId: string): Record<string, unknown> | undefined {
    const c = this.checkpoints.get(id);
    const v = c?.vertices.get(vertexId);
    if (!c || !v) return undefined;
    const acked = v.subtasks.flatMap((s) => (s ? [s] : []));
    const t = (s: SubtaskStats) => s.timings;
    return {
      ...this.taskStats(c, vertexId, v),
      summary: {
        checkpointed_size: summarize(acked.map((s) => s.stateSize)),
        state_size: summarize(acked.map((s) => s.stateSize)),
        end_to_end_duration: summarize(acked.map((s) => s.ackTimestamp - c.triggerTimestamp)),
        checkpoint_duration: { sync: summarize(acked.map((s) => t(s)?.syncDurationMs ?? 0)), async: summarize(acked.map((s) => t(s)?.asyncDurationMs ?? 0)) },
        alignment: {
          buffered: summarize(acked.map(() => 0)),
          processed: summarize(acked.map((s) => t(s)?.alignmentProcessedBytes ?? 0)),
          persisted: summarize(acked.map(() => 0)),
          duration: summarize(acked.map((s) => t(s)?.alignmentDurationMs ?? 0)),
        },
        start_delay: summarize(acked.map((s) => t(s)?.startDelayMs ?? 0)),
      },
      subtasks: v.subtasks.map((s, index) =>
        s
          ? {
              index,
              status: 'completed',
              ack_timestamp: s.ackTimestamp,
              end_to_end_duration: s.ackTimestamp - c.triggerTimestamp,
              checkpointed_size: s.stateSize,
              state_size: s.stateSize,
              checkpoint: { sync: s.timings?.syncDurationMs ?? 0, async: s.timings?.asyncDurationMs ?? 0 },
              // Aligned checkpoints only: no in-flight data is buffered or persisted (0, as Flink reports
              // then); processed is what the inputs still without the barrier delivered meanwhile.
              alignment: { buffered: 0, processed: s.timings?.alignmentProcessedBytes ?? 0, persisted: 0, duration: s.timings?.alignmentDurationMs ?? 0 },
              start_delay: s.timings?.startDelayMs ?? 0,
              unaligned_checkpoint: false,
              aborted: false,
            }
          : { index, status: 'pending_or_failed' },
      ),
    };
  }

  /** What the history entry of a checkpoint adds in Flink's shape (checkpoint type, sizes, per-vertex statistics). */
  historyFields(id: number): Record<string, unknown> {
    const c = this.checkpoints.get(id);
    return c ? this.details(id)! : {};
  }

  /** Flink's summary of GET /jobs/:id/checkpoints: over the completed checkpoints of the history. */
  summary(): Record<string, MinMaxAvg> {
    const done = [...this.checkpoints.values()].filter((c) => c.status === 'COMPLETED');
    const sizes = done.map((c) => this.size(c));
    return {
      checkpointed_size: summarize(sizes),
      state_size: summarize(sizes),
      end_to_end_duration: summarize(done.map((c) => c.latestAck - c.triggerTimestamp)),
      alignment_buffered: summarize(done.map(() => 0)),
      processed_data: summarize(done.map((c) => this.processed(c))),
      persisted_data: summarize(done.map(() => 0)),
    };
  }

  private entryFields(c: TrackedCheckpoint): Record<string, unknown> {
    const size = this.size(c);
    const all = [...c.vertices.values()].flatMap((v) => v.subtasks);
    return {
      className: className(c.status),
      id: c.id,
      status: c.status,
      is_savepoint: c.savepoint,
      savepointFormat: c.savepoint ? 'CANONICAL' : null,
      trigger_timestamp: c.triggerTimestamp,
      latest_ack_timestamp: c.latestAck,
      checkpointed_size: size,
      state_size: size,
      end_to_end_duration: c.latestAck - c.triggerTimestamp,
      alignment_buffered: 0,
      processed_data: this.processed(c),
      persisted_data: 0,
      num_subtasks: all.length,
      num_acknowledged_subtasks: all.filter(Boolean).length,
      checkpoint_type: c.savepoint ? 'SAVEPOINT' : 'CHECKPOINT',
      ...(c.status === 'COMPLETED' ? { external_path: c.externalPath ?? null, discarded: c.discarded } : {}),
      ...(c.status === 'FAILED' ? { failure_timestamp: c.failureTimestamp ?? 0, failure_message: c.failureMessage ?? '' } : {}),
    };
  }

  private taskStats(c: TrackedCheckpoint, vertexId: string, v: VertexStats): Record<string, unknown> {
    const acked = v.subtasks.flatMap((s) => (s ? [s] : []));
    const size = acked.reduce((a, s) => a + s.stateSize, 0);
    const latest = acked.length ? Math.max(...acked.map((s) => s.ackTimestamp)) : 0;
    return {
      id: vertexId,
      status: c.status,
      latest_ack_timestamp: latest,
      checkpointed_size: size,
      state_size: size,
      end_to_end_duration: acked.length ? latest - c.triggerTimestamp : 0,
      alignment_buffered: 0,
      processed_data: this.processed(c),
      persisted_data: 0,
      num_subtasks: v.subtasks.length,
      num_acknowledged_subtasks: acked.length,
    };
  }

  /** Bytes the subtasks read while aligning (Flink's processed_data). */
  private processed(c: TrackedCheckpoint): number {
    let bytes = 0;
    for (const v of c.vertices.values()) for (const s of v.subtasks) bytes += s?.timings?.alignmentProcessedBytes ?? 0;
    return bytes;
  }

  private size(c: TrackedCheckpoint): number {
    let size = 0;
    for (const v of c.vertices.values()) for (const s of v.subtasks) size += s?.stateSize ?? 0;
    return size;
  }
}
