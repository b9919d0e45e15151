import { AllocationIds, CheckpointIds, JobIds, NoRespondersError, RequestTimeoutError, ResourceIds, testingTaskExecutorGateway } from '@runnel/protocol';
import type { JobGraph } from '@runnel/dataflow';
import { ExecutionGraph } from '../jobmaster/execution-graph';
import { CheckpointCoordinator } from './checkpoint-coordinator';
import { CheckpointRecord } from './checkpoint.repository';

const JOB = JobIds.parse('c'.repeat(32));
const cp = CheckpointIds.parse;
const op = (uid: string) => ({ uid, name: uid, kind: 'map', inputs: 1, keyed: false, config: {} });
const graph: JobGraph = {
  jobName: 'cp',
  config: { parallelism: 2, maxParallelism: 128, checkpointing: { intervalMs: 1000, mode: 'exactly-once', timeoutMs: 5000, minPauseBetweenMs: 0, maxConcurrent: 1, tolerableFailures: 1, retained: 1 } },
  vertices: [
    { id: 'src', name: 'Source', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: [op('src')], isSource: true },
    { id: 'agg', name: 'Agg', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: [op('agg'), op('sink')], isSource: false },
  ],
  edges: [{ id: 'e0', source: 'src', target: 'agg', targetInput: 0, partitioner: 'hash' }],
};

function setup(settings: Partial<{ tolerableFailures: number; retained: number; timeoutMs: number; retainOnCancel: boolean }> = {}, failSave?: () => boolean, stored: CheckpointRecord[] = []) {
  const saved: CheckpointRecord[] = [];
  const statuses: [number, string][] = [];
  const deleted: number[] = [];
  /** Order of state deletions: "checkpoint <id>" and "bucket <job>" (deleted only if empty). */
  const released: string[] = [];
  const triggered: string[] = [];
  const notified: string[] = [];
  let tooMany: string | undefined;
  const unreachable = new Map<string, () => Error>();
  const tm = (rid: string) =>
    testingTaskExecutorGateway({
      triggerCheckpoint: async (r) => {
        const error = unreachable.get(rid);
        if (error) throw error();
        triggered.push(`${rid}:${r.executionAttemptId}:${r.checkpointId}`);
        return {};
      },
      notifyCheckpointComplete: async (r) => (notified.push(`${rid}:${r.checkpointId}`), {}),
    });
  const coordinator = new CheckpointCoordinator(
    { intervalMs: 1000, mode: 'exactly-once', timeoutMs: settings.timeoutMs ?? 5000, minPauseMs: 0, maxConcurrent: 1, tolerableFailures: settings.tolerableFailures ?? 1, retained: settings.retained ?? 1, retainOnCancel: settings.retainOnCancel ?? false },
    {
      jobId: JOB,
      jobGraph: graph,
      taskExecutor: tm,
      repository: {
        save: async (r) => {
          if (r.status === 'COMPLETED' && failSave?.()) throw new Error('connection terminated');
          saved.push(r);
        },
        markStatus: async (_j, id, status) => void statuses.push([id, status]),
        completed: async () => stored,
        find: async () => undefined,
        savepoints: async () => [],
        setExternalPath: async () => undefined,
      },
      store: {
        deleteCheckpoint: async (_j, id) => void (deleted.push(id), released.push(`checkpoint ${id}`)),
        deleteJobBucketIfEmpty: async (j) => (released.push(`bucket ${j}`), true),
      },
      clock: Date.now,
      log: { log: () => undefined, warn: () => undefined },
      onTooManyFailures: (reason) => (tooMany = reason),
    },
  );
  const eg = new ExecutionGraph(graph, 0, 0);
  eg.assignSlots(
    [0, 1].map((i) => ({ allocationId: AllocationIds.parse(String(i).padStart(32, '0')), resourceId: ResourceIds.parse(`tm-${i}`), slotIndex: 0, address: 'x' })),
    0,
  );
  for (const e of eg.executions()) {
    eg.transition(e, 'DEPLOYING', 0);
    eg.transition(e, 'RUNNING', 0);
  }
  coordinator.start(eg);
  const ackAll = async (id: number) => {
    for (const e of eg.executions()) {
      await coordinator.onAcknowledge({ executionAttemptId: e.attemptId, checkpointId: cp(id), handle: `${e.vertexId}/${e.subtaskIndex}/${id}`, size: 10, checksum: 'f'.repeat(64) });
    }
  };
  return { coordinator, eg, saved, statuses, deleted, released, triggered, notified, ackAll, unreachable, tooMany: () => tooMany };
}

