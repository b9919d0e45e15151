/**
 * Final checkpoint for bounded jobs (Flink 1.15+): a sink subtask that finished committed its last
 * output through a checkpoint, so a TaskManager killed after it finished (while another subtask
 * still runs) repeats nothing of it: the restarted job restores the finished subtask's final state,
 * its committed part files stay as they were (same files, not deleted and written again), and the
 * whole output is exactly the numbers the job reads, computed here independently.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, waitFor } from './support';
import { TestCluster } from './cluster/test-cluster';
import { readJsonLines } from './cluster/job-output';

const FIXTURES = resolve(__dirname, 'fixtures');

interface Subtask { subtask: number; status: string; 'taskmanager-id': string }

describe('final checkpoint of a bounded job', () => {
  let cluster: TestCluster;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-final-cp-'));
    // One slot each: the two subtasks run on different TaskManagers.
    cluster = await TestCluster.start({ taskManagers: 2, slots: 1, env: { HEARTBEAT_TIMEOUT_MS: '2000' } });
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('a TaskManager killed after a sink subtask finished: nothing of that subtask is written again, nothing lost', async () => {
    const fast = 500;
    const slow = 6000;
    const output = join(work, 'out');
    const jobId = await cluster.run(await cluster.uploadJob(join(FIXTURES, 'uneven-split.job.mjs')), ['--fast', String(fast), '--slow', String(slow), '--output', `${output}/`], 2);
    const subtasks = async () => (await httpJson<{ vertices: { subtasks: Subtask[] }[] }>(`${cluster.url}/jobs/${jobId}`)).body.vertices[0].subtasks;
    const finished = await waitFor(async () => {
      const s = await subtasks();
      return s[0].status === 'FINISHED' && s[1].status === 'RUNNING' && s;
    }, { description: 'sink subtask 0 finished while subtask 1 runs', timeoutMs: 60_000, intervalMs: 50 });

    // What the finished subtask committed: its part files, with their inodes.
    const committed = () => readdirSync(output).filter((f) => /^part-0-\d+\.jsonl$/.test(f)).sort();
    const before = new Map(committed().map((f) => [f, statSync(join(output, f)).ino]));
    expect(before.size).toBeGreaterThan(0);
    expect([...before.keys()].flatMap((f) => readJsonLines(join(output, f))).length).toBe(fast);

    // Kill the TaskManager of the subtask that still runs, and give the job a slot to restart in.
    const victim = finished[1]['taskmanager-id'];
    await cluster.taskManagers.get(victim)!.kill();
    cluster.taskManagers.delete(victim);
    cluster.startTaskManager(`${victim}-replacement`, 1);

    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED'], 120_000);
    expect(job.state).toBe('FINISHED');
    // The fault happened: the job failed over once because the TaskManager was lost.
    const exceptions = (await httpJson<{ 'all-exceptions': { exception: string }[] }>(`${cluster.url}/jobs/${jobId}/exceptions`)).body['all-exceptions'];
    expect(exceptions.some((e) => /TaskManagerLostException|lost/.test(e.exception))).toBe(true);

    // Subtask 0's committed output was not repeated: the same files, not rewritten.
    expect(new Map(committed().map((f) => [f, statSync(join(output, f)).ino]))).toEqual(before);
    // No duplicates, no losses: exactly 1..fast+slow.
    const numbers = readJsonLines(output).map((r) => (r as { n: number }).n).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: fast + slow }, (_, i) => i + 1));
  });
});
