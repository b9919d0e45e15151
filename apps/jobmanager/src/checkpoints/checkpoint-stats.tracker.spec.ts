import { CheckpointStatsTracker, summarize } from './checkpoint-stats.tracker';

const timings = (alignment: number, processed = 0) => ({ alignmentDurationMs: alignment, startDelayMs: 2, syncDurationMs: 3, asyncDurationMs: 4, alignmentProcessedBytes: processed });

describe('CheckpointStatsTracker', () => {
  it("keeps each subtask's ack time, size and alignment, in Flink's details shapes", () => {
    const t = new CheckpointStatsTracker(10);
    t.triggered(1, false, 100, [{ id: 'src', parallelism: 1 }, { id: 'sink', parallelism: 2 }]);
    t.acknowledged(1, 'src', 0, 110, 10, timings(0));
    t.acknowledged(1, 'sink', 1, 130, 30, timings(15, 4096));
    expect(t.details(1)).toMatchObject({ className: 'in_progress', status: 'IN_PROGRESS', num_subtasks: 3, num_acknowledged_subtasks: 2, state_size: 40 });
    const pending = t.subtaskDetails(1, 'sink') as { subtasks: Record<string, unknown>[] };
    expect(pending.subtasks[0]).toEqual({ index: 0, status: 'pending_or_failed' });
    t.acknowledged(1, 'sink', 0, 120, 20, timings(5, 1024));
    t.completed(1);
    expect(t.details(1)).toMatchObject({
      className: 'completed', id: 1, status: 'COMPLETED', checkpoint_type: 'CHECKPOINT', trigger_timestamp: 100, latest_ack_timestamp: 130,
      end_to_end_duration: 30, state_size: 60, discarded: false, tasks: { sink: { num_acknowledged_subtasks: 2, state_size: 50, latest_ack_timestamp: 130 } },
    });
    const sink = t.subtaskDetails(1, 'sink') as { summary: { alignment: { duration: { min: number; max: number }; processed: { min: number; max: number } } }; subtasks: Record<string, unknown>[] };
    expect(sink.subtasks[1]).toMatchObject({
      index: 1, status: 'completed', ack_timestamp: 130, end_to_end_duration: 30, state_size: 30,
      alignment: { duration: 15, processed: 4096, buffered: 0, persisted: 0 }, checkpoint: { sync: 3, async: 4 }, start_delay: 2,
    });
    expect(sink.summary.alignment.duration).toMatchObject({ min: 5, max: 15 });
    expect(sink.summary.alignment.processed).toMatchObject({ min: 1024, max: 4096 });
    // The checkpoint's processed_data is the sum over its subtasks.
    expect(t.details(1)).toMatchObject({ processed_data: 5120, persisted_data: 0 });
    expect(t.summary().processed_data).toMatchObject({ min: 5120, max: 5120 });
    expect(t.subtaskDetails(1, 'nope')).toBeUndefined();
    expect(t.details(2)).toBeUndefined();
  });

  it('records failures and forgets checkpoints beyond the history size', () => {
    const t = new CheckpointStatsTracker(2);
    for (const id of [1, 2, 3]) t.triggered(id, id === 3, id * 100, [{ id: 'v', parallelism: 1 }]);
    t.failed(3, 350, 'declined: boom');
    expect(t.has(1)).toBe(false);
    expect(t.details(3)).toMatchObject({ className: 'failed', checkpoint_type: 'SAVEPOINT', failure_timestamp: 350, failure_message: 'declined: boom' });
  });

  it('summarises with min, max, average and nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(summarize(values)).toEqual({ min: 1, max: 100, avg: 51, p50: 50, p90: 90, p95: 95, p99: 99, p999: 100 });
    expect(summarize([])).toMatchObject({ min: 0, max: 0, avg: 0 });
  });
});
