import { AllocationIds, CheckpointIds, ConflictError, ExecutionAttemptId, JobIds, NoRespondersError, NotEnoughSlotsError, ResourceIds, SlotIds, TaskDeploymentDescriptor, testingResourceManagerGateway, testingTaskExecutorGateway } from '@runnel/protocol';
import type { JobGraph } from '@runnel/dataflow';
import { JobMaster } from './job-master';
import { jobDetails, jobExceptions } from './job-views';
import { exceptionHistory } from './job-details.views';
import type { CheckpointRecord } from '../checkpoints/checkpoint.repository';

const JOB = JobIds.parse('a'.repeat(32));
const graph: JobGraph = {
  jobName: 'spec job',
  config: { parallelism: 3, maxParallelism: 128 },
  vertices: [
    { id: 'src', name: 'Source', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: [], isSource: true },
    { id: 'agg', name: 'Aggregate', parallelism: 3, maxParallelism: 128, slotSharingGroup: 'default', operators: [], isSource: false },
  ],
  edges: [{ id: 'e0', source: 'src', target: 'agg', targetInput: 0, partitioner: 'hash' }],
};

function setup(options: { freeSlots?: number; timeoutMs?: number; threeFreeAfterMs?: number; graph?: JobGraph; unreachable?: Set<string>; completed?: CheckpointRecord[]; resourceManagerDownFor?: number; attemptReleaseHangs?: boolean; streamCreationTimesOut?: readonly number[]; releaseJob?: () => Promise<void>; slotRequestRefused?: Error } = {}) {
  const sleeps: number[] = [];
  let creations = 0;
  let now = 1000;
  let free = options.freeSlots ?? 3;
  const deployed: (Omit<TaskDeploymentDescriptor, 'protocolVersion'> & { resourceId: string })[] = [];
  const released: string[] = [];
  // TaskManagers the ResourceManager was told are unreachable: never allocated again.
  const dropped = new Set<string>();
  // The ResourceManager failing over: its first calls find nobody listening.
  let rmDown = options.resourceManagerDownFor ?? 0;
  const rmAnswers = () => {
    if (rmDown === Number.POSITIVE_INFINITY || rmDown-- > 0) throw new NoRespondersError('runnel.resourcemanager.putJob');
  };
  // The TaskManagers the ResourceManager's registry holds (a test removes one to lose it).
  const registered = new Set(['tm-0', 'tm-1']);
  const rm = testingResourceManagerGateway({
    listTaskManagers: async () => ({ taskManagers: [...registered].map((id) => ({ id })) as never }),
    taskManagerUnreachable: async ({ resourceId }) => (dropped.add(resourceId), {}),
    putJob: async () => (rmAnswers(), {}),
    updateJobStatus: async () => ({}),
    releaseSlots: async () => ({}),
    requestSlots: async ({ count }) => {
      rmAnswers();
      if (options.slotRequestRefused) throw options.slotRequestRefused;
      if (count > free) throw new NotEnoughSlotsError(count, free);
      const live = [ResourceIds.parse('tm-0'), ResourceIds.parse('tm-1')].filter((id) => !dropped.has(id));
      return {
        allocations: Array.from({ length: count }, (_, i) => ({
          allocationId: AllocationIds.parse(String(i).padStart(32, '0')), resourceId: live[i % live.length], slotIndex: Math.floor(i / live.length),
          slotId: SlotIds.of(live[i % live.length], Math.floor(i / live.length)), address: 'http://x',
        })),
      };
    },
  });
  const taskExecutor = (resourceId: string) =>
    testingTaskExecutorGateway({
      submitTask: async (tdd) => {
        if (options.unreachable?.has(resourceId)) throw new NoRespondersError(`runnel.taskmanager.${resourceId}.submitTask`);
        deployed.push({ ...tdd, resourceId });
        return {};
      },
      releaseJob: async () => (await options.releaseJob?.(), released.push(resourceId), {}),
    });
  const streams = { created: 0, releasedAttempts: [] as number[], deleted: 0 };
  // The job's checkpoint bucket: when it was created (how many tasks were deployed by then), and its release at the end.
  const bucket = { createdAfterDeployments: [] as number[], released: undefined as Promise<void> | undefined };
  let bucketReleased!: () => void;
  bucket.released = new Promise<void>((resolve) => (bucketReleased = resolve));
  const job = new JobMaster(
    { jobId: JOB, jobName: 'spec job', artifactHash: 'f'.repeat(64), programArgs: ['--x'], jobGraph: (options.graph ?? graph) as never, jobGraphHash: 'e'.repeat(64) },
    {
      resourceManager: rm,
      taskExecutor,
      dataStreams: {
        create: async () => {
          // As nats.js rejects a JetStream request no stream leader answered in time.
          if (options.streamCreationTimesOut?.includes(creations++)) throw Object.assign(new Error('TIMEOUT'), { name: 'NatsError', code: 'TIMEOUT' });
          return (streams.created++, 'stream');
        },
        releaseAttempt: (_jobId: unknown, attempt: number) => (streams.releasedAttempts.push(attempt), options.attemptReleaseHangs ? new Promise<void>(() => undefined) : Promise.resolve()),
        delete: async () => void streams.deleted++,
      },
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        if (options.threeFreeAfterMs !== undefined && now >= 1000 + options.threeFreeAfterMs) free = 3;
      },
      log: { log: () => undefined, warn: () => undefined, error: () => undefined },
      checkpoints: {
        save: async () => undefined, markStatus: async () => undefined, completed: async () => options.completed ?? [], find: async () => undefined,
        savepoints: async () => [], setExternalPath: async () => undefined,
      },
      checkpointStore: {
        deleteCheckpoint: async () => undefined,
        createJobBucket: async (jobId) => void (jobId === JOB && bucket.createdAfterDeployments.push(deployed.length)),
        deleteJobBucketIfEmpty: async (jobId) => (jobId === JOB && bucketReleased(), true),
      },
    },
    { slotRequestTimeoutMs: options.timeoutMs ?? 60_000, slotRetryIntervalMs: 500, taskManagerCheckIntervalMs: 60_000 },
  );
  return { job, rm, deployed, released, streams, registered, sleeps, bucket };
}

