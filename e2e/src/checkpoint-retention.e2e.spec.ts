/**
 * Flink's externalized checkpoints: a job cancelled with RETAIN_ON_CANCELLATION keeps its retained
 * checkpoints, and a new job starts from one by its directory (`-s <CHECKPOINT_DIR>/<job>/chk-<n>`)
 * as from a savepoint, exactly-once against the reference; without the option a cancel deletes
 * them and the path is refused.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, waitFor } from './support';
import { TestCluster } from './cluster/test-cluster';
import { canonicalRows, readJsonLines, rollingSums } from './cluster/job-output';

const FIXTURES = resolve(__dirname, 'fixtures');

describe('retained checkpoints', () => {
  let cluster: TestCluster;
  let work: string;
  let checkpointDir: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-retain-'));
    checkpointDir = join(work, 'checkpoints');
    cluster = await TestCluster.start({ taskManagers: 1, slots: 3, env: { CHECKPOINT_DIR: checkpointDir } });
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const checkpoints = async (jobId: string) =>
    (await httpJson<{ counts: { completed: number }; latest: { completed: { id: number } | null } }>(`${cluster.url}/jobs/${jobId}/checkpoints`)).body;

  /** Runs the counter until two checkpoints completed, cancels it; returns the latest checkpoint's directory. */
  async function cancelAfterCheckpoints(jar: string, count: number, output: string, extra: string[]): Promise<{ jobId: string; path: string }> {
    const jobId = await cluster.run(jar, ['--count', String(count), '--output', `${output}/`, '--retained', '2', ...extra], 2);
    await waitFor(async () => (await checkpoints(jobId)).counts.completed >= 2, { description: 'two completed checkpoints', timeoutMs: 60_000 });
    expect((await httpJson(`${cluster.url}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    expect((await cluster.waitForJob(jobId, ['CANCELED', 'FAILED', 'FINISHED'])).state).toBe('CANCELED');
    const latest = (await checkpoints(jobId)).latest.completed;
    if (!latest) throw new Error(`job ${jobId} reports no completed checkpoint`);
    return { jobId, path: join(checkpointDir, jobId, `chk-${latest.id}`) };
  }

  it('a job cancelled with RETAIN_ON_CANCELLATION is resumed from its latest checkpoint directory, exactly once', async () => {
    const count = 3000;
    const output = join(work, 'retained');
    const jar = await cluster.uploadJob(join(FIXTURES, 'slow-counter.job.mjs'));
    const config = async (jobId: string) => (await httpJson<{ externalization: unknown }>(`${cluster.url}/jobs/${jobId}/checkpoints/config`)).body;
    const { jobId, path } = await cancelAfterCheckpoints(jar, count, output, ['--retain-on-cancel']);
    expect((await config(jobId)).externalization).toEqual({ enabled: true, delete_on_cancellation: false });
    expect(existsSync(path)).toBe(true);
    // The first run stopped mid-way: its output alone is not the whole result (the resume is needed).
    expect(readJsonLines(output).length).toBeLessThan(count);

    // Into the same output directory: the resumed sink commits what the checkpoint pre-committed
    // and removes what the cancelled run wrote after it.
    const resumed = await httpJson<{ jobid: string }>(`${cluster.url}/jars/${jar}/run`, {
      body: { programArgsList: ['--count', String(count), '--output', `${output}/`], parallelism: 3, savepointPath: path },
      timeoutMs: 60_000,
    });
    expect(resumed.status).toBe(200);
    expect((await cluster.waitForJob(resumed.body.jobid, ['FINISHED', 'FAILED'], 120_000)).state).toBe('FINISHED');
    const restored = (await httpJson<{ latest: { restored: { id: number; is_savepoint: boolean } | null } }>(`${cluster.url}/jobs/${resumed.body.jobid}/checkpoints`)).body.latest.restored;
    expect(restored?.id).toBe(Number(path.split('chk-')[1]));
    expect(canonicalRows(readJsonLines(output))).toEqual(rollingSums(count, 7));
  });

  it('a cancel deletes the retained checkpoints by default, and their directory is refused', async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'slow-counter.job.mjs'));
    const { jobId, path } = await cancelAfterCheckpoints(jar, 100_000, join(work, 'deleted'), []);
    // Nothing of the job is left, so its directory (its bucket, in the Object Store) goes as well.
    await waitFor(() => !existsSync(join(checkpointDir, jobId)), { description: 'the checkpoints and the job’s directory to be deleted', timeoutMs: 30_000 });
    const refused = await httpJson<{ code: string }>(`${cluster.url}/jars/${jar}/run`, { body: { savepointPath: path }, timeoutMs: 60_000 });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
    const refusedById = await httpJson<{ code: string }>(`${cluster.url}/jars/${jar}/run`, { body: { savepointPath: `savepoint://${jobId}/${path.split('chk-')[1]}` }, timeoutMs: 60_000 });
    expect(refusedById.status).toBe(400);
  });
});
