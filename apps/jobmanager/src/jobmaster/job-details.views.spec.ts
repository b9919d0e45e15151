import { AllocationIds, JobIds, NotFoundError, ResourceIds, SlotIds, testingResourceManagerGateway, testingTaskExecutorGateway, TaskDeploymentDescriptor } from '@runnel/protocol';
import type { JobGraph } from '@runnel/dataflow';
import { JobMaster } from './job-master';
import { exceptionHistory, executionResult, jobConfig, subtaskDetails, subtaskTimes, vertexDetails, vertexTaskManagers } from './job-details.views';

const JOB = JobIds.parse('b'.repeat(32));
const graph: JobGraph = {
  jobName: 'views job',
  config: { parallelism: 2, maxParallelism: 128, restartStrategy: { type: 'fixed-delay', attempts: 5, delayMs: 10 } } as never,
  vertices: [
    { id: 'src', name: 'Source', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: [], isSource: true },
    { id: 'sink', name: 'Sink', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: [], isSource: false },
  ],
  edges: [{ id: 'e0', source: 'src', target: 'sink', targetInput: 0, partitioner: 'forward' }],
};

function setup() {
  let now = 1000;
  const deployed: (Omit<TaskDeploymentDescriptor, 'protocolVersion'> & { resourceId: string })[] = [];
  const rm = testingResourceManagerGateway({
    putJob: async () => ({}),
    updateJobStatus: async () => ({}),
    releaseSlots: async () => ({}),
    requestSlots: async ({ count }) => ({
      allocations: Array.from({ length: count }, (_, i) => ({
        allocationId: AllocationIds.parse(String(i).padStart(32, '0')), resourceId: ResourceIds.parse(`tm-${i}`), slotIndex: 0, slotId: SlotIds.parse(`tm-${i}#0`), address: `http://host-${i}:1234`,
      })),
    }),
  });
  const job = new JobMaster(
    { jobId: JOB, jobName: 'views job', artifactHash: 'f'.repeat(64), programArgs: [], jobGraph: graph as never, jobGraphHash: 'e'.repeat(64) },
    {
      resourceManager: rm,
      taskExecutor: (resourceId) => testingTaskExecutorGateway({ submitTask: async (tdd) => (deployed.push({ ...tdd, resourceId }), {}), releaseJob: async () => ({}) }),
      dataStreams: { create: async () => 'stream', releaseAttempt: async () => undefined, delete: async () => undefined },
      clock: () => now,
      sleep: async (ms) => void (now += ms),
      log: { log: () => undefined, warn: () => undefined, error: () => undefined },
      checkpoints: {
        save: async () => undefined, markStatus: async () => undefined, completed: async () => [], find: async () => undefined,
        savepoints: async () => [], setExternalPath: async () => undefined,
      },
      checkpointStore: { deleteCheckpoint: async () => undefined, createJobBucket: async () => undefined, deleteJobBucketIfEmpty: async () => true },
    },
    { slotRequestTimeoutMs: 60_000, slotRetryIntervalMs: 500, taskManagerCheckIntervalMs: 60_000 },
  );
  return { job, deployed, tick: (ms: number) => void (now += ms) };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('job detail views', () => {
  it('shows a vertex with its subtasks: attempt, host, duration, records and bytes as the TaskManagers reported them', async () => {
    const { job, deployed, tick } = setup();
    await job.start();
    const sinks = deployed.filter((d) => d.vertexId === 'sink');
    for (const d of deployed) job.onTaskState({ jobId: JOB, executionAttemptId: d.executionAttemptId, state: 'RUNNING' });
    tick(500);
    job.onTaskState({ jobId: JOB, executionAttemptId: sinks[1].executionAttemptId, state: 'RUNNING', metrics: { recordsIn: 7, recordsOut: 0, bytesIn: 70, bytesOut: 0 } });
    const view = vertexDetails(job, 'sink', 2000) as { parallelism: number; subtasks: Record<string, unknown>[] };
    expect(view.parallelism).toBe(2);
    expect(view.subtasks[1]).toMatchObject({
      subtask: 1, status: 'RUNNING', attempt: 0, host: 'host-1', endpoint: 'http://host-1:1234', 'taskmanager-id': 'tm-1', duration: 1000,
      metrics: { 'read-records': 7, 'read-bytes': 70, 'write-records': 0, 'read-records-complete': false },
    });
    expect(subtaskDetails(job, 'sink', 1, undefined, 2000)).toEqual(view.subtasks[1]);
    expect((subtaskTimes(job, 'sink', 2000) as { subtasks: { timestamps: Record<string, number> }[] }).subtasks[0].timestamps).toMatchObject({ CREATED: 1000, RUNNING: 1000 });
    const tms = (vertexTaskManagers(job, 'sink', 2000) as { taskmanagers: Record<string, unknown>[] }).taskmanagers;
    expect(tms.map((t) => t['taskmanager-id']).sort()).toEqual(['tm-0', 'tm-1']);
    expect(() => vertexDetails(job, 'nope', 2000)).toThrow(NotFoundError);
    expect(() => subtaskDetails(job, 'sink', 2, undefined, 2000)).toThrow(NotFoundError);
    expect(executionResult(job)).toEqual({ status: { id: 'IN_PROGRESS' } });
    expect(jobConfig(job)).toMatchObject({ jid: JOB, 'execution-config': { 'job-parallelism': 2, 'restart-strategy': 'fixed-delay (attempts=5, delayMs=10)' } });
  });

  it('keeps every failure in the exception history, newest first, with task and TaskManager; and former attempts', async () => {
    const { job, deployed } = setup();
    await job.start();
    const failOnce = async (n: number, message: string) => {
      await waitUntil(() => deployed.length === 4 * n);
      const d = deployed.slice(4 * (n - 1)).find((x) => x.vertexId === 'sink' && x.subtaskIndex === 1)!;
      job.onTaskState({ jobId: JOB, executionAttemptId: d.executionAttemptId, state: 'FAILED', failure: { name: 'RangeError', message, stack: `RangeError: ${message}\n    at map (job.mjs:1:1)` } });
    };
    await failOnce(1, 'first');
    await failOnce(2, 'second');
    await failOnce(3, 'third');
    await waitUntil(() => deployed.length === 16);
    const history = exceptionHistory(job, 2);
    expect(history.truncated).toBe(true);
    expect(history.entries.map((e) => e.stacktrace)).toEqual(['RangeError: third\n    at map (job.mjs:1:1)', 'RangeError: second\n    at map (job.mjs:1:1)']);
    expect(history.entries[0]).toMatchObject({ exceptionName: 'RangeError', taskName: 'Sink (2/2)', taskManagerId: 'tm-1', endpoint: 'http://host-1:1234' });
    expect(exceptionHistory(job).entries).toHaveLength(3);
    // The first attempt's failed subtask is still there to look at.
    expect(subtaskDetails(job, 'sink', 1, 0, 5000)).toMatchObject({ attempt: 0, status: 'FAILED', 'failure-cause': expect.stringContaining('first') });
    expect(subtaskDetails(job, 'sink', 1, undefined, 5000)).toMatchObject({ attempt: 3 });
    expect(() => subtaskDetails(job, 'sink', 1, 9, 5000)).toThrow(NotFoundError);
    await job.cancel();
    expect(executionResult(job)).toMatchObject({ status: { id: 'COMPLETED' }, 'job-execution-result': { id: JOB, 'application-status': 'CANCELED' } });
  });
});
