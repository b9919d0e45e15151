/**
 * The paths an operator walks with the local cluster command, on real processes, NATS and
 * Postgres, with answers computed here: a TaskManager SIGKILLed mid-job is replaced while the
 * cluster stays up and the job's output is exact; a cluster that crashed is started again on its
 * data directory and the first job runs (no slot of a dead TaskManager is handed out); the
 * process resource provider starts TaskManagers on demand, replaces a dead one and stops idle
 * ones; per-job TaskManagers serve one job and go with it; a Postgres that cannot start is named.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, descendantPids, isProcessAlive, startService, startTestNats, waitFor, type TestDatabase, type TestNats } from './support';
import { REPO_ROOT, bigWordCountInput, startClusterProcess, type ClusterProcess } from './cluster/cluster-process';
import { readJsonLines } from './cluster/job-output';

const WORD_COUNT = join(REPO_ROOT, 'examples', 'word-count.ts');
const FAST_HEARTBEATS = { HEARTBEAT_INTERVAL_MS: '300', HEARTBEAT_TIMEOUT_MS: '2000' };

function counts(dir: string): Map<string, number> {
  return new Map(readJsonLines<{ word: string; count: number }>(dir).map((r) => [r.word, r.count]));
}

async function stopCluster(cluster: ClusterProcess | undefined): Promise<void> {
  if (!cluster || cluster.proc.exitInfo()) return;
  const pids = descendantPids(cluster.proc.pid);
  process.kill(cluster.proc.pid, 'SIGTERM');
  await cluster.proc.exited;
  await waitFor(() => pids.every((pid) => !isProcessAlive(pid)), { description: 'every process of the cluster to exit', timeoutMs: 20_000 });
}

describe('a supervised local cluster', () => {
  let work: string;
  let nats: TestNats | undefined;
  let db: TestDatabase | undefined;
  let cluster: ClusterProcess | undefined;
  let input: string;
  let expected: Map<string, number>;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-supervised-'));
    const big = bigWordCountInput();
    input = join(work, 'words.txt');
    writeFileSync(input, big.text);
    expected = big.expected;
  });

  afterEach(async () => {
    await stopCluster(cluster).catch(() => cluster?.proc.kill());
    cluster = undefined;
    await db?.drop();
    db = undefined;
    await nats?.stop();
    nats = undefined;
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('replaces a SIGKILLed TaskManager, stays up, and the checkpointed job finishes with exact counts', async () => {
    nats = await startTestNats();
    db = await createTestDatabase('runnel_e2e_supervised');
    cluster = await startClusterProcess(
      ['--taskmanagers', '3', '--slots', '2', '--data-dir', join(work, 'kill-tm')],
      { NATS_URL: nats.url, DATABASE_URL: db.url, ...FAST_HEARTBEATS },
      (o) => o.taskmanagers === 3,
    );
    const { rest } = cluster;
    const output = join(work, 'kill-tm-out');
    const jobId = await rest.run(await rest.uploadJob(WORD_COUNT), ['--input', input, '--checkpoint-interval', '500', '--output', `${output}/`], { parallelism: 4 });
    await waitFor(async () => (await rest.checkpointCounts(jobId)).completed >= 1, { description: 'a first completed checkpoint', timeoutMs: 60_000 });
    const running = await rest.job(jobId);
    expect(running.state).toBe('RUNNING');
    const used = new Set(running.vertices.flatMap((v) => v.subtasks.map((s) => s['taskmanager-id'])));
    const victim = (await rest.taskManagers()).find((tm) => used.has(tm.id))!;
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(() => !isProcessAlive(victim.pid), { description: `TaskManager pid ${victim.pid} to be gone`, timeoutMs: 10_000 });
    // The local cluster saw it die and said so: lost at once, not after the heartbeat timeout.
    await cluster.untilOutput(new RegExp(`TaskManager ${victim.id} lost: its process exited \\(pid ${victim.pid}`), 'the ResourceManager to declare the killed TaskManager lost', 20_000);

    const job = await rest.waitForJob(jobId, ['FINISHED', 'FAILED', 'CANCELED']);
    expect(job.state).toBe('FINISHED');
    expect((await rest.checkpointCounts(jobId)).restored).toBeGreaterThanOrEqual(1);
    expect(counts(output)).toEqual(expected);

    // The cluster stayed up, said what happened, and is back to three TaskManagers.
    expect(cluster.proc.exitInfo()).toBeUndefined();
    expect(cluster.output()).toMatch(/✗ taskmanager-\d \(pid \d+\) died \(signal SIGKILL\); starting it again/);
    expect(cluster.output()).toMatch(/✓ taskmanager-\d is running again/);
    await waitFor(async () => {
      const tms = await rest.taskManagers();
      return tms.length === 3 && !tms.some((tm) => tm.id === victim.id);
    }, { description: 'three live TaskManagers again, without the dead one', timeoutMs: 30_000 });
    process.stdout.write(`[timing] TaskManager kill → job FINISHED: ${Date.now() - killedAt} ms\n`);
  });

  it('starts again after a crash on the same data directory, and a job submitted at once runs exactly', async () => {
    // Its own NATS and Postgres, in a data directory inside the checkout: in CI the checkout sits
    // in a 0700 folder, so this also walks the Postgres-as-another-user path.
    const dataDir = join(REPO_ROOT, '.runnel', `e2e-restart-${process.pid}-${Date.now()}`);
    mkdirSync(dataDir, { recursive: true });
    const small = 'to be or not to be that is the question\nwhether tis nobler in the mind to suffer\n';
    const smallInput = join(work, 'small.txt');
    writeFileSync(smallInput, small);
    const smallExpected = new Map<string, number>();
    for (const w of small.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)) smallExpected.set(w, (smallExpected.get(w) ?? 0) + 1);
    const infraFree = { NATS_URL: undefined, DATABASE_URL: undefined, ...FAST_HEARTBEATS, HEARTBEAT_TIMEOUT_MS: '6000' };
    try {
      const first = join(work, 'restart-first');
      cluster = await startClusterProcess(
        ['--data-dir', dataDir, '--run', WORD_COUNT, '--input', smallInput, '--output', `${first}/`],
        infraFree,
        (o) => o.taskmanagers === 2,
      );
      await cluster.untilOutput(/job [0-9a-f]{32} FINISHED/, 'the first run to finish', 90_000);
      expect(counts(first)).toEqual(smallExpected);

      // A crash: no TaskManager deregisters, so Postgres keeps their registrations as REGISTERED.
      const pids = descendantPids(cluster.proc.pid);
      process.kill(cluster.proc.pid, 'SIGKILL');
      await cluster.proc.exited;
      await waitFor(() => pids.every((pid) => !isProcessAlive(pid)), { description: 'the crashed cluster\'s processes to be gone', timeoutMs: 20_000 });

      const second = join(work, 'restart-second');
      cluster = await startClusterProcess(
        ['--data-dir', dataDir, '--run', WORD_COUNT, '--input', smallInput, '--output', `${second}/`],
        infraFree,
        (o) => o.taskmanagers >= 2,
      );
      await cluster.untilOutput(/job [0-9a-f]{32} (FINISHED|FAILED)/, 'the second run to end', 90_000);
      expect(cluster.output()).toMatch(/job [0-9a-f]{32} FINISHED/);
      // The crashed run's leader keys were still in its NATS (on disk): released at start, so the
      // new services lead at once instead of after a lease (the job was submitted to nobody before).
      expect(cluster.output()).toMatch(/released the leaderships of an earlier run that did not stop: .*runnel-leaders\/dispatcher/);
      // Fencing: no slot of a TaskManager of the crashed run was handed out (its deployment would
      // have found nobody, and been redeployed).
      expect(cluster.output()).not.toMatch(/runnel\.taskmanager\.\S+\.submitTask|did not answer the deployment/);
      expect(counts(second)).toEqual(smallExpected);
    } finally {
      await stopCluster(cluster).catch(() => cluster?.proc.kill());
      cluster = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names Postgres and the path when its private Postgres cannot start', async () => {
    const dataDir = join(work, 'broken-postgres');
    mkdirSync(dataDir, { recursive: true });
    // The Postgres data directory is a regular file: initdb cannot use it.
    writeFileSync(join(dataDir, 'postgres'), 'not a directory');
    const failing = startClusterProcess(['--data-dir', dataDir], { NATS_URL: undefined, DATABASE_URL: undefined }, () => true, 60_000);
    await expect(failing).rejects.toThrow(/cluster start failed: .*Postgres.*broken-postgres\/postgres/s);
  });

  describe('with the process resource provider', () => {
    it('starts TaskManagers on demand, replaces a killed one with an exact answer; a new ResourceManager adopts them and stops idle ones', async () => {
      nats = await startTestNats();
      db = await createTestDatabase('runnel_e2e_provider');
      cluster = await startClusterProcess(
        ['--resource-provider', 'process', '--slots', '2', '--data-dir', join(work, 'provider')],
        { NATS_URL: nats.url, DATABASE_URL: db.url, ...FAST_HEARTBEATS, TM_IDLE_TIMEOUT_MS: '3000' },
        () => true,
      );
      const { rest } = cluster;
      expect(await rest.taskManagers()).toEqual([]);

      const output = join(work, 'provider-out');
      const submittedAt = Date.now();
      const jobId = await rest.run(await rest.uploadJob(WORD_COUNT), ['--input', input, '--checkpoint-interval', '500', '--output', `${output}/`], { parallelism: 4 });
      const started = await waitFor(async () => {
        const tms = await rest.taskManagers();
        return tms.length === 2 && tms;
      }, { description: 'two TaskManagers started for 4 slots', timeoutMs: 60_000 });
      const startMs = Date.now() - submittedAt;
      expect(started.every((tm) => tm.provider === 'process' && tm.dedicatedTo === null && tm.slotsNumber === 2)).toBe(true);

      await waitFor(async () => (await rest.checkpointCounts(jobId)).completed >= 1, { description: 'a first completed checkpoint', timeoutMs: 60_000 });
      const victim = started[0];
      const killedAt = Date.now();
      process.kill(victim.pid, 'SIGKILL');
      await waitFor(() => !isProcessAlive(victim.pid), { description: `TaskManager pid ${victim.pid} to be gone`, timeoutMs: 10_000 });
      // Lost because its process exited, not after a heartbeat timeout of silence.
      await cluster.untilOutput(new RegExp(`TaskManager ${victim.id} lost: its process exited`), 'the ResourceManager to declare the killed TaskManager lost', 20_000);
      const replacement = await waitFor(async () => (await rest.taskManagers()).find((tm) => !started.some((s) => s.id === tm.id)), {
        description: 'a replacement TaskManager',
        timeoutMs: 60_000,
      });
      const replaceMs = Date.now() - killedAt;
      expect(replacement.provider).toBe('process');

      const job = await rest.waitForJob(jobId, ['FINISHED', 'FAILED', 'CANCELED']);
      expect(job.state).toBe('FINISHED');
      expect((await rest.checkpointCounts(jobId)).restored).toBeGreaterThanOrEqual(1);
      expect(counts(output)).toEqual(expected);

      // The ResourceManager that started them dies: its TaskManagers live on, register with the
      // restarted one, which adopts them (it knows them as provider-managed) ...
      const survivors = await rest.taskManagers();
      const rmPid = Number(/(\d+)/.exec(execFileSync('pgrep', ['-f', '-P', String(cluster.proc.pid), 'apps/resourcemanager/dist/main.js'], { encoding: 'utf8' }))?.[1]);
      process.kill(rmPid, 'SIGKILL');
      await cluster.untilOutput(/✓ resourcemanager is running again/, 'the ResourceManager to be restarted', 30_000);
      expect(survivors.every((tm) => isProcessAlive(tm.pid))).toBe(true);
      await waitFor(async () => {
        const ids = (await rest.taskManagers()).filter((tm) => tm.provider === 'process').map((tm) => tm.id).sort();
        return ids.length > 0 && ids.join() === survivors.map((tm) => tm.id).sort().join();
      }, { description: 'the surviving TaskManagers to register with the new ResourceManager', timeoutMs: 30_000 });
      // ... and, idle for TM_IDLE_TIMEOUT_MS, stops every one of them (MIN_TASKMANAGERS is 0).
      const pids = survivors.map((tm) => tm.pid);
      await waitFor(async () => (await rest.taskManagers()).length === 0, { description: 'idle TaskManagers to be stopped', timeoutMs: 60_000 });
      await waitFor(() => pids.every((pid) => !isProcessAlive(pid)), { description: 'their processes to exit', timeoutMs: 20_000 });
      process.stdout.write(`[timing] process provider: submit → 2 TaskManagers registered ${startMs} ms; kill → replacement registered ${replaceMs} ms\n`);
    });

    it('runs a per-job job on TaskManagers of its own that no other job gets, and stops them after it', async () => {
      nats = await startTestNats();
      db = await createTestDatabase('runnel_e2e_perjob');
      cluster = await startClusterProcess(
        ['--resource-provider', 'process', '--taskmanagers', '1', '--slots', '2', '--data-dir', join(work, 'per-job')],
        { NATS_URL: nats.url, DATABASE_URL: db.url, ...FAST_HEARTBEATS, TM_IDLE_TIMEOUT_MS: '60000' },
        (o) => o.taskmanagers === 1,
      );
      const { rest } = cluster;
      const [shared] = await rest.taskManagers();
      const jar = await rest.uploadJob(WORD_COUNT);
      const output = join(work, 'per-job-out');
      const jobId = await rest.run(jar, ['--input', input, '--checkpoint-interval', '1000', '--output', `${output}/`], { parallelism: 2, target: 'per-job' });
      const dedicated = await waitFor(async () => {
        const tms = (await rest.taskManagers()).filter((tm) => tm.dedicatedTo === jobId);
        return tms.length === 1 && tms;
      }, { description: 'a TaskManager dedicated to the job', timeoutMs: 60_000 });
      const running = await rest.waitForJob(jobId, ['RUNNING', 'FINISHED']);
      const placed = new Set(running.vertices.flatMap((v) => v.subtasks.map((s) => s['taskmanager-id'])));
      expect([...placed]).toEqual([dedicated[0].id]);

      // A session job meanwhile gets the shared TaskManager only, although the dedicated one's slots are taken or not.
      const small = join(work, 'tiny.txt');
      writeFileSync(small, 'a b a\n');
      const sessionOut = join(work, 'session-out');
      const sessionJob = await rest.run(jar, ['--input', small, '--output', `${sessionOut}/`], { parallelism: 2 });
      const sessionDone = await rest.waitForJob(sessionJob, ['FINISHED', 'FAILED']);
      expect(sessionDone.state).toBe('FINISHED');
      expect(new Set(sessionDone.vertices.flatMap((v) => v.subtasks.map((s) => s['taskmanager-id'])))).toEqual(new Set([shared.id]));
      expect(counts(sessionOut)).toEqual(new Map([['a', 2], ['b', 1]]));

      expect((await rest.waitForJob(jobId, ['FINISHED', 'FAILED'])).state).toBe('FINISHED');
      expect(counts(output)).toEqual(expected);
      // The job's TaskManager goes with it; the shared one (MIN_TASKMANAGERS=1) stays.
      await waitFor(async () => {
        const tms = await rest.taskManagers();
        return tms.length === 1 && tms[0].id === shared.id;
      }, { description: 'the per-job TaskManager to stop after its job', timeoutMs: 30_000 });
      await waitFor(() => !isProcessAlive(dedicated[0].pid), { description: 'its process to exit', timeoutMs: 20_000 });
    });
  });

  it('refuses RESOURCE_PROVIDER=kubernetes at start, pointing at its design', async () => {
    const rm = startService('resourcemanager', { RESOURCE_PROVIDER: 'kubernetes', HTTP_PORT: '0' });
    expect((await rm.exited).code).toBe(2);
    expect(rm.logs().join('\n')).toMatch(/RESOURCE_PROVIDER=kubernetes is a design, not built yet: see docs\/deployment\/kubernetes\.md/);
  });

  it('refuses a per-job job on a standalone cluster with a clear reason', async () => {
    nats = await startTestNats();
    db = await createTestDatabase('runnel_e2e_perjob_refused');
    cluster = await startClusterProcess(['--taskmanagers', '1', '--data-dir', join(work, 'standalone')], { NATS_URL: nats.url, DATABASE_URL: db.url }, (o) => o.taskmanagers === 1);
    const { rest } = cluster;
    const jobId = await rest.run(await rest.uploadJob(WORD_COUNT), ['--input', input, '--output', `${join(work, 'refused')}/`], { target: 'per-job' });
    expect((await rest.waitForJob(jobId, ['FINISHED', 'FAILED'])).state).toBe('FAILED');
    expect(await rest.rootException(jobId)).toMatch(/per-job deployment needs a resource provider that starts TaskManagers \(RESOURCE_PROVIDER=process\)/);
  });
});
