/**
 * User code cannot hang or take down a TaskManager: jobs whose functions spin forever, exhaust
 * memory, call process.exit(), throw outside the task's call, or signal their process fail (restart
 * strategy none) with the reason in /jobs/:id/exceptions, and the same TaskManager process — still
 * registered — then runs a normal job to the end. Once with slots as worker threads (the default),
 * once with slots as child processes (TM_SLOT_ISOLATION=process).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, isProcessAlive } from './support';
import { TestCluster } from './cluster/test-cluster';
import { countWords, readJsonLines } from './cluster/job-output';

const EXAMPLES = resolve(__dirname, '../../examples');
const FIXTURES = resolve(__dirname, 'fixtures');
const STALL_TIMEOUT_MS = 3000;
const FAIL_WITHIN_MS = STALL_TIMEOUT_MS + 30_000;

interface Exceptions {
  'root-exception'?: string;
  'all-exceptions': { exception: string; task?: string; location?: string }[];
}


function containment(isolation: 'thread' | 'process', memoryMb: number) {
  let cluster: TestCluster;
  let work: string;
  let taskManagerPid: number;
  let runs = 0;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), `runnel-e2e-containment-${isolation}-`));
    cluster = await TestCluster.start({
      taskManagers: 1,
      slots: 2,
      env: { TASK_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS), TM_SLOT_MEMORY_MB: String(memoryMb), TM_SLOT_ISOLATION: isolation },
    });
    taskManagerPid = cluster.taskManagers.get('tm-0')!.pid;
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs a fixture that must fail; returns its exceptions once it did. */
  async function expectFailed(fixture: string, args: string[] = []): Promise<Exceptions> {
    const jobId = await cluster.run(await cluster.uploadJob(join(FIXTURES, fixture)), args, 1);
    const started = Date.now();
    const job = await cluster.waitForJob(jobId, ['FAILED', 'FINISHED', 'CANCELED'], FAIL_WITHIN_MS);
    expect(job.state).toBe('FAILED');
    expect(Date.now() - started).toBeLessThan(FAIL_WITHIN_MS);
    const { body } = await httpJson<Exceptions>(`${cluster.url}/jobs/${jobId}/exceptions`);
    expect(body['all-exceptions'].length).toBeGreaterThanOrEqual(1);
    expect(body['all-exceptions'][0].location).toBe('tm-0');
    return body;
  }

  /** The same TaskManager process, still registered, runs WordCount to FINISHED with exact counts. */
  async function expectTaskManagerRunsNextJob(): Promise<void> {
    expect(isProcessAlive(taskManagerPid)).toBe(true);
    expect(cluster.taskManagers.get('tm-0')!.pid).toBe(taskManagerPid);
    await cluster.waitForSlots(1, 2);
    const { body } = await httpJson<{ taskmanagers: { id: string }[] }>(`${cluster.url}/taskmanagers`);
    expect(body.taskmanagers.map((t) => t.id)).toEqual(['tm-0']);
    const run = ++runs;
    const text = Array.from({ length: 300 }, (_, i) => `line ${i} of run ${run}: the quick brown fox ${i % 7} jumps over the lazy dog ${i % 3}`).join('\n') + '\n';
    const input = join(work, `words-${run}.txt`);
    writeFileSync(input, text);
    const output = join(work, `wc-${run}`);
    const jobId = await cluster.run(await cluster.uploadJob(join(EXAMPLES, 'word-count.ts')), ['--input', input, '--output', `${output}/`], 2);
    expect((await cluster.waitForJob(jobId, ['FINISHED', 'FAILED'], 60_000)).state).toBe('FINISHED');
    const counted = readJsonLines<{ word: string; count: number }>(output);
    expect(new Map(counted.map((r) => [r.word, r.count]))).toEqual(countWords(text));
    expect(isProcessAlive(taskManagerPid)).toBe(true);
    await cluster.waitForSlots(1, 2);
  }

  it('a function that loops forever fails its job after TASK_STALL_TIMEOUT_MS, with the slot’s subtasks', async () => {
    const { 'root-exception': root } = await expectFailed('infinite-loop.job.mjs');
    expect(root).toMatch(/^TaskStalledError: Task stalled: the worker (thread|process) of slot \d has not returned to its event loop for \d+\.\d s \(TASK_STALL_TIMEOUT_MS=3000\)/);
    expect(root).toContain('Spin -> Drop');
    expect(root).toMatch(/Every subtask in slot \d fails over with it: .*Numbers \(1\/1\)/);
    // The stack is taken through the inspector while it spins (a thread's by the TaskManager, a
    // process's by a helper thread of its own): it shows the user's function.
    expect(root).toMatch(/Where it was running when it was stopped:\n\s+at spinForever \(.*infinite-loop\.job\.mjs:\d+:\d+\)/);
    await expectTaskManagerRunsNextJob();
  });

  it(`a function that retains objects without bound fails its job on the slot's memory limit (${memoryMb} MB)`, async () => {
    const { 'root-exception': root } = await expectFailed('unbounded-memory.job.mjs');
    expect(root).toMatch(new RegExp(`^SlotOutOfMemoryError: Out of memory: the worker (thread|process) of slot \\d .*\\(TM_SLOT_MEMORY_MB=${memoryMb}`));
    await expectTaskManagerRunsNextJob();
  });

  it('a function that calls process.exit(3) fails its job, saying so; the TaskManager lives on', async () => {
    const { 'root-exception': root } = await expectFailed('process-exit.job.mjs');
    expect(root).toMatch(/^UserCodeExitError: User code called process\.exit\(3\) in slot \d/);
    expect(root).toMatch(/A job function must throw to fail, not exit\.\n\s+at (MapOperator\.)?quit .*process-exit\.job\.mjs:\d+:\d+/);
    await expectTaskManagerRunsNextJob();
  });

  it('an error thrown from a timer in a map fails its job with the thrown message', async () => {
    const { 'root-exception': root } = await expectFailed('async-throw.job.mjs', ['--mode', 'timer']);
    expect(root).toMatch(/^Error: thrown from a timer at record 100\n/);
    expect(root).toMatch(/uncaught in slot \d's worker/);
    await expectTaskManagerRunsNextJob();
  });

  it('a promise rejection left unhandled fails its job with the rejection', async () => {
    const { 'root-exception': root } = await expectFailed('async-throw.job.mjs', ['--mode', 'rejection']);
    expect(root).toMatch(/^Error: unhandled rejection at record 100\n/);
    await expectTaskManagerRunsNextJob();
  });

  it('process.kill(process.pid, "SIGKILL") from user code does not kill the TaskManager', async () => {
    const { 'root-exception': root } = await expectFailed('kill-self.job.mjs', ['--mode', 'kill']);
    if (isolation === 'thread') expect(root).toMatch(/^Error: process\.kill\(\d+\) refused: \d+ is the TaskManager's process/);
    else expect(root).toMatch(/^SlotWorkerLostError: The worker process of slot \d was killed by SIGKILL/);
    await expectTaskManagerRunsNextJob();
  });

  it('process.abort() from user code does not abort the TaskManager', async () => {
    const { 'root-exception': root } = await expectFailed('kill-self.job.mjs', ['--mode', 'abort']);
    if (isolation === 'thread') expect(root).toMatch(/^TypeError( \[ERR_WORKER_UNSUPPORTED_OPERATION\])?: process\.abort\(\) is not supported in workers/);
    else expect(root).toMatch(/^SlotWorkerLostError: The worker process of slot \d was killed by SIGABRT \(process\.abort\(\), or a native crash\)/);
    await expectTaskManagerRunsNextJob();
  });

  if (isolation === 'process') {
    it(`a function that retains Buffers without bound fails its job on the process's resident memory (${memoryMb} MB)`, async () => {
      const { 'root-exception': root } = await expectFailed('unbounded-buffers.job.mjs');
      expect(root).toMatch(new RegExp(`^SlotOutOfMemoryError: Out of memory: the worker process of slot \\d used \\d+ MB of resident memory, over its limit of ${memoryMb} MB \\(TM_SLOT_MEMORY_MB=${memoryMb}`));
      await expectTaskManagerRunsNextJob();
    });
  }
}

describe('user code containment: slots as worker threads', () => containment('thread', 128));

describe('user code containment: slots as processes (TM_SLOT_ISOLATION=process)', () => containment('process', 256));
