/**
 * CLUSTER_ID with real processes: two whole clusters, `a` (2 TaskManagers × 2 slots) and `b`
 * (1 TaskManager × 2 slots), on ONE NATS server of the test's own and ONE Postgres server (each
 * cluster with a database of its own). Their TaskManagers even share ResourceIds (tm-0), so
 * only the namespaces keep them apart. Each sees only its own TaskManagers and jobs; WordCount on
 * `a` with parallelism 4 exchanges records across its two TaskManagers through its namespaced
 * JetStream stream and ends with the exact counts.
 */
import { connect } from 'nats';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestCluster } from './cluster/test-cluster';
import { countWords, readJsonLines } from './cluster/job-output';
import { TestNats, httpJson, startService, startTestNats } from './support';

const EXAMPLES = resolve(__dirname, '../../examples');

interface Overview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-finished': number;
  'cluster-id': string;
}


describe('CLUSTER_ID: two clusters on one NATS and one Postgres', () => {
  let nats: TestNats;
  let a: TestCluster;
  let b: TestCluster;
  let work: string;

  const get = async <T>(cluster: TestCluster, path: string) => (await httpJson<T>(`${cluster.url}${path}`)).body;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-cluster-id-'));
    nats = await startTestNats();
    // `{ url }` only: the clusters share this NATS and must not stop it; the test does.
    [a, b] = await Promise.all([
      TestCluster.start({ taskManagers: 2, slots: 2, nats: { url: nats.url }, env: { CLUSTER_ID: 'a' } }),
      TestCluster.start({ taskManagers: 1, slots: 2, nats: { url: nats.url }, env: { CLUSTER_ID: 'b' } }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await nats?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('shares one Postgres server, each cluster with its own database', () => {
    expect(new URL(a.db.url).host).toBe(new URL(b.db.url).host);
    expect(a.db.name).not.toBe(b.db.name);
  });

  it('each sees only its own TaskManagers, and /overview names its cluster', async () => {
    const [oa, ob] = await Promise.all([get<Overview>(a, '/overview'), get<Overview>(b, '/overview')]);
    expect(oa).toMatchObject({ taskmanagers: 2, 'slots-total': 4, 'cluster-id': 'a' });
    expect(ob).toMatchObject({ taskmanagers: 1, 'slots-total': 2, 'cluster-id': 'b' });
    const ids = async (c: TestCluster) => (await get<{ taskmanagers: { id: string }[] }>(c, '/taskmanagers')).taskmanagers.map((t) => t.id).sort();
    expect(await ids(a)).toEqual(['tm-0', 'tm-1']);
    expect(await ids(b)).toEqual(['tm-0']);
  });

  it('says its cluster in every /info', async () => {
    expect(await get<{ service: string; clusterId: string }>(a, '/info')).toMatchObject({ service: 'dispatcher', clusterId: 'a' });
    expect(await get<{ service: string; clusterId: string }>(b, '/info')).toMatchObject({ service: 'dispatcher', clusterId: 'b' });
    for (const [cluster, id] of [[a, 'a'], [b, 'b']] as const) {
      const { taskmanagers } = await get<{ taskmanagers: { id: string; path: string }[] }>(cluster, '/taskmanagers');
      for (const tm of taskmanagers) {
        expect(await (await fetch(`${tm.path}/info`)).json()).toMatchObject({ service: 'taskmanager', id: tm.id, clusterId: id });
      }
    }
  });

  it("runs a job on a with the exact counts; it is a's job, not b's", async () => {
    const text = 'the quick brown fox\njumps over the lazy dog\nThe dog barks, the fox runs\n'.repeat(40) + 'zebra\n';
    const input = join(work, 'words.txt');
    writeFileSync(input, text);
    const output = join(work, 'wc-out');
    const jar = await a.uploadJob(join(EXAMPLES, 'word-count.ts'));
    const jobId = await a.run(jar, ['--input', input, '--output', `${output}/`], 4);
    const job = await a.waitForJob(jobId, ['FINISHED', 'FAILED']);
    expect(job.state).toBe('FINISHED');

    const expected = countWords(text);
    const counted = readJsonLines<{ word: string; count: number }>(output);
    expect(counted).toHaveLength(expected.size);
    expect(new Map(counted.map((r) => [r.word, r.count]))).toEqual(expected);
    // Parallelism 4 on 2 TaskManagers × 2 slots: records crossed between them, through a's stream.
    const count = job.vertices.find((v) => v.name.startsWith('Count'))!;
    expect(new Set(count.subtasks.map((s) => s['taskmanager-id']))).toEqual(new Set(['tm-0', 'tm-1']));

    const jobsOf = async (c: TestCluster) => (await get<{ jobs: { id: string; status: string }[] }>(c, '/jobs')).jobs;
    expect(await jobsOf(a)).toContainEqual({ id: jobId, status: 'FINISHED' });
    expect((await jobsOf(b)).map((j) => j.id)).not.toContain(jobId);
    expect((await httpJson(`${b.url}/jobs/${jobId}`)).status).toBe(404);
    expect((await get<Overview>(a, '/overview'))['jobs-finished']).toBe(1);
    expect((await get<Overview>(b, '/overview'))['jobs-finished']).toBe(0);
    // Artifacts are in a's bucket: b does not list a's jar.
    const jarsOf = async (c: TestCluster) => (await get<{ files: { id: string }[] }>(c, '/jars')).files.map((f) => f.id);
    expect(await jarsOf(a)).toContain(jar);
    expect(await jarsOf(b)).not.toContain(jar);
  });

  it("keeps every JetStream name apart: leader KV, artifact bucket, no default cluster's names", async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await nc.jetstreamManager();
      const streams: string[] = [];
      for await (const name of jsm.streams.names()) streams.push(name);
      expect(streams).toEqual(expect.arrayContaining(['KV_runnel-leaders-a', 'KV_runnel-leaders-b', 'OBJ_runnel-artifacts-a']));
      expect(streams).not.toContain('KV_runnel-leaders');
      expect(streams).not.toContain('OBJ_runnel-artifacts');
      // The job's data stream (runnel-data-<job>-a, one for all its attempts) was deleted when it finished; none is left over.
      expect(streams.filter((s) => s.startsWith('runnel-data-'))).toEqual([]);
      const kv = await nc.jetstream().views.kv('runnel-leaders-a');
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      expect(keys.sort()).toEqual(['dispatcher', 'jobmanager', 'resourcemanager']);
    } finally {
      await nc.close();
    }
  });

  it('refuses an invalid CLUSTER_ID at start, saying why', async () => {
    const tm = startService('taskmanager', { NATS_URL: nats.url, HTTP_PORT: '0', CLUSTER_ID: 'Team.A' }, 'tm-bad-cluster-id');
    const exit = await tm.exited;
    expect(exit.code).toBe(2);
    expect(tm.logs().join('\n')).toContain('CLUSTER_ID = "Team.A": expected 1 to 32 lower-case letters, digits, "_" or "-"');
  });
});
