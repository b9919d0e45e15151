/** The programmatic NATS client (@runnel/client) against a real cluster. */
import { JobFailedError, RunnelClient } from '@runnel/client';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestCluster } from './cluster/test-cluster';
import { readJsonLines } from './cluster/job-output';
import { waitFor } from './support';

const EXAMPLES = resolve(__dirname, '../../examples');
const FIXTURES = resolve(__dirname, 'fixtures');

describe('NATS client', () => {
  let cluster: TestCluster;
  let client: RunnelClient;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-client-'));
    cluster = await TestCluster.start({ taskManagers: 2, slots: 2 });
    client = await RunnelClient.connect(cluster.nats.url);
  });

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('submits a job from its source file and awaits its result', async () => {
    const input = join(work, 'in.txt');
    writeFileSync(input, 'b a b\nc b a\n');
    const output = join(work, 'out');
    const states: string[] = [];
    const jobId = await client.submit(join(EXAMPLES, 'word-count.ts'), { programArgs: ['--input', input, '--output', `${output}/`], parallelism: 2 });
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    const result = await client.awaitResult(jobId, { timeoutMs: 60_000, onState: (s) => states.push(s) });
    expect(result.state).toBe('FINISHED');
    expect(states.at(-1)).toBe('FINISHED');
    expect(new Map(readJsonLines<{ word: string; count: number }>(output).map((r) => [r.word, r.count]))).toEqual(new Map([['a', 2], ['b', 3], ['c', 1]]));
    expect((await client.list()).map((j) => j.jid)).toContain(jobId);
  });

  it('throws JobFailedError with the root cause when the job fails', async () => {
    const jobId = await client.submit(join(FIXTURES, 'throwing-map.job.mjs'), { parallelism: 2 });
    const error = await client.awaitResult(jobId, { timeoutMs: 60_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.code).toBe('JOB_FAILED');
    expect(error.message).toMatch(/RangeError: reading 1234 is out of range/);
  });

  it('cancels a running job', async () => {
    const jobId = await client.submit(join(FIXTURES, 'unbounded.job.mjs'), { parallelism: 1 });
    await waitFor(async () => (await client.status(jobId)).state === 'RUNNING', { description: 'the job to run' });
    await client.cancel(jobId);
    expect((await client.awaitResult(jobId, { timeoutMs: 30_000 })).state).toBe('CANCELED');
  });

  it('refuses a broken artifact and leaves nothing in the bucket', async () => {
    const bytes = readFileSync(join(FIXTURES, 'no-default-export.job.mjs'));
    await expect(client.upload(bytes, 'broken.mjs')).rejects.toMatchObject({ code: 'INVALID_ARTIFACT' });
    const { files } = await client.dispatcher.listJars({});
    expect(files.map((f) => f.name)).not.toContain('broken.mjs');
  });
});