/** The checkpoint ids triggered so far (each once), from the setup's "tm:attempt:id" records. */
const triggeredCheckpointIds = (triggered: readonly string[]) => [...new Set(triggered.map((x) => Number(x.split(':')[2])))];

/** Polls `done` every 5 ms for up to 2 s (the callers then assert what they waited for). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('CheckpointCoordinator', () => {
  it('triggers every running task, completes when every task acknowledged, persists, notifies, subsumes', async () => {
    const t = setup();
    const first = await t.coordinator.trigger();
    expect(first).toBe(1);
    // Sources inject the barrier; the others take it only at the end of their input (final checkpoint).
    expect(t.triggered.sort()).toEqual(t.eg.executions().map((e) => `${e.slot!.resourceId}:${e.attemptId}:1`).sort());
    expect(await t.coordinator.trigger()).toBeUndefined(); // one at a time (maxConcurrent 1)
    await t.ackAll(1);
    expect(t.saved).toHaveLength(1);
    expect(t.saved[0]).toMatchObject({ checkpointId: 1, status: 'COMPLETED', stateSize: 30, parallelism: { src: 1, agg: 2 }, operators: { src: ['src'], agg: ['agg', 'sink'] } });
    expect(t.notified.sort()).toEqual(['tm-0:1', 'tm-1:1']);
    await t.coordinator.trigger();
    await t.ackAll(2);
    expect(t.statuses).toEqual([[1, 'SUBSUMED']]);
    expect(t.deleted).toEqual([1]);
    expect(t.coordinator.latestCompleted()?.checkpointId).toBe(2);
    expect(t.coordinator.stats().counts).toMatchObject({ completed: 2, failed: 0, in_progress: 0 });
    t.coordinator.stop();
  });

  it.each([
    ['cancelled', true, false, ['checkpoint 1', `bucket ${JOB}`], 'DISCARDED'],
    ['cancelled, retain on cancel', true, true, [`bucket ${JOB}`], undefined],
    ['finished or failed', false, false, [`bucket ${JOB}`], undefined],
  ])('a job that ended (%s) discards what it must, then deletes its bucket if empty', async (_what, cancelled, retainOnCancel, released, status) => {
    const t = setup({ retainOnCancel });
    await t.coordinator.trigger();
    await t.ackAll(1);
    t.coordinator.stop();
    await t.coordinator.releaseEnded(cancelled);
    expect(t.released).toEqual(released);
    expect(t.statuses.find(([id]) => id === 1)?.[1]).toBe(status);
  });

  it('counts every checkpoint since the start, beyond the history window of 50', async () => {
    const t = setup();
    for (let id = 1; id <= 60; id++) {
      expect(await t.coordinator.trigger()).toBe(id);
      await t.ackAll(id);
    }
    const stats = t.coordinator.stats();
    expect(stats.counts).toMatchObject({ total: 60, completed: 60, in_progress: 0, failed: 0 });
    expect(stats.history).toHaveLength(50);
    expect(stats.history[0]).toMatchObject({ id: 60, status: 'COMPLETED' });
    t.coordinator.stop();
  });

  it('fails (and counts) a checkpoint whose metadata cannot be stored: a savepoint is not left in progress', async () => {
    let failing = true;
    const t = setup({ tolerableFailures: 5 }, () => failing);
    const savepoint = t.coordinator.triggerSavepoint();
    await new Promise((resolve) => setImmediate(resolve));
    await t.ackAll(1);
    await expect(savepoint).rejects.toThrow(/metadata could not be stored: connection terminated/);
    expect(t.notified).toEqual([]); // no sink commits a checkpoint that is not stored
    expect(t.coordinator.stats().counts).toMatchObject({ failed: 1, completed: 0, in_progress: 0 });
    expect(t.coordinator.stats().history[0]).toMatchObject({ id: 1, status: 'FAILED' });
    failing = false;
    await t.coordinator.trigger();
    await t.ackAll(2);
    expect(t.coordinator.stats().counts).toMatchObject({ failed: 1, completed: 1 });
    t.coordinator.stop();
  });

  it('a job started from a savepoint restores its own newer checkpoint after a JobManager failover, the savepoint before it has one', async () => {
    const record = (jobId: string, checkpointId: number, completedTimestamp: number, isSavepoint: boolean): CheckpointRecord => ({
      jobId: JobIds.parse(jobId), checkpointId: cp(checkpointId), attempt: 0, status: 'COMPLETED', isSavepoint, triggerTimestamp: completedTimestamp - 10, completedTimestamp,
      stateSize: 1, handles: [], parallelism: {}, operators: {}, failureReason: null, externalPath: null,
    });
    const savepoint = record('d'.repeat(32), 7, 1_000, true);
    const fresh = setup();
    fresh.coordinator.seedFromSavepoint(savepoint);
    await fresh.coordinator.recover();
    expect(fresh.coordinator.latestCompleted()).toBe(savepoint);
    fresh.coordinator.stop();

    const own = record(JOB, 9, 5_000, false);
    const recovered = setup({}, undefined, [own]);
    recovered.coordinator.seedFromSavepoint(savepoint);
    await recovered.coordinator.recover();
    expect(recovered.coordinator.latestCompleted()).toBe(own);
    expect(await recovered.coordinator.trigger()).toBe(10);
    recovered.coordinator.stop();
  });

  it('does not complete before every task acknowledged, and ignores duplicates', async () => {
    const t = setup();
    await t.coordinator.trigger();
    const [a] = t.eg.executions();
    await t.coordinator.onAcknowledge({ executionAttemptId: a.attemptId, checkpointId: cp(1), handle: 'h', size: 1, checksum: 'f'.repeat(64) });
    await t.coordinator.onAcknowledge({ executionAttemptId: a.attemptId, checkpointId: cp(1), handle: 'h', size: 1, checksum: 'f'.repeat(64) });
    expect(t.saved).toHaveLength(0);
    expect(t.coordinator.stats().counts.in_progress).toBe(1);
    t.coordinator.stop();
  });

  it('counts declined checkpoints and gives up past the tolerable number', async () => {
    const t = setup({ tolerableFailures: 1 });
    await t.coordinator.trigger();
    t.coordinator.onDecline(cp(1), 'disk full');
    expect(t.tooMany()).toBeUndefined();
    await t.coordinator.trigger();
    t.coordinator.onDecline(cp(2), 'disk full');
    expect(t.tooMany()).toMatch(/2 checkpoints failed in a row \(tolerable: 1\); the last: declined: disk full/);
    expect(t.deleted).toEqual([1, 2]);
    expect(t.coordinator.stats().counts.failed).toBe(2);
    t.coordinator.stop();
  });

  it('expires a checkpoint that is not acknowledged in time', async () => {
    const t = setup({ timeoutMs: 20 });
    await t.coordinator.trigger();
    const deadline = Date.now() + 5000;
    while (t.coordinator.stats().history[0].status !== 'FAILED' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(t.coordinator.stats().history[0]).toMatchObject({ id: 1, status: 'FAILED', failure_message: 'expired after 20 ms' });
    t.coordinator.stop();
  });

  it('hands each vertex the state of the old vertices holding its operators (by uid)', async () => {
    const t = setup();
    await t.coordinator.trigger();
    await t.ackAll(1);
    const spec = t.coordinator.restoreFor('agg')!;
    expect(spec.checkpointId).toBe(1);
    expect(spec.parallelism).toBe(2);
    expect(spec.handles.map((h) => h.handle).sort()).toEqual(['agg/0/1', 'agg/1/1']);
    t.coordinator.stop();
  });

  it('takes a savepoint that is not subsumed by later checkpoints', async () => {
    const t = setup();
    const savepoint = t.coordinator.triggerSavepoint();
    await new Promise((resolve) => setImmediate(resolve));
    await t.ackAll(1);
    expect((await savepoint).isSavepoint).toBe(true);
    await t.coordinator.trigger();
    await t.ackAll(2);
    await t.coordinator.trigger();
    await t.ackAll(3);
    expect(t.statuses).toEqual([[2, 'SUBSUMED']]);
    t.coordinator.stop();
  });

  it('goes on checkpointing after a task finished: its final state stands for it, and is not deleted while referred to', async () => {
    const t = setup();
    const [src, agg0, agg1] = t.eg.executions();
    const handle = (e: typeof src, id: number) => `${JOB}/chk-${id}/${e.vertexId}/${e.subtaskIndex}`;
    const ack = (e: typeof src, id: number) => t.coordinator.onAcknowledge({ executionAttemptId: e.attemptId, checkpointId: cp(id), handle: handle(e, id), size: 10, checksum: 'f'.repeat(64) });
    // Checkpoint 1 is agg0's final checkpoint; agg0 then finishes.
    await t.coordinator.trigger();
    for (const e of [src, agg0, agg1]) await ack(e, 1);
    t.eg.transition(agg0, 'FINISHED', 1);
    await t.coordinator.onExecutionFinished(agg0.attemptId);
    t.triggered.length = 0;
    expect(await t.coordinator.trigger()).toBe(2);
    expect(t.triggered.some((x) => x.includes(agg0.attemptId))).toBe(false);
    await ack(src, 2);
    await ack(agg1, 2);
    const second = t.coordinator.latestCompleted()!;
    expect(second.checkpointId).toBe(2);
    expect(second.handles.find((h) => h.vertexId === 'agg' && h.subtaskIndex === 0)?.handle).toBe(handle(agg0, 1));
    // Checkpoint 1 is subsumed (retained 1) but its state of agg0 is still referred to: kept.
    expect(t.statuses).toEqual([[1, 'SUBSUMED']]);
    expect(t.deleted).toEqual([]);
    // A task that finishes while a checkpoint waits for it completes that checkpoint.
    await t.coordinator.trigger();
    await ack(src, 3);
    t.eg.transition(agg1, 'FINISHED', 2);
    await t.coordinator.onExecutionFinished(agg1.attemptId);
    expect(t.coordinator.latestCompleted()?.checkpointId).toBe(3);
    expect(t.coordinator.latestCompleted()?.handles.map((h) => h.handle).sort()).toEqual([handle(agg0, 1), handle(agg1, 2), handle(src, 3)].sort());
    // Checkpoint 2's state of src is not referred to any more, but its agg1 state is: both stay until unreferenced.
    expect(t.deleted).toEqual([]);
    t.coordinator.stop();
  });

  it('triggers a checkpoint soon for a task whose input ended, not at the next interval; again after one in progress or a failed one', async () => {
    const t = setup();
    const [src] = t.eg.executions();
    const triggeredIds = () => triggeredCheckpointIds(t.triggered);
    // Nothing in progress: one is triggered at once (the interval is 1000 ms; this waits far less).
    t.coordinator.requestFinalCheckpoint(src.attemptId);
    await until(() => triggeredIds().length === 1);
    expect(triggeredIds()).toEqual([1]);
    // The task took checkpoint 1 with its input still running: asked again meanwhile, the next one follows 1.
    t.coordinator.requestFinalCheckpoint(src.attemptId);
    await new Promise((resolve) => setImmediate(resolve));
    expect(triggeredIds()).toEqual([1]);
    await t.ackAll(1);
    await until(() => triggeredIds().length === 2);
    expect(triggeredIds()).toEqual([1, 2]);
    // Checkpoint 2 fails: the task still waits, so another one is triggered.
    t.coordinator.onDecline(cp(2), 'a publish failed');
    await until(() => triggeredIds().length === 3);
    expect(triggeredIds()).toEqual([1, 2, 3]);
    await t.ackAll(3);
    // The task finished: no more.
    t.eg.transition(src, 'FINISHED', 1);
    await t.coordinator.onExecutionFinished(src.attemptId);
    t.coordinator.onDecline(cp(4), 'none in progress');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(triggeredIds()).toEqual([1, 2, 3]);
    t.coordinator.stop();
  });

  it('a request that crossed a trigger is covered by it: no extra checkpoint as the job ends', async () => {
    const t = setup();
    const [src] = t.eg.executions();
    const triggeredIds = () => triggeredCheckpointIds(t.triggered);
    await t.coordinator.trigger(); // checkpoint 1, periodic
    // The task had seen no checkpoint when it asked; its request arrives while 1 is in progress.
    t.coordinator.requestFinalCheckpoint(src.attemptId, 0);
    await t.ackAll(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(triggeredIds()).toEqual([1]);
    // Arriving after 1 completed, and having seen nothing newer: covered already.
    t.coordinator.requestFinalCheckpoint(src.attemptId, 0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(triggeredIds()).toEqual([1]);
    // The task took 1 with its input still running: it needs a later one.
    t.coordinator.requestFinalCheckpoint(src.attemptId, 1);
    await until(() => triggeredIds().length === 2);
    expect(triggeredIds()).toEqual([1, 2]);
    t.coordinator.stop();
  });

  it('does not count a trigger that finds its TaskManager gone (the heartbeat fails the job over), but counts one that times out', async () => {
    const t = setup({ tolerableFailures: 1 });
    t.unreachable.set('tm-1', () => new NoRespondersError('runnel.taskmanager.tm-1.triggerCheckpoint'));
    for (let i = 0; i < 4; i++) await t.coordinator.trigger();
    expect(t.coordinator.stats().counts).toMatchObject({ failed: 4, in_progress: 0 });
    expect(t.tooMany()).toBeUndefined();
    t.unreachable.set('tm-1', () => new RequestTimeoutError('runnel.taskmanager.tm-1.triggerCheckpoint', 5000));
    for (let i = 0; i < 2; i++) await t.coordinator.trigger();
    expect(t.tooMany()).toMatch(/2 checkpoints failed in a row/);
    t.coordinator.stop();
  });
});
