/**
 * Flink's metrics on a real cluster, checked against independent counts: q5 over a bounded
 * Nexmark input (the bids counted from the generator's id → kind rule) — the source chain's
 * numRecordsOut and the window vertex's numRecordsIn both equal the bids, and stay queryable
 * after the job finished; a sink that sleeps makes its upstream back-pressured (`high`); the
 * JobManager's Prometheus text has the task and operator series with Flink's labels, and they
 * are gone once the job ends; an idle upstream subtask is named in the job's watermark view.
 */
import { nexmarkEventKind } from '@runnel/dataflow';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, waitFor } from './support';
import { TestCluster } from './cluster/test-cluster';

const EXAMPLES = resolve(__dirname, '../../examples');
const FIXTURES = resolve(__dirname, 'fixtures');

type Agg = { id: string; min?: number; max?: number; sum?: number; avg?: number };
type Value = { id: string; value: string };

describe('metrics', () => {
  let cluster: TestCluster;
  let work: string;

  beforeAll(async () => {
    cluster = await TestCluster.start({ taskManagers: 2, slots: 2 });
    work = mkdtempSync(join(tmpdir(), 'runnel-metrics-'));
    // The cluster is up when its slots are; the JobManager may answer a moment later.
    await waitFor(async () => (await httpJson(`${cluster.url}/jobmanager/metrics`)).status === 200, { description: 'the JobManager to answer', timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const get = async <T>(path: string): Promise<T> => {
    const { status, body } = await httpJson<T>(`${cluster.url}${path}`);
    if (status !== 200) throw new Error(`GET ${path}: ${status} ${JSON.stringify(body)}`);
    return body;
  };

  it('q5: the source chain sends and the window vertex receives exactly the bids of the input, also after the job finished', async () => {
    const events = 30_000;
    let bids = 0;
    for (let id = 0; id < events; id++) if (nexmarkEventKind(id) === 'bid') bids++;

    const jobId = await cluster.run(await cluster.uploadJob(join(EXAMPLES, 'nexmark-q5.ts')), ['--events', String(events), '--rate', '300', '--seed', '7', '--output', `${join(work, 'q5')}/`], 2);
    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED']);
    expect(job.state).toBe('FINISHED');
    const source = job.vertices.find((v) => /Nexmark Generator/.test(v.name))!;
    const window = job.vertices.find((v) => /Bids per Auction/.test(v.name))!;
    expect(source).toBeDefined();
    expect(window).toBeDefined();

    const [sent] = await get<Agg[]>(`/jobs/${jobId}/vertices/${source.id}/subtasks/metrics?get=numRecordsOut&agg=sum`);
    const [received] = await get<Agg[]>(`/jobs/${jobId}/vertices/${window.id}/subtasks/metrics?get=numRecordsIn&agg=sum,max`);
    expect(sent).toEqual({ id: 'numRecordsOut', sum: bids });
    expect(received.sum).toBe(bids);
    expect(received.max).toBeLessThan(bids); // two subtasks, each a part

    // Per subtask and at vertex scope, the same totals.
    const perSubtask = await Promise.all([0, 1].map((i) => get<Value[]>(`/jobs/${jobId}/vertices/${window.id}/subtasks/${i}/metrics?get=numRecordsIn`)));
    expect(perSubtask.reduce((a, [m]) => a + Number(m.value), 0)).toBe(bids);
    const vertex = await get<Value[]>(`/jobs/${jobId}/vertices/${window.id}/metrics?get=0.numRecordsIn,1.numRecordsIn`);
    expect(vertex.map((m) => m.id)).toEqual(['0.numRecordsIn', '1.numRecordsIn']);
    expect(vertex.reduce((a, m) => a + Number(m.value), 0)).toBe(bids);

    // The listing names Flink's task and operator metrics.
    const ids = (await get<{ id: string }[]>(`/jobs/${jobId}/vertices/${window.id}/subtasks/0/metrics`)).map((m) => m.id);
    for (const id of ['numRecordsIn', 'numRecordsOut', 'numBytesIn', 'numRecordsInPerSecond', 'busyTimeMsPerSecond', 'idleTimeMsPerSecond', 'backPressuredTimeMsPerSecond', 'isBackPressured', 'currentInputWatermark'])
      expect(ids).toContain(id);
    expect(ids).toContain('Bids_per_Auction_and_Window.numLateRecordsDropped');

    // Job scope: no restarts; the finished job's input watermark reached the end.
    expect(await get<Value[]>(`/jobs/${jobId}/metrics?get=numRestarts`)).toEqual([{ id: 'numRestarts', value: '0' }]);
    const marks = await get<Value[]>(`/jobs/${jobId}/vertices/${window.id}/watermarks`);
    expect(marks.map((m) => m.id).sort()).toEqual(['0.currentInputWatermark', '1.currentInputWatermark']);
    for (const m of marks) expect(m.value).toBe('9223372036854775807');
    expect((await httpJson(`${cluster.url}/jobs/${jobId}/vertices/nope/metrics`)).status).toBe(404);
    const all = await get<Agg[]>(`/jobs/metrics?get=numRestarts&agg=sum&jobs=${jobId}`);
    expect(all).toEqual([{ id: 'numRestarts', sum: 0 }]);
  });

  it('a sleeping sink makes its upstream back-pressured (high); Prometheus has the job’s series until it ends', async () => {
    const jobId = await cluster.run(await cluster.uploadJob(join(FIXTURES, 'slow-sink.job.mjs')), ['--records', '5000000', '--sleep', '20'], 2);
    const job = await waitFor(
      async () => {
        const j = await cluster.job(jobId);
        return j.vertices.length > 0 && j.vertices.every((v) => v.status === 'RUNNING') && j;
      },
      { description: 'the slow-sink job to run', timeoutMs: 60_000 },
    );
    const upstream = job.vertices.find((v) => /Payload/.test(v.name))!;
    const sink = job.vertices.find((v) => /Slow sink/.test(v.name))!;

    type BackPressure = { status: string; backpressureLevel: string; subtasks: { subtask: number; backpressureLevel: string; ratio: number; isBackPressured: boolean }[] };
    const bp = await waitFor(
      async () => {
        const b = await get<BackPressure>(`/jobs/${jobId}/vertices/${upstream.id}/backpressure`);
        return b.backpressureLevel === 'high' && b;
      },
      { description: 'the upstream of the slow sink to be back-pressured (high)', timeoutMs: 60_000 },
    );
    expect(bp.status).toBe('ok');
    expect(bp.subtasks[0].backpressureLevel).toBe('high');
    expect(bp.subtasks[0].ratio).toBeGreaterThan(0.5);
    await waitFor(
      async () => (await get<Value[]>(`/jobs/${jobId}/vertices/${upstream.id}/subtasks/0/metrics?get=isBackPressured`))[0]?.value === '1',
      { description: 'isBackPressured of the upstream', timeoutMs: 30_000 },
    );
    // The sink itself is not back-pressured: nothing is downstream of it.
    const sinkBp = await get<BackPressure>(`/jobs/${jobId}/vertices/${sink.id}/backpressure`);
    expect(sinkBp.backpressureLevel).toBe('ok');

    // Prometheus, Flink's reporter form with runnel_ for flink_.
    const series = await waitFor(
      async () => {
        const text = await (await fetch(`${cluster.jobManagerUrl}/metrics`)).text();
        const lines = text.split('\n').filter((l) => l.startsWith('runnel_taskmanager_job_task_operator_numRecordsIn{') && l.includes(`job_id="${jobId}"`));
        // Every subtask has reported (each reports its first snapshot within a second of starting).
        return lines.length >= 4 && lines.some((l) => l.includes('operator_name="Slow sink"') && !/ 0$/.test(l)) && lines;
      },
      { description: 'the operator series of the job in the JobManager’s /metrics', timeoutMs: 30_000 },
    );
    const line = series.find((l) => l.includes('operator_name="Slow sink"'))!;
    for (const label of ['job_id', 'job_name', 'task_name', 'subtask_index', 'operator_name', 'tm_id']) expect(line).toMatch(new RegExp(`[{,]${label}="[^"]*"`));
    expect(line).toMatch(/tm_id="tm-[01]"/);
    // Bounded: one series per operator and subtask (source chain: 2 operators × 1, sink: 1 × 2).
    expect(series).toHaveLength(4);
    const text = await (await fetch(`${cluster.jobManagerUrl}/metrics`)).text();
    expect(text).toMatch(new RegExp(`runnel_taskmanager_job_task_isBackPressured\\{[^}]*job_id="${jobId}"`));
    expect(text).toMatch(new RegExp(`runnel_jobmanager_job_numRestarts\\{[^}]*job_id="${jobId}"`));

    // Each TaskManager's own /metrics has the series of the subtasks running there, same names and
    // labels; together they are the JobManager's series (the two TaskManagers' sum to 4).
    const tms = (await get<{ taskmanagers: { id: string; path: string }[] }>('/taskmanagers')).taskmanagers;
    expect(tms.map((t) => t.id).sort()).toEqual(['tm-0', 'tm-1']);
    const perTm = await waitFor(
      async () => {
        const counts = await Promise.all(
          tms.map(async (tm) => {
            const body = await (await fetch(`${tm.path}/metrics`)).text();
            const own = body.split('\n').filter((l) => l.startsWith('runnel_taskmanager_job_task_operator_numRecordsIn{') && l.includes(`job_id="${jobId}"`));
            // Only its own subtasks: every series names this TaskManager.
            expect(own.every((l) => l.includes(`tm_id="${tm.id}"`))).toBe(true);
            expect(body).toMatch(new RegExp(`runnel_taskmanager_taskSlotsTotal\\{[^}]*tm_id="${tm.id}"[^}]*\\} 2`));
            return { id: tm.id, series: own.length, heap: new RegExp(`runnel_taskmanager_slot_heapUsed\\{[^}]*job_id="${jobId}"`).test(body) };
          }),
        );
        return counts.reduce((n, c) => n + c.series, 0) === 4 && counts;
      },
      { description: 'the operator series of the job in the TaskManagers’ /metrics', timeoutMs: 30_000 },
    );
    expect(perTm.filter((c) => c.series > 0).every((c) => c.heap)).toBe(true);

    expect((await httpJson(`${cluster.url}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    await cluster.waitForJob(jobId, ['CANCELED']);
    const after = await (await fetch(`${cluster.jobManagerUrl}/metrics`)).text();
    expect(after).not.toContain(`job_id="${jobId}"`);
    for (const tm of tms) {
      await waitFor(async () => !(await (await fetch(`${tm.path}/metrics`)).text()).includes(`job_id="${jobId}"`), {
        description: `the job's series to leave ${tm.id}'s /metrics`,
        timeoutMs: 30_000,
      });
    }
    // The REST metrics of the ended job are still served.
    const [out] = await get<Agg[]>(`/jobs/${jobId}/vertices/${upstream.id}/subtasks/metrics?get=numRecordsOut&agg=sum`);
    expect(out.sum).toBeGreaterThan(0);
  });

  it('names the idle upstream subtask that holds a window’s watermark back', async () => {
    const jobId = await cluster.run(await cluster.uploadJob(join(FIXTURES, 'idle-input.job.mjs')), [], 2);
    type Watermarks = { vertices: { name: string; subtasks: { subtask: number; currentInputWatermark: string; heldBackBy?: { upstreamVertex: { name: string }; upstreamSubtask: number; idle: boolean; watermark: string } }[] }[] };
    const view = await waitFor(
      async () => {
        const w = await get<Watermarks>(`/jobs/${jobId}/watermarks`);
        const v = w.vertices.find((x) => /Window sum/.test(x.name));
        return v && v.subtasks.length === 2 && v.subtasks.every((s) => s.heldBackBy?.idle) && v;
      },
      { description: 'the window subtasks to name an idle input', timeoutMs: 60_000 },
    );
    for (const s of view.subtasks) {
      expect(s.heldBackBy!.upstreamVertex.name).toMatch(/Half silent/);
      expect(s.heldBackBy!.upstreamSubtask).toBe(1);
      expect(s.heldBackBy!.watermark).toBe('-9223372036854775808');
      expect(s.currentInputWatermark).toBe('-9223372036854775808');
    }
    expect((await httpJson(`${cluster.url}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    await cluster.waitForJob(jobId, ['CANCELED']);
  });

  it('runnel run (attached, not a terminal) prints plain progress lines: state, rates, watermark lag, checkpoints', async () => {
    // Asynchronously: a blocked event loop would leave this process's keep-alive sockets stale.
    const run = await promisify(execFile)(
      process.execPath,
      [resolve(__dirname, '../../tools/bin/runnel.js'), 'run', '-m', cluster.url, '-p', '2', join(EXAMPLES, 'nexmark-q5.ts'), '--events', '30000', '--rate', '300', '--seed', '7', '--checkpoint-interval', '500', '--output', `${join(work, 'q5-cli')}/`],
      { encoding: 'utf8', timeout: 180_000 },
    );
    const lines = run.stdout.split('\n');
    // Rates only while RUNNING: in any other state they would be an earlier attempt's.
    const progress = /^(RUNNING {2}sources out [\d,]+\/s {2}sinks in [\d,]+\/s|[A-Z]+ {2}sources out – {2}sinks in –) {2}watermark lag (–|\d+\.\d s) {2}checkpoints \d+ \(\d+ failed\)$/;
    expect(lines.some((l) => l.startsWith('RUNNING  ') && progress.test(l))).toBe(true);
    const closing = lines.findIndex((l) => l.startsWith('Job with JobID'));
    expect(lines.slice(closing)).toEqual([expect.stringMatching(/^Job with JobID [0-9a-f]{32} has finished\.$/), expect.stringMatching(/^Job Runtime: \d+ ms$/), '']);
    expect(lines.slice(0, closing).filter((l) => l.length > 0 && !l.startsWith('Job has been submitted')).every((l) => progress.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('FINISHED'))).toHaveLength(1);
    // Not a terminal: no cursor control in the output.
    expect(run.stdout).not.toContain('\x1b[');
  });

  it('refuses bad metric queries with 400 and unknown jobs with 404; serves TaskManager and JobManager metrics', async () => {
    const unknown = 'f'.repeat(32);
    for (const path of [`/jobs/metrics?agg=median&get=numRestarts`, `/jobs/${unknown}/vertices/v/subtasks/metrics?subtasks=3-1`, `/jobs/${unknown}/vertices/v/subtasks/x/metrics`, `/jobs/metrics?jobs=nope`, `/jobs/nope/metrics`]) {
      const { status, body } = await httpJson<{ code: string }>(`${cluster.url}${path}`);
      expect([path, status, body.code]).toEqual([path, 400, 'VALIDATION_FAILED']);
    }
    expect((await httpJson(`${cluster.url}/jobs/${unknown}/metrics`)).status).toBe(404);
    expect((await httpJson(`${cluster.url}/jobs/${unknown}/vertices/v/backpressure`)).status).toBe(404);
    const tm = await get<Value[]>('/taskmanagers/tm-0/metrics?get=Status.Slots.Total');
    expect(tm).toEqual([{ id: 'Status.Slots.Total', value: '2' }]);
    const jm = await get<Value[]>('/jobmanager/metrics?get=taskSlotsTotal,numRegisteredTaskManagers');
    expect(jm).toEqual([{ id: 'taskSlotsTotal', value: '4' }, { id: 'numRegisteredTaskManagers', value: '2' }]);
  });
});
