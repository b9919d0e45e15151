/**
 * A long-lived JobManager does not grow with every job it ran: with JOB_HISTORY_SIZE=2 it holds
 * the last two ended jobs (older ones are served from the job store: their status, no live
 * views), and the leader's periodic sweep deletes data streams of jobs that do not run, and in the
 * running job's stream what belongs to attempts other than its current one, leaving that alone.
 */
import { ClusterNamespace, JobIds, type JobId } from '@runnel/protocol';
import { AckPolicy, connect, NatsConnection, RetentionPolicy, StorageType } from 'nats';
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

  const names = ClusterNamespace.DEFAULT.data;

  /** A data stream as the JobManager would make it, for a job nobody runs. */
  const orphan = async (jobId: JobId): Promise<string> => {
    const name = names.stream(jobId);
    await (await nc.jetstreamManager()).streams.add({
      name, subjects: [names.streamSubjects(jobId)], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue,
    });
    return name;
  };

  const consumersOf = async (stream: string): Promise<string[]> => {
    const found: string[] = [];
    for await (const c of (await nc.jetstreamManager()).consumers.list(stream)) found.push(c.name);
    return found;
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

  it('sweeps the data streams of jobs that do not run and other attempts in the running job\'s, not its current attempt', async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'unbounded.job.mjs'));
    const running = await cluster.run(jar, [], 1);
    await waitFor(async () => (await cluster.job(running)).vertices.every((v) => v.status === 'RUNNING'), { description: 'the unbounded job to run' });
    const live = names.stream(running);
    expect(await streamNames()).toContain(live);
    const current = (await consumersOf(live)).sort();
    expect(current.every((c) => names.attemptOfConsumer(c) === 0)).toBe(true);
    const orphanStream = await orphan(JobIds.parse(randomBytes(16).toString('hex'))); // a job this JobManager never heard of
    // Another attempt's consumer and unread record in the running job's stream.
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(live, { durable_name: names.consumer(7, 0, 0), filter_subject: names.subject(running, 7, 0, 0), ack_policy: AckPolicy.Explicit });
    await nc.jetstream().publish(names.subject(running, 7, 0, 0), new Uint8Array([7]));
    const attempt7 = async () => (await jsm.streams.info(live, { subjects_filter: names.attemptSubjects(running, 7) })).state.messages;
    expect(await attempt7()).toBe(1);
    await waitFor(async () => !(await streamNames()).includes(orphanStream) && !(await consumersOf(live)).includes(names.consumer(7, 0, 0)) && (await attempt7()) === 0, {
      description: 'the orphaned data stream and attempt 7 to be swept', timeoutMs: 30_000,
    });
    // Swept at least once after the orphans were made: the running job's stream and its current attempt's consumers are still there.
    expect(await streamNames()).toContain(live);
    expect((await consumersOf(live)).sort()).toEqual(current);
    expect((await httpJson(`${cluster.url}/jobs/${running}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    await cluster.waitForJob(running, ['CANCELED']);
  });
});
