/**
 * A long-lived JobManager does not grow with every job it ran: with JOB_HISTORY_SIZE=2 it holds
 * the last two ended jobs (older ones are served from the job store: their status, no live
 * views), and the leader's periodic sweep deletes data streams of job attempts that do not run,
 * leaving the running job's stream alone.
 */
import { ClusterNamespace, JobIds, type JobId } from '@runnel/protocol';
import { connect, NatsConnection, RetentionPolicy, StorageType } from 'nats';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, waitFor } from './support';
import { TestCluster } from './cluster/test-cluster';
import { canonicalRows, readJsonLines, rollingSums } from './cluster/job-output';

const FIXTURES = resolve(__dirname, 'fixtures');
const HISTORY = 2;

describe('job history and orphaned data streams', () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-history-'));
    cluster = await TestCluster.start({ taskManagers: 1, slots: 2, env: { JOB_HISTORY_SIZE: String(HISTORY), ORPHAN_SWEEP_INTERVAL_MS: '1000' } });
    nc = await connect({ servers: cluster.nats.url });
  });

  afterAll(async () => {
    await nc?.drain();
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const streamNames = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const s of (await nc.jetstreamManager()).streams.list()) names.push(s.config.name);
    return names;
  };

  /** A data stream as the JobManager would make it, for an attempt nobody runs. */
  const orphan = async (jobId: JobId, attempt: number): Promise<string> => {
    const name = ClusterNamespace.DEFAULT.data.stream(jobId, attempt);
    await (await nc.jetstreamManager()).streams.add({
      name, subjects: [ClusterNamespace.DEFAULT.data.streamSubjects(jobId, attempt)], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue,
    });
    return name;
  };

  it(`holds the last ${HISTORY} ended jobs; older ones are served from the job store`, async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'slow-counter.job.mjs'));
    const jobs: string[] = [];
    for (let i = 0; i < HISTORY + 2; i++) {
      const output = join(work, `job-${i}`);
      const jobId = await cluster.run(jar, ['--count', '60', '--output', `${output}/`], 1);
      expect((await cluster.waitForJob(jobId, ['FINISHED', 'FAILED'])).state).toBe('FINISHED');
      expect(canonicalRows(readJsonLines(output))).toEqual(rollingSums(60, 7));
      jobs.push(jobId);
    }
    const held = async (jobId: string) => (await httpJson(`${cluster.url}/jobs/${jobId}/checkpoints`)).status;
    // Live views (checkpoint statistics) only for the jobs the JobManager still holds.
    for (const jobId of jobs.slice(0, -HISTORY)) expect(await held(jobId)).toBe(404);
    for (const jobId of jobs.slice(-HISTORY)) expect(await held(jobId)).toBe(200);
    // Every job's outcome is still known.
    const overview = (await httpJson<{ jobs: { jid: string; state: string }[] }>(`${cluster.url}/jobs/overview`)).body.jobs;
    for (const jobId of jobs) expect(overview.find((j) => j.jid === jobId)?.state).toBe('FINISHED');
    expect((await httpJson<{ state: string }>(`${cluster.url}/jobs/${jobs[0]}`)).body.state).toBe('FINISHED');
  });

  it('sweeps the data streams of attempts that do not run, not the running job\'s', async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'unbounded.job.mjs'));
    const running = await cluster.run(jar, [], 1);
    await waitFor(async () => (await cluster.job(running)).vertices.every((v) => v.status === 'RUNNING'), { description: 'the unbounded job to run' });
    const live = ClusterNamespace.DEFAULT.data.stream(running, 0);
    expect(await streamNames()).toContain(live);
    const orphans = [
      await orphan(JobIds.parse(randomBytes(16).toString('hex')), 0), // a job this JobManager never heard of
      await orphan(running, 7), // another attempt of the running job
    ];
    await waitFor(async () => {
      const names = await streamNames();
      return orphans.every((o) => !names.includes(o));
    }, { description: 'the orphaned data streams to be deleted', timeoutMs: 30_000 });
    // Swept at least once after the orphans were made: the running attempt's stream is still there.
    expect(await streamNames()).toContain(live);
    expect((await httpJson(`${cluster.url}/jobs/${running}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    await cluster.waitForJob(running, ['CANCELED']);
  });
});