const report = (job: JobMaster, attemptId: ExecutionAttemptId, state: 'RUNNING' | 'FINISHED' | 'FAILED', failure?: { message: string; stack: string }) =>
  job.onTaskState({ jobId: JOB, executionAttemptId: attemptId, state, ...(failure ? { failure } : {}) });

describe('JobMaster and a ResourceManager failing over', () => {
  it('waits for a ResourceManager to answer again before storing the job and asking for slots', async () => {
    const { job, deployed } = setup({ resourceManagerDownFor: 5 });
    await job.start();
    expect(job.status).toBe('RUNNING');
    expect(deployed).toHaveLength(5);
  });

  it('fails the job when none answers within the slot request timeout', async () => {
    const { job, deployed } = setup({ resourceManagerDownFor: Number.POSITIVE_INFINITY, timeoutMs: 5_000 });
    await job.start();
    expect(job.status).toBe('FAILED');
    expect(deployed).toHaveLength(0);
    expect(JSON.stringify(jobExceptions(job))).toContain('runnel.resourcemanager.putJob');
  });
});

describe('JobMaster failover', () => {
  const withRestart = (config: Record<string, unknown>) => ({ ...graph, config: { ...graph.config, ...config } });

  it('two subtasks finding the restored checkpoint corrupt discard that one only, and the job restarts once from the one before', async () => {
    const record = (id: number, completedTimestamp: number): CheckpointRecord => ({
      jobId: JOB, checkpointId: CheckpointIds.parse(id), attempt: 0, status: 'COMPLETED', isSavepoint: false, triggerTimestamp: 1, completedTimestamp,
      stateSize: 1, handles: [], parallelism: { src: 2, agg: 3 }, operators: {}, failureReason: null, externalPath: null,
    });
    const { job, deployed } = setup({
      graph: withRestart({ restartStrategy: { type: 'fixed-delay', attempts: 3, delayMs: 10 } }),
      completed: [record(4, 20), record(3, 10)],
    });
    await job.start();
    expect(job.checkpoints.latestCompleted()?.checkpointId).toBe(4);
    // Both reports arrive before the first is handled (discarding a checkpoint waits for Postgres).
    for (const d of deployed.slice(2, 4)) {
      job.onTaskState({
        jobId: JOB, executionAttemptId: d.executionAttemptId, state: 'FAILED',
        failure: { name: 'CorruptCheckpointError', message: 'reading state …/chk-4/agg/0: Checkpoint state is unusable: checksum mismatch' },
      });
    }
    const deadline = Date.now() + 5000;
    while (deployed.length < 10 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(job.status).toBe('RUNNING');
    expect(job.restarts).toBe(1);
    expect(job.checkpoints.latestCompleted()?.checkpointId).toBe(3);
    const [root] = jobExceptions(job)['all-exceptions'];
    expect(root.exception).toMatch(/^CorruptCheckpointError/);
  });

  it('fails loudly when the only completed checkpoint is corrupt, instead of restarting with none', async () => {
    const checkpoint: CheckpointRecord = {
      jobId: JOB, checkpointId: CheckpointIds.parse(4), attempt: 0, status: 'COMPLETED', isSavepoint: false, triggerTimestamp: 1, completedTimestamp: 2,
      stateSize: 1, handles: [], parallelism: { src: 2, agg: 3 }, operators: {}, failureReason: null, externalPath: null,
    };
    const { job, deployed } = setup({
      graph: withRestart({ restartStrategy: { type: 'fixed-delay', attempts: 3, delayMs: 10 } }),
      completed: [checkpoint],
    });
    await job.start();
    job.onTaskState({
      jobId: JOB, executionAttemptId: deployed[0].executionAttemptId, state: 'FAILED',
      failure: { name: 'CorruptCheckpointError', message: 'Checkpoint state of agg/0 is unusable: checksum mismatch' },
    });
    expect(await job.terminated).toBe('FAILED');
    expect(job.restarts).toBe(0);
    const exceptions = jobExceptions(job)['all-exceptions'].map((e) => e.exception);
    expect(exceptions[0]).toMatch(/^CorruptCheckpointError: Checkpoint state of agg\/0 is unusable/);
    expect(exceptions.at(-1)).toMatch(/^NoUsableCheckpointException: checkpoint 4 is corrupt and no other completed checkpoint is left/);
  });

  it("restarts a failed job with a fixed-delay strategy: new attempt (the old one's part of the job's stream released), fresh slots", async () => {
    const { job, rm, deployed, streams } = setup({ graph: withRestart({ restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 10 } }) });
    await job.start();
    const firstAttempt = deployed.slice();
    report(job, firstAttempt[0].executionAttemptId, 'FAILED', { message: 'boom', stack: 'Error: boom' });
    const deadline = Date.now() + 5000;
    while (deployed.length < 10 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(job.status).toBe('RUNNING');
    expect(job.restarts).toBe(1);
    const second = deployed.slice(5);
    expect(second.every((d) => d.attempt === 1)).toBe(true);
    expect(second.map((d) => d.executionAttemptId).filter((id) => firstAttempt.some((f) => f.executionAttemptId === id))).toEqual([]);
    // The job's stream is made sure of per attempt, attempt 0's consumers and records released, the stream kept.
    expect(streams).toEqual({ created: 2, releasedAttempts: [0], deleted: 0 });
    expect(rm.calls.requestSlots).toHaveLength(2);
    // The second failure is past the strategy's one restart: the job fails with its cause.
    report(job, second[0].executionAttemptId, 'FAILED', { message: 'again', stack: 'Error: again' });
    expect(await job.terminated).toBe('FAILED');
    expect(streams).toEqual({ created: 2, releasedAttempts: [0], deleted: 1 });
    expect(jobExceptions(job)['all-exceptions'].map((e) => e.exception)).toEqual(['Error: boom', 'Error: again']);
  });
});

describe('JobMaster and a lost TaskManager', () => {
  it('fails over as soon as the ResourceManager reports the loss, not at its next poll (60 s here)', async () => {
    const { job, deployed, registered } = setup({ graph: { ...graph, config: { ...graph.config, restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 10 } } } });
    await job.start();
    for (const d of deployed) report(job, d.executionAttemptId, 'RUNNING');
    expect(job.usesAnyOf(new Set(['tm-1']))).toBe(true);
    expect(job.usesAnyOf(new Set(['tm-9']))).toBe(false);
    // Still registered: a report that turns out wrong fails nothing.
    await job.checkTaskManagers();
    expect(job.restarts).toBe(0);
    registered.delete('tm-1');
    await job.checkTaskManagers();
    const deadline = Date.now() + 5000;
    while (deployed.length < 10 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(job.restarts).toBe(1);
    expect(jobExceptions(job)['all-exceptions'].map((e) => e.exception)).toEqual([expect.stringMatching(/^TaskManagerLostException: TaskManager tm-1 is lost/)]);
  });
});

describe('JobMaster restarting while NATS cannot release the attempt’s consumers and records', () => {
  it('runs the next attempt without waiting for the old attempt’s release (it never answers here)', async () => {
    const { job, deployed, streams } = setup({ graph: { ...graph, config: { ...graph.config, restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 10 } } }, attemptReleaseHangs: true });
    await job.start();
    report(job, deployed[0].executionAttemptId, 'FAILED', { message: 'publish failed: 503', stack: 'Error: publish failed: 503' });
    const deadline = Date.now() + 5000;
    while (deployed.length < 10 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(deployed.slice(5).map((d) => d.attempt)).toEqual([1, 1, 1, 1, 1]);
    expect(job.status).toBe('RUNNING');
    expect(streams).toEqual({ created: 2, releasedAttempts: [0], deleted: 0 });
  });
});

describe('JobMaster restart backoff', () => {
  it('runs while the failed attempt is cleaned up, not after it (Flink’s scheduler): the next attempt starts once both are over', async () => {
    let cancelled!: () => void;
    const cancelling = new Promise<void>((resolve) => (cancelled = resolve));
    const { job, deployed, sleeps, released } = setup({ graph: { ...graph, config: { ...graph.config, restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 700 } } }, releaseJob: () => cancelling });
    await job.start();
    report(job, deployed[0].executionAttemptId, 'FAILED', { message: 'boom', stack: 'Error: boom' });
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    await settle();
    // The TaskManagers are still cancelling the attempt, and the backoff already runs.
    expect(released).toEqual([]);
    expect(sleeps).toContain(700);
    expect(deployed).toHaveLength(5);
    cancelled();
    const deadline = Date.now() + 5000;
    while (deployed.length < 10 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(deployed.slice(5).map((d) => d.attempt)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('JobMaster when an attempt cannot start', () => {
  const restartOnce = { ...graph, config: { ...graph.config, restartStrategy: { type: 'fixed-delay' as const, attempts: 2, delayMs: 10 } } };

  it('restarts per the strategy when the next attempt’s data stream times out (a NATS cluster electing a leader), instead of failing the job', async () => {
    // The restart after this failure meets one JetStream timeout (the 2nd creation), then NATS answers again.
    const { job, deployed, rm } = setup({ graph: restartOnce, streamCreationTimesOut: [1] });
    await job.start();
    report(job, deployed[0].executionAttemptId, 'FAILED', { message: 'publish failed: 503', stack: 'Error: publish failed: 503' });
    const deadline = Date.now() + 5000;
    while (deployed.length < 10 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(job.status).toBe('RUNNING');
    expect(deployed.slice(5).map((d) => d.attempt)).toEqual([2, 2, 2, 2, 2]);
    expect(rm.calls.requestSlots).toHaveLength(3);
    expect(jobExceptions(job)['all-exceptions'].map((e) => e.exception)).toEqual(['Error: publish failed: 503', expect.stringMatching(/^NatsError: Could not start attempt 1: TIMEOUT/)]);
  });

  it('fails the job on a refusal a new attempt would get again, even with restarts left (no loop)', async () => {
    const refusal = new ConflictError('A per-job deployment needs a resource provider that starts TaskManagers (RESOURCE_PROVIDER=process)');
    const { job, rm } = setup({ graph: restartOnce, slotRequestRefused: refusal });
    await job.start();
    expect(await job.terminated).toBe('FAILED');
    expect(job.restarts).toBe(0);
    expect(rm.calls.requestSlots).toHaveLength(1);
    expect(jobExceptions(job)['root-exception']).toMatch(/per-job deployment needs a resource provider that starts TaskManagers/);
  });

  it('deletes the job’s data stream at its end even when its last attempt could not start (an earlier attempt made the stream)', async () => {
    const restartOnceOnly = { ...graph, config: { ...graph.config, restartStrategy: { type: 'fixed-delay' as const, attempts: 1, delayMs: 10 } } };
    const { job, deployed, streams } = setup({ graph: restartOnceOnly, streamCreationTimesOut: [1] });
    await job.start();
    report(job, deployed[0].executionAttemptId, 'FAILED', { message: 'boom', stack: 'Error: boom' });
    expect(await job.terminated).toBe('FAILED');
    expect(jobExceptions(job)['all-exceptions'].map((e) => e.exception)).toEqual(['Error: boom', expect.stringMatching(/^NatsError: Could not start attempt 1: TIMEOUT/)]);
    expect(streams).toEqual({ created: 1, releasedAttempts: [0], deleted: 1 });
  });

  it('still fails the job once the strategy allows no more restarts', async () => {
    const { job } = setup({ graph: { ...graph, config: { ...graph.config, restartStrategy: { type: 'none' as const } } }, streamCreationTimesOut: [0] });
    await job.start();
    expect(await job.terminated).toBe('FAILED');
    expect(jobExceptions(job)['root-exception']).toMatch(/^NatsError: Could not start attempt 0: TIMEOUT/);
  });
});

describe('JobMaster', () => {
  it('asks for as many slots as the highest parallelism and runs subtask k of every vertex in slot k', async () => {
    const { job, rm, deployed, streams } = setup();
    await job.start();
    expect(rm.calls.requestSlots).toEqual([{ jobId: JOB, count: 3 }]);
    expect(job.status).toBe('RUNNING');
    expect(streams.created).toBe(1);
    const placed = deployed.map((d) => `${d.vertexId}/${d.subtaskIndex}@${d.resourceId}#${d.slotIndex}`).sort();
    expect(placed).toEqual(['agg/0@tm-0#0', 'agg/1@tm-1#0', 'agg/2@tm-0#1', 'src/0@tm-0#0', 'src/1@tm-1#0']);
    expect(deployed[0].locations).toEqual({ src: ['tm-0', 'tm-1'], agg: ['tm-0', 'tm-1', 'tm-0'] });
    expect(new Set(deployed.map((d) => d.executionAttemptId)).size).toBe(5);
  });

  it('finishes when every task finished, then frees slots, TaskManagers and the data stream', async () => {
    const { job, rm, deployed, released, streams } = setup();
    await job.start();
    for (const d of deployed.slice(0, 4)) report(job, d.executionAttemptId, 'FINISHED');
    expect(job.status).toBe('RUNNING');
    report(job, deployed[4].executionAttemptId, 'FINISHED');
    expect(await job.terminated).toBe('FINISHED');
    expect(rm.calls.releaseSlots).toEqual([{ jobId: JOB }]);
    expect(released.sort()).toEqual(['tm-0', 'tm-1']);
    expect(streams).toEqual({ created: 1, releasedAttempts: [], deleted: 1 });
    expect(rm.calls.updateJobStatus.at(-1)).toEqual({ jobId: JOB, status: 'FINISHED' });
    const jobEvents = job.events.filter((e) => e.subject === 'job').map((e) => `${e.from}→${e.to}`);
    expect(jobEvents).toEqual(['null→INITIALIZING', 'INITIALIZING→CREATED', 'CREATED→RUNNING', 'RUNNING→FINISHED']);
    const firstTask = job.events.filter((e) => e.subject === 'Source (1/2)').map((e) => e.to);
    expect(firstTask).toEqual(['SCHEDULED', 'DEPLOYING', 'FINISHED']);
    expect(jobDetails(job, 2000).vertices.map((v) => v.status)).toEqual(['FINISHED', 'FINISHED']);
  });

  it('stores the outcome before it releases anything, so a failover in between cannot run the job again', async () => {
    const { job, rm, deployed } = setup();
    const order: string[] = [];
    const update = rm.handlers.updateJobStatus!;
    const release = rm.handlers.releaseSlots!;
    rm.handlers.updateJobStatus = async (request, options) => (order.push(`status ${request.status}`), update(request, options));
    rm.handlers.releaseSlots = async (request, options) => (order.push('release slots'), release(request, options));
    await job.start();
    for (const d of deployed) report(job, d.executionAttemptId, 'FINISHED');
    expect(await job.terminated).toBe('FINISHED');
    expect(order).toEqual(['status RUNNING', 'status FINISHED', 'release slots']);
  });

  it('keeps the failures that come while a failure is handled as the root’s concurrentExceptions', async () => {
    const { job, deployed } = setup();
    await job.start();
    // A stalled slot fails all its subtasks at once: the first is the root, the others concurrent.
    report(job, deployed[0].executionAttemptId, 'FAILED', { name: 'TaskStalledError', message: 'stalled', stack: 'TaskStalledError: stalled' });
    report(job, deployed[3].executionAttemptId, 'FAILED', { name: 'TaskStalledError', message: 'stalled too', stack: 'TaskStalledError: stalled too' });
    expect(await job.terminated).toBe('FAILED');
    const [root] = exceptionHistory(job).entries as { stacktrace: string; concurrentExceptions: { stacktrace: string; taskName: string }[] }[];
    expect(root.stacktrace).toBe('TaskStalledError: stalled');
    expect(root.concurrentExceptions.map((e) => e.stacktrace)).toEqual(['TaskStalledError: stalled too']);
    expect(root.concurrentExceptions[0].taskName).toMatch(/\(\d\/(2|3)\)$/);
  });

  it('fails the job with the root cause of a failing task and cancels the rest', async () => {
    const { job, deployed } = setup();
    await job.start();
    report(job, deployed[0].executionAttemptId, 'RUNNING');
    report(job, deployed[1].executionAttemptId, 'FAILED', { message: 'boom', stack: 'Error: boom\n    at userFn (job.mjs:3:9)' });
    expect(await job.terminated).toBe('FAILED');
    const exceptions = jobExceptions(job);
    expect(exceptions['root-exception']).toBe('Error: boom\n    at userFn (job.mjs:3:9)');
    expect(exceptions['all-exceptions'][0].task).toMatch(/\((\d)\/(2|3)\)$/);
    expect(jobDetails(job, 3000)['status-counts']).toMatchObject({ FAILED: 1, CANCELED: 4 });
  });

  it('waits while too few slots are free and says so, then runs when they appear', async () => {
    const { job, rm } = setup({ freeSlots: 1, threeFreeAfterMs: 4000 });
    const states: (string | undefined)[] = [];
    const sleepSpy = rm.handlers.requestSlots!;
    rm.handlers.requestSlots = async (request, options) => {
      states.push(job.statusMessage);
      return sleepSpy(request, options);
    };
    await job.start();
    expect(job.status).toBe('RUNNING');
    // One try at start, one every 500 ms (fake clock) until the slots appear 4 s later.
    expect(rm.calls.requestSlots).toHaveLength(9);
    expect(states[1]).toBe('Waiting for slots: the job needs 3, 1 are free');
    expect(job.statusMessage).toBeUndefined();
  });

  it('fails after the slot request timeout with a message saying what to do', async () => {
    const { job } = setup({ freeSlots: 2, timeoutMs: 2000 });
    await job.start();
    expect(job.status).toBe('FAILED');
    expect(jobExceptions(job)['root-exception']).toMatch(/NoResourceAvailableException: Could not acquire the minimum required resources: the job needs 3 slots, 2 were free after waiting 2000 ms\. Start more TaskManagers/);
  });

  it('treats a TaskManager that does not answer its deployment as a resource problem: redeploys elsewhere, no restart, no exception', async () => {
    const { job, rm, deployed, streams } = setup({ unreachable: new Set(['tm-1']) });
    await job.start();
    expect(rm.calls.taskManagerUnreachable.map((c) => c.resourceId)).toEqual(['tm-1']);
    expect(rm.calls.requestSlots).toHaveLength(2);
    expect(job.status).toBe('RUNNING');
    expect(job.restarts).toBe(0);
    expect(jobExceptions(job)['all-exceptions']).toEqual([]);
    // The second attempt runs every subtask on the TaskManager that answers.
    const second = deployed.filter((d) => d.attempt === 1);
    expect(second).toHaveLength(5);
    expect(new Set(second.map((d) => d.resourceId))).toEqual(new Set(['tm-0']));
    expect(streams).toEqual({ created: 2, releasedAttempts: [0], deleted: 0 });
  });

  it('creates the job’s checkpoint bucket before each attempt deploys a task, and releases it once the job ended', async () => {
    const { job, deployed, bucket } = setup();
    await job.start();
    expect(bucket.createdAfterDeployments).toEqual([0]);
    for (const d of deployed.slice(0, 5)) report(job, d.executionAttemptId, 'FINISHED');
    expect(await job.terminated).toBe('FINISHED');
    // Resolved by the fake's deleteJobBucketIfEmpty: the test would time out without it.
    await bucket.released;
  });

  it('cancels: tasks released, slots freed, CANCELED', async () => {
    const { job, rm } = setup();
    await job.start();
    await job.cancel();
    expect(job.status).toBe('CANCELED');
    expect(rm.calls.releaseSlots).toHaveLength(1);
    expect(jobDetails(job, 5000)['status-counts'].CANCELED).toBe(5);
  });
});
