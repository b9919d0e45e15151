/**
 * The REST views Flink users reach for, on a real cluster: a vertex and its subtasks (records
 * equal to the input the test counts), a checkpoint triggered over REST with its per-subtask
 * details, the exception history of a failing job, savepoint disposal, the services' log files
 * (and a TaskManager's stdout with user code's prints), a flame graph, and the CLI's new commands.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestCluster } from './cluster/test-cluster';
import { readJsonLines } from './cluster/job-output';
import { httpJson, waitFor } from './support';

const FIXTURES = resolve(__dirname, 'fixtures');
const COUNT = 3000;

interface Subtask { subtask: number; status: string; attempt: number; host: string; 'taskmanager-id': string; duration: number; metrics: Record<string, number> }
interface VertexView { id: string; name: string; parallelism: number; subtasks: Subtask[] }
interface Operation { status: { id: string }; operation?: Record<string, unknown> & { 'failure-cause'?: { 'stack-trace': string } } }

describe('job views (vertices, checkpoints, exceptions, savepoint disposal, logs, profiles)', () => {
  let cluster: TestCluster;
  let work: string;
  let savepoints: string;
  const cli = (args: string[]) => spawnSync(process.execPath, [resolve(__dirname, '../../tools/bin/runnel.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  const get = <T>(path: string) => httpJson<T>(`${cluster.url}${path}`, { timeoutMs: 30_000 });
  const text = async (path: string) => {
    const response = await fetch(`${cluster.url}${path}`, { signal: AbortSignal.timeout(30_000) });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  };
  const until = async (path: string, description: string): Promise<Operation> =>
    waitFor(async () => {
      const { body } = await get<Operation>(path);
      return body.status?.id === 'COMPLETED' && body;
    }, { description, timeoutMs: 60_000 });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-views-'));
    savepoints = join(work, 'savepoints');
    mkdirSync(savepoints);
    cluster = await TestCluster.start({ taskManagers: 2, slots: 2, env: { LOG_DIR: join(work, 'logs'), SAVEPOINT_DIRS: savepoints } });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves vertex, subtask and checkpoint views, a flame graph, savepoint disposal and the stdout of user code', async () => {
    const output = join(work, 'out');
    const jar = await cluster.uploadJob(join(FIXTURES, 'printing-counter.job.mjs'));
    const jobId = await cluster.run(jar, ['--count', String(COUNT), '--per-poll', '2', '--delay-ms', '20', '--output', `${output}/`], 2);
    const running = await waitFor(async () => {
      const job = await cluster.job(jobId);
      return job.vertices.length > 0 && job.vertices.every((v) => v.status === 'RUNNING') && job;
    }, { description: 'every vertex of the job to run', timeoutMs: 60_000 });
    const sink = running.vertices.find((v) => v.name.includes('Out'))!;
    const source = running.vertices.find((v) => v.name.includes('Numbers'))!;

    // A checkpoint now, over REST: its trigger id, then the checkpoint with one entry per subtask.
    // A trigger while a subtask is still being deployed fails (as in Flink: not all tasks are
    // running; a vertex shows RUNNING once one of its subtasks does), so trigger until one takes.
    let checkpointId: number | undefined;
    const deadline = Date.now() + 60_000;
    while (checkpointId === undefined && Date.now() < deadline) {
      const trigger = await httpJson<{ 'request-id': string }>(`${cluster.url}/jobs/${jobId}/checkpoints`, { method: 'POST', body: {} });
      expect(trigger.status).toBe(202);
      const triggered = await until(`/jobs/${jobId}/checkpoints/${trigger.body['request-id']}`, 'the triggered checkpoint');
      checkpointId = triggered.operation?.['checkpointId'] as number | undefined;
    }
    expect(checkpointId).toBeGreaterThanOrEqual(1);
    const details = await get<{ id: number; status: string; num_subtasks: number; num_acknowledged_subtasks: number; tasks: Record<string, { num_acknowledged_subtasks: number }> }>(`/jobs/${jobId}/checkpoints/details/${checkpointId}`);
    expect(details.status).toBe(200);
    const subtaskCount = running.vertices.reduce((a, v) => a + v.parallelism, 0);
    expect(details.body).toMatchObject({ id: checkpointId, status: 'COMPLETED', num_subtasks: subtaskCount, num_acknowledged_subtasks: subtaskCount });
    expect(Object.keys(details.body.tasks).sort()).toEqual(running.vertices.map((v) => v.id).sort());
    const perSubtask = await get<{ subtasks: { index: number; status: string; ack_timestamp: number; state_size: number; alignment: { duration: number; processed: number; persisted: number } }[] }>(
      `/jobs/${jobId}/checkpoints/details/${checkpointId}/subtasks/${encodeURIComponent(sink.id)}`,
    );
    expect(perSubtask.status).toBe(200);
    expect(perSubtask.body.subtasks.map((s) => [s.index, s.status])).toEqual([[0, 'completed'], [1, 'completed']]);
    for (const s of perSubtask.body.subtasks) {
      expect(s.ack_timestamp).toBeGreaterThan(0);
      expect(s.alignment.duration).toBeGreaterThanOrEqual(0);
      // Bytes the sink read while aligning, sent by its TaskManager (aligned checkpoints persist none).
      expect(typeof s.alignment.processed).toBe('number');
      expect(s.alignment.processed).toBeGreaterThanOrEqual(0);
      expect(s.alignment.persisted).toBe(0);
    }
    const history = await get<{ counts: Record<string, number>; summary: Record<string, { min: number; max: number; p99: number }>; history: { id: number; className: string }[] }>(`/jobs/${jobId}/checkpoints`);
    expect(history.body.counts.completed).toBeGreaterThanOrEqual(1);
    expect(history.body.summary.state_size).toHaveProperty('p99');
    expect(history.body.history.find((h) => h.id === checkpointId)).toMatchObject({ className: 'completed' });
    expect((await get(`/jobs/${jobId}/checkpoints/details/999999`)).status).toBe(404);
    expect((await get(`/jobs/${jobId}/checkpoints/details/abc`)).status).toBe(400);
    expect((await get(`/jobs/${jobId}/checkpoints/details/${checkpointId}/subtasks/no-such-vertex`)).status).toBe(404);

    // A flame graph of the source while it runs: samples of its worker.
    const flame = await get<{ endTimestamp: number; data: { name: string; value: number; children: unknown[] } | null }>(`/jobs/${jobId}/vertices/${encodeURIComponent(source.id)}/flamegraph?durationMs=500`);
    expect(flame.status).toBe(200);
    expect(flame.body.data?.value).toBeGreaterThan(0);
    expect(flame.body.data?.children.length).toBeGreaterThan(0);
    expect((await get(`/jobs/${jobId}/vertices/${encodeURIComponent(source.id)}/flamegraph?durationMs=5`)).status).toBe(400);
    // Flink's types: ON_CPU leaves the idle frames out; OFF_CPU has no V8 counterpart and is refused.
    const onCpu = await get<{ data: { value: number; children: { children: { name: string }[] }[] } | null }>(`/jobs/${jobId}/vertices/${encodeURIComponent(source.id)}/flamegraph?durationMs=500&type=ON_CPU`);
    expect(onCpu.status).toBe(200);
    const frames = (onCpu.body.data?.children ?? []).flatMap((slot) => slot.children.map((c) => c.name));
    expect(frames.filter((name) => ['(idle)', '(program)', '(garbage collector)'].includes(name))).toEqual([]);
    expect((await get(`/jobs/${jobId}/vertices/${encodeURIComponent(source.id)}/flamegraph?durationMs=500&type=OFF_CPU`)).status).toBe(400);

    // A savepoint written to a directory, then disposed as Flink does: the directory is gone.
    const sp = await httpJson<{ 'request-id': string }>(`${cluster.url}/jobs/${jobId}/savepoints`, { body: { 'target-directory': savepoints, 'cancel-job': false } });
    expect(sp.status).toBe(202);
    const taken = await until(`/jobs/${jobId}/savepoints/${sp.body['request-id']}`, 'the savepoint');
    const location = taken.operation?.['location'] as string;
    expect(existsSync(join(location, '_metadata.json'))).toBe(true);
    const refused = await httpJson<{ code: string }>(`${cluster.url}/savepoint-disposal`, { body: { 'savepoint-path': '/etc' } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
    expect((await httpJson(`${cluster.url}/savepoint-disposal`, { body: { 'savepoint-path': savepoints } })).status).toBe(400);
    const disposal = await httpJson<{ 'request-id': string }>(`${cluster.url}/savepoint-disposal`, { body: { 'savepoint-path': location } });
    expect(disposal.status).toBe(202);
    const disposed = await until(`/savepoint-disposal/${disposal.body['request-id']}`, 'the disposal');
    expect(disposed.operation).toEqual({});
    expect(existsSync(location)).toBe(false);
    const listed = await get<{ savepoints: { 'external-path': string | null }[] }>('/savepoints');
    expect(listed.body.savepoints.map((s) => s['external-path'])).not.toContain(location);

    // The job ends; its records as the views count them equal the input.
    await cluster.waitForJob(jobId, ['FINISHED']);
    const rows = readJsonLines<{ key: number; n: number }>(output);
    expect(rows).toHaveLength(COUNT);
    const vertex = await get<VertexView>(`/jobs/${jobId}/vertices/${encodeURIComponent(sink.id)}`);
    expect(vertex.status).toBe(200);
    expect(vertex.body).toMatchObject({ id: sink.id, parallelism: 2 });
    expect(vertex.body.subtasks.map((s) => s.status)).toEqual(['FINISHED', 'FINISHED']);
    expect(vertex.body.subtasks.reduce((a, s) => a + s.metrics['read-records'], 0)).toBe(COUNT);
    const tms = [...cluster.taskManagers.keys()];
    for (const s of vertex.body.subtasks) {
      expect(tms).toContain(s['taskmanager-id']);
      expect(s.attempt).toBe(0);
      expect(s.duration).toBeGreaterThan(0);
      expect(s.host).not.toBe('');
    }
    const sourceView = await get<VertexView>(`/jobs/${jobId}/vertices/${encodeURIComponent(source.id)}`);
    expect(sourceView.body.subtasks[0].metrics['write-records']).toBe(COUNT);
    const one = await get<Subtask>(`/jobs/${jobId}/vertices/${encodeURIComponent(sink.id)}/subtasks/1`);
    expect(one.body).toMatchObject({ subtask: 1, status: 'FINISHED', metrics: { 'read-records': vertex.body.subtasks[1].metrics['read-records'] } });
    expect((await get(`/jobs/${jobId}/vertices/${encodeURIComponent(sink.id)}/subtasks/1/attempts/0`)).body).toMatchObject({ subtask: 1, attempt: 0 });
    expect((await get(`/jobs/${jobId}/vertices/${encodeURIComponent(sink.id)}/subtasks/7`)).status).toBe(404);
    expect((await get(`/jobs/${jobId}/vertices/${encodeURIComponent(sink.id)}/subtasks/-1`)).status).toBe(400);
    expect((await get(`/jobs/${jobId}/vertices/no-such-vertex`)).status).toBe(404);
    const times = await get<{ subtasks: { subtask: number; timestamps: Record<string, number> }[] }>(`/jobs/${jobId}/vertices/${encodeURIComponent(sink.id)}/subtasktimes`);
    expect(times.body.subtasks[0].timestamps.FINISHED).toBeGreaterThanOrEqual(times.body.subtasks[0].timestamps.RUNNING);
    const perTm = await get<{ taskmanagers: { 'taskmanager-id': string; metrics: Record<string, number> }[] }>(`/jobs/${jobId}/vertices/${encodeURIComponent(sink.id)}/taskmanagers`);
    expect(perTm.body.taskmanagers.reduce((a, t) => a + t.metrics['read-records'], 0)).toBe(COUNT);
    expect((await get<{ status: string }>(`/jobs/${jobId}/status`)).body).toEqual({ status: 'FINISHED' });
    expect((await get(`/jobs/${jobId}/execution-result`)).body).toMatchObject({ status: { id: 'COMPLETED' }, 'job-execution-result': { id: jobId, 'application-status': 'SUCCEEDED' } });
    expect((await get(`/jobs/${jobId}/config`)).body).toMatchObject({ jid: jobId, 'execution-config': { 'job-parallelism': 2 } });

    // What the map printed is in the stdout of the TaskManager it ran on, attributed to its task.
    const sourceTm = sourceView.body.subtasks[0]['taskmanager-id'];
    const stdout = await text(`/taskmanagers/${sourceTm}/stdout`);
    expect(stdout.status).toBe(200);
    const markers = stdout.body.split('\n').filter((l) => l.includes('views-marker'));
    expect(markers).toHaveLength(COUNT / 100);
    expect(markers[0]).toMatch(/\[job [0-9a-f]{8} slot \d+: .*Mark.*\] views-marker 100$/);
  });

  it('keeps every failure of a failing job in the exception history', async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'throwing-map.job.mjs'));
    const jobId = await cluster.run(jar, [], 2);
    await cluster.waitForJob(jobId, ['FAILED']);
    const { status, body } = await get<{ 'root-exception': string; 'all-exceptions': unknown[]; exceptionHistory: { entries: Record<string, string>[]; truncated: boolean } }>(`/jobs/${jobId}/exceptions?maxExceptions=5`);
    expect(status).toBe(200);
    expect(body['root-exception']).toMatch(/RangeError: reading 1234 is out of range/);
    expect(body['all-exceptions'].length).toBeGreaterThanOrEqual(1);
    const entry = body.exceptionHistory.entries[0];
    expect(entry).toMatchObject({ exceptionName: 'RangeError', stacktrace: expect.stringContaining('parseReading') });
    expect(entry.taskName).toMatch(/Parse/);
    expect([...cluster.taskManagers.keys()]).toContain(entry.taskManagerId);
    expect(entry.endpoint).toBeTruthy();
    expect(Number(entry.timestamp)).toBeGreaterThan(0);
    expect((await get(`/jobs/${jobId}/exceptions?maxExceptions=0`)).status).toBe(400);
    expect((await get(`/jobs/${jobId}/execution-result`)).body).toMatchObject({ 'job-execution-result': { 'application-status': 'FAILED', 'failure-cause': { class: 'RangeError' } } });
  });

  it("lists and reads each service's own log files, refusing other names", async () => {
    const list = await get<{ logs: { name: string; size: number }[] }>('/jobmanager/logs');
    expect(list.status).toBe(200);
    expect(list.body.logs.map((l) => l.name)).toEqual(['jobmanager.log']);
    const log = await text('/jobmanager/logs/jobmanager.log');
    expect(log.status).toBe(200);
    expect(log.type).toMatch(/^text\/plain/);
    expect(log.body).toContain('jobmanager ready');
    expect((await text('/jobmanager/log')).body).toContain('jobmanager ready');
    // Beside it in LOG_DIR, but another service's file.
    expect(existsSync(join(work, 'logs', 'resourcemanager.log'))).toBe(true);
    expect((await text('/jobmanager/logs/resourcemanager.log')).status).toBe(404);
    const traversal = await httpJson<{ code: string }>(`${cluster.url}/jobmanager/logs/${encodeURIComponent('../logs/jobmanager.log')}`);
    expect(traversal.status).toBe(400);
    expect(traversal.body.code).toBe('VALIDATION_FAILED');
    expect((await text(`/jobmanager/logs/${encodeURIComponent('/etc/passwd')}`)).status).toBe(400);
    const tm = [...cluster.taskManagers.keys()][0];
    const tmLogs = await get<{ logs: { name: string }[] }>(`/taskmanagers/${tm}/logs`);
    expect(tmLogs.body.logs.map((l) => l.name)).toEqual([`taskmanager-${tm}.log`, `taskmanager-${tm}.out`]);
    expect((await text(`/taskmanagers/${tm}/logs/taskmanager-${tm}.log`)).body).toContain('taskmanager ready');
    expect((await text(`/taskmanagers/${tm}/logs/jobmanager.log`)).status).toBe(404);
    expect((await text(`/taskmanagers/${encodeURIComponent('../x')}/logs`)).status).toBe(400);
  });

  it('runnel list filters, checkpoint and savepoint --dispose', async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'unbounded.job.mjs'));
    const jobId = await cluster.run(jar, [], 1);
    await waitFor(async () => (await cluster.job(jobId)).vertices.every((v) => v.status === 'RUNNING'), { description: 'the job to run', timeoutMs: 60_000 });
    const runningList = cli(['list', '-m', cluster.url, '--running']);
    expect(runningList.status).toBe(0);
    expect(runningList.stdout).toContain(`${jobId} :`);
    expect(runningList.stdout).not.toMatch(/FINISHED|FAILED/);
    expect(cli(['list', '-m', cluster.url, '--all']).stdout).toMatch(/FINISHED/);
    const checkpoint = cli(['checkpoint', '-m', cluster.url, jobId]);
    expect(checkpoint.stderr).toBe('');
    expect(checkpoint.stdout).toMatch(new RegExp(`Checkpoint \\d+ for job ${jobId} completed\\.`));
    const savepoint = cli(['savepoint', '-m', cluster.url, '--target-directory', savepoints, jobId]);
    const location = /Savepoint completed\. Path: (\S+)/.exec(savepoint.stdout)![1];
    expect(existsSync(location)).toBe(true);
    const dispose = cli(['savepoint', '-m', cluster.url, '--dispose', location]);
    expect(dispose.status).toBe(0);
    expect(dispose.stdout).toContain('disposed');
    expect(existsSync(location)).toBe(false);
    const again = cli(['savepoint', '-m', cluster.url, '--dispose', location]);
    expect(again.status).toBe(1);
    // A CPU profile of the TaskManager that runs the job's only slot, only its workers of this job.
    const tm = (await cluster.job(jobId)).vertices[0].subtasks[0]['taskmanager-id'];
    const profile = await httpJson<{ data: { value: number; children: { name: string }[] } | null; workers: { jobId: string }[] }>(
      `${cluster.url}/taskmanagers/${tm}/profile?durationMs=300&jobid=${jobId}`, { method: 'POST', timeoutMs: 30_000 },
    );
    expect(profile.status).toBe(200);
    expect(profile.body.workers.map((w) => w.jobId)).toEqual([jobId]);
    expect(profile.body.data?.value).toBeGreaterThan(0);
    expect(profile.body.data?.children[0].name).toMatch(/^slot \d+: .*Forever/);
    expect((await httpJson(`${cluster.url}/taskmanagers/${tm}/profile?durationMs=abc`, { method: 'POST' })).status).toBe(400);
    await httpJson(`${cluster.url}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
    await cluster.waitForJob(jobId, ['CANCELED']);
  });
});
