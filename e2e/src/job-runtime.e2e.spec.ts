/**
 * The distributed runtime with real processes: RM, JM, dispatcher and 2 TaskManagers × 2 slots,
 * a NATS server and a database of the test's own. Expected results come from independent
 * computations (a plain count; for Nexmark the references in tools/src/reference, and the
 * embedded executor).
 */
import { StreamExecutionEnvironment, generateNexmarkEvents, loadJobModule } from '@runnel/dataflow';
import { compareRows, referenceLateWindowCounts, referenceQ3, referenceQ4, referenceQ5, referenceQ7, referenceQ8, type RefEvent } from '@runnel/tools';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as tar from 'tar';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpJson, waitFor } from './support';
import { TestCluster } from './cluster/test-cluster';
import { canonicalRows, countWords, readJsonLines } from './cluster/job-output';

const EXAMPLES = resolve(__dirname, '../../examples');
const FIXTURES = resolve(__dirname, 'fixtures');

/** Deterministic words (mulberry32), so a failure can be reproduced. */
function wordsText(lines: number, seed: number): string {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const vocabulary = Array.from({ length: 500 }, (_, i) => `Word${i}`);
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const n = 1 + Math.floor(rnd() * 12);
    out.push(Array.from({ length: n }, () => vocabulary[Math.floor(rnd() ** 2 * vocabulary.length)]).join(rnd() < 0.5 ? ' ' : ', '));
  }
  return out.join('\n') + '\n';
}


async function runEmbedded(entry: string, args: string[], parallelism: number): Promise<void> {
  const module = await loadJobModule(entry);
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
  await module.main(env, args);
}

describe('distributed runtime', () => {
  let cluster: TestCluster;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-runtime-'));
    cluster = await TestCluster.start({ taskManagers: 2, slots: 2, env: { SLOT_REQUEST_TIMEOUT_MS: '3000', ARTIFACT_MAX_BYTES: '200000' } });
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs WordCount at parallelism 4 with the keyed exchange crossing TaskManagers', async () => {
    const text = wordsText(5000, 42);
    const input = join(work, 'words.txt');
    writeFileSync(input, text);
    const output = join(work, 'wc-out');
    const jar = await cluster.uploadJob(join(EXAMPLES, 'word-count.ts'));
    const jobId = await cluster.run(jar, ['--input', input, '--output', `${output}/`], 4);
    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED']);
    expect(job.state).toBe('FINISHED');

    const counted = readJsonLines<{ word: string; count: number }>(output);
    const expected = countWords(text);
    expect(counted).toHaveLength(expected.size);
    expect(new Map(counted.map((r) => [r.word, r.count]))).toEqual(expected);

    const count = job.vertices.find((v) => v.name.startsWith('Count'))!;
    expect(count.parallelism).toBe(4);
    expect(new Set(count.subtasks.map((s) => s['taskmanager-id']))).toEqual(new Set(['tm-0', 'tm-1']));
    expect(count.metrics['read-records']).toBe([...expected.values()].reduce((a, b) => a + b, 0));
  });

  // q3, q4 and q8 run as a branched chain: the source feeds two filters in one task.
  it.each([
    ['nexmark-q3.ts', referenceQ3, true],
    ['nexmark-q4.ts', referenceQ4, true],
    ['nexmark-q5.ts', referenceQ5, false],
    ['nexmark-q7.ts', referenceQ7, false],
    ['nexmark-q8.ts', referenceQ8, true],
  ] as [string, (events: readonly RefEvent[]) => unknown[], boolean][])('%s on the cluster equals the reference and the embedded executor', async (example, reference, branched) => {
    const args = ['--events', '30000', '--rate', '300', '--seed', '7'];
    const local = join(work, `${example}-local`);
    await runEmbedded(join(EXAMPLES, example), [...args, '--output', `${local}/`], 2);
    const remote = join(work, `${example}-cluster`);
    const jobId = await cluster.run(await cluster.uploadJob(join(EXAMPLES, example)), [...args, '--output', `${remote}/`], 4);
    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED']);
    expect(job.state).toBe('FINISHED');
    if (branched) expect(job.vertices.filter((v) => v.name.startsWith('Nexmark Generator -> ('))).toHaveLength(1);
    const expected = canonicalRows(readJsonLines(local));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const actual = readJsonLines(remote);
    expect(canonicalRows(actual)).toEqual(expected);
    const referenceRows = reference(generateNexmarkEvents({ events: 30_000, rate: 300, seed: 7 }) as unknown as RefEvent[]);
    const diff = compareRows(actual, referenceRows);
    expect({ missing: diff.missing.slice(0, 5), unexpected: diff.unexpected.slice(0, 5) }).toEqual({ missing: [], unexpected: [] });
  });

  it('late data: windows with allowed lateness and a late side output equal the lateness reference', async () => {
    // Delays up to 8 s, 5 % beyond the job's 4 s watermark bound; allowed lateness 2 s. One source
    // subtask polls 256 events per batch and emits a watermark after each batch.
    const generator = { events: 30_000, rate: 500, seed: 21, outOfOrdernessMs: 8000, watermarkBoundMs: 4000, lateFraction: 0.05 };
    const expected = referenceLateWindowCounts(generateNexmarkEvents(generator) as unknown as RefEvent[], {
      windowMs: 10_000,
      boundMs: 4000,
      allowedLatenessMs: 2000,
      watermarkEvery: 256,
    });
    expect(expected.lateFirings.length).toBeGreaterThan(50);
    expect(expected.late.length).toBeGreaterThan(50);
    const output = join(work, 'late-counts');
    const lateOutput = join(work, 'late-bids');
    const args = ['--events', '30000', '--rate', '500', '--seed', '21', '--out-of-orderness', '8000', '--late-fraction', '0.05', '--allowed-lateness', '2000'];
    const jobId = await cluster.run(await cluster.uploadJob(join(EXAMPLES, 'nexmark-late-bids.ts')), [...args, '--output', `${output}/`, '--late-output', `${lateOutput}/`], 4);
    const job = await cluster.waitForJob(jobId, ['FINISHED', 'FAILED']);
    expect(job.state).toBe('FINISHED');
    expect(job.vertices.find((v) => v.name.includes('Bids per Auction'))!.parallelism).toBe(4);
    const counts = compareRows(readJsonLines(output), [...expected.onTime, ...expected.lateFirings]);
    const late = compareRows(
      readJsonLines(lateOutput),
      expected.late.map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime })),
    );
    expect({ missing: counts.missing.slice(0, 5), unexpected: counts.unexpected.slice(0, 5) }).toEqual({ missing: [], unexpected: [] });
    // The late side output holds exactly the bids the reference counts as dropped.
    expect({ missing: late.missing.slice(0, 5), unexpected: late.unexpected.slice(0, 5) }).toEqual({ missing: [], unexpected: [] });
    expect(readJsonLines(lateOutput)).toHaveLength(expected.dropped);
  });

  it('shows a throwing user function’s stack trace in /jobs/:id/exceptions', async () => {
    const jobId = await cluster.run(await cluster.uploadJob(join(FIXTURES, 'throwing-map.job.mjs')), [], 2);
    expect((await cluster.waitForJob(jobId, ['FINISHED', 'FAILED'])).state).toBe('FAILED');
    const { body } = await httpJson<{ 'root-exception': string; 'all-exceptions': { task: string; location: string }[] }>(`${cluster.url}/jobs/${jobId}/exceptions`);
    expect(body['root-exception']).toMatch(/^RangeError: reading 1234 is out of range\n\s+at (MapOperator\.)?parseReading .*throwing-map\.job\.mjs:\d+:\d+/);
    expect(body['all-exceptions'][0].task).toMatch(/^Parse \(\d\/2\)$/);
    await cluster.waitForSlots(2, 4);
  });

  it('runs two jobs at once; cancelling one frees its slots', async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'unbounded.job.mjs'));
    const first = await cluster.run(jar, [], 2);
    const second = await cluster.run(jar, [], 2);
    await cluster.waitForJob(first, ['RUNNING']);
    await cluster.waitForJob(second, ['RUNNING']);
    await waitFor(async () => (await cluster.job(first)).vertices.every((v) => v.status === 'RUNNING'), { description: 'all tasks of the first job running' });
    const overview = await httpJson<{ 'slots-available': number; 'jobs-running': number }>(`${cluster.url}/overview`);
    expect(overview.body).toMatchObject({ 'slots-available': 0, 'jobs-running': 2 });

    expect((await httpJson(`${cluster.url}/jobs/${first}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    expect((await cluster.waitForJob(first, ['CANCELED'])).state).toBe('CANCELED');
    await waitFor(async () => (await httpJson<{ 'slots-available': number }>(`${cluster.url}/overview`)).body['slots-available'] === 2, { description: 'the cancelled job’s 2 slots to be free' });
    expect((await cluster.job(second)).state).toBe('RUNNING');
    await httpJson(`${cluster.url}/jobs/${second}?mode=cancel`, { method: 'PATCH' });
    await cluster.waitForJob(second, ['CANCELED']);
    await cluster.waitForSlots(2, 4);
  });

  it('a job needing 6 slots on 4 waits, saying so, then fails with the documented message', async () => {
    const jar = await cluster.uploadJob(join(FIXTURES, 'unbounded.job.mjs'));
    const jobId = await cluster.run(jar, [], 6);
    const waiting = await waitFor(
      async () => {
        const job = await cluster.job(jobId);
        return (job.statusMessage !== undefined || job.state === 'FAILED') && job;
      },
      { description: 'the job to say it waits for slots' },
    );
    expect(waiting).toMatchObject({ state: 'CREATED', statusMessage: 'Waiting for slots: the job needs 6, 4 are free' });
    expect((await cluster.waitForJob(jobId, ['FAILED'])).state).toBe('FAILED');
    const { body } = await httpJson<{ 'root-exception': string }>(`${cluster.url}/jobs/${jobId}/exceptions`);
    expect(body['root-exception']).toBe(
      'NoResourceAvailableException: Could not acquire the minimum required resources: the job needs 6 slots, 4 were free after waiting 3000 ms. Start more TaskManagers (or more slots per TaskManager), or lower the parallelism.',
    );
    await cluster.waitForSlots(2, 4);
  });

  it.each([
    ['syntax-error.job.mjs', /is invalid: could not bundle job module .*syntax-error\.job\.mjs/],
    ['no-default-export.job.mjs', /is invalid: .* must default-export a function/],
    ['throws-while-building.job.mjs', /is invalid: .*threw while building its graph: configuration file \/etc\/app\.conf is missing/],
    ['invalid-graph.job.mjs', /is invalid: .*parallelism 8.*max(imum )?parallelism 4/i],
  ])('refuses the bad artifact %s with 400 and stores nothing', async (fixture, message) => {
    const before = (await httpJson<{ files: unknown[] }>(`${cluster.url}/jars`)).body.files.length;
    const { status, body } = await cluster.upload(readFileSync(join(FIXTURES, fixture)), fixture);
    expect({ status, code: body.code }).toEqual({ status: 400, code: 'INVALID_ARTIFACT' });
    expect(body.errors![0]).toMatch(message);
    expect((await httpJson<{ files: unknown[] }>(`${cluster.url}/jars`)).body.files.length).toBe(before);
  });

  it('runs a job packaged as a .tgz with a package.json and its own dependencies', async () => {
    const pkg = join(work, 'pkg');
    mkdirSync(join(pkg, 'node_modules', 'shout'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'shouting-job', version: '1.0.0', type: 'module', main: 'job.mjs' }));
    writeFileSync(join(pkg, 'node_modules', 'shout', 'package.json'), JSON.stringify({ name: 'shout', version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(pkg, 'node_modules', 'shout', 'index.js'), 'module.exports = (s) => s.toUpperCase() + "!";\n');
    writeFileSync(join(pkg, 'words.mjs'), "export const words = ['a', 'b', 'a'];\n");
    const output = join(work, 'pkg-out');
    writeFileSync(
      join(pkg, 'job.mjs'),
      [
        "import shout from 'shout';",
        "import { words } from './words.mjs';",
        "import { JsonLinesFileSink } from '@runnel/dataflow';",
        'export default (env, args) => {',
        "  env.fromCollection(words).map((w) => ({ word: shout(w) })).sinkTo(new JsonLinesFileSink(args[0])).setParallelism(1);",
        '};',
      ].join('\n'),
    );
    const archive = join(work, 'shouting-job-1.0.0.tgz');
    await tar.c({ gzip: true, cwd: work, file: archive, prefix: '' }, ['pkg']);
    const { status, body } = await cluster.upload(readFileSync(archive), 'shouting-job-1.0.0.tgz');
    expect({ status, body }).toMatchObject({ status: 200, body: { filename: 'shouting-job.mjs' } });
    const jobId = await cluster.run(body.id!, [`${output}/`], 1);
    expect((await cluster.waitForJob(jobId, ['FINISHED', 'FAILED'])).state).toBe('FINISHED');
    expect(canonicalRows(readJsonLines(output))).toEqual(canonicalRows([{ word: 'A!' }, { word: 'B!' }, { word: 'A!' }]));
  });

  it('serves the web dashboard, whose script reads the REST API', async () => {
    const response = await fetch(`${cluster.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    // The page loads the built dashboard (apps/dashboard) from /web/; no inline script (CSP).
    const src = /<script[^>]*src="\.\/(web\/[^"]+\.js)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const scriptResponse = await fetch(`${cluster.url}/${src}`);
    expect(scriptResponse.status).toBe(200);
    expect(scriptResponse.headers.get('content-type')).toMatch(/javascript/);
    const script = await scriptResponse.text();
    // It asks for what the API serves (the browser test in dashboard.e2e drives it for real).
    for (const path of ['overview', 'taskmanagers', 'jobs/overview']) {
      expect(script).toMatch(new RegExp(`[\`'"]${path}[\`'"]`));
      expect((await httpJson(`${cluster.url}/${path}`)).status).toBe(200);
    }
  });

  it('refuses an artifact over the size limit, and a run with an invalid body', async () => {
    const big = new TextEncoder().encode(`export default (env) => env.fromElements(1).print();\n//${'x'.repeat(250_000)}\n`);
    const { status, body } = await cluster.upload(big, 'big.mjs');
    expect({ status, code: body.code }).toEqual({ status: 400, code: 'ARTIFACT_TOO_LARGE' });
    expect(body.errors![0]).toMatch(/limit is 200000 bytes/);

    const jar = await cluster.uploadJob(join(FIXTURES, 'unbounded.job.mjs'));
    const run = await httpJson<{ code: string; details: { violations: { field: string }[] } }>(`${cluster.url}/jars/${jar}/run`, { body: { parallelism: 'four', extra: 1 } });
    expect(run.status).toBe(400);
    expect(run.body.details.violations.map((v) => v.field).sort()).toEqual(['extra', 'parallelism']);
    expect((await httpJson(`${cluster.url}/jars/not-a-jar/run`, { body: {} })).status).toBe(400);
    expect((await httpJson(`${cluster.url}/jobs/${'0'.repeat(32)}`)).status).toBe(404);
  });
});

describe('runnel CLI against a cluster', () => {
  let cluster: TestCluster;
  let work: string;
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [resolve(__dirname, '../../tools/bin/runnel.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'runnel-e2e-cli-'));
    // `stop --target-directory <work>/sp` below: savepoints may only go to SAVEPOINT_DIRS.
    cluster = await TestCluster.start({ taskManagers: 2, slots: 2, env: { SAVEPOINT_DIRS: work } });
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs a job, follows it to its end and prints its id; lists it', () => {
    const input = join(work, 'text.txt');
    writeFileSync(input, 'one two two three three three\n');
    const output = join(work, 'out');
    const run = cli(['run', '-m', cluster.url, '-p', '2', join(EXAMPLES, 'word-count.ts'), '--input', input, '--output', `${output}/`]);
    expect(run.status).toBe(0);
    const jobId = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(run.stdout)![1];
    expect(run.stdout).toMatch(/FINISHED/);
    expect(new Map(readJsonLines<{ word: string; count: number }>(output).map((r) => [r.word, r.count]))).toEqual(new Map([['one', 1], ['two', 2], ['three', 3]]));
    const list = cli(['list', '-m', cluster.url]);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(`${jobId} : WordCount (FINISHED`);
  });

  it('exits 1 with the root cause when the job fails', () => {
    const run = cli(['run', '-m', cluster.url, '-p', '2', join(FIXTURES, 'throwing-map.job.mjs')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/FAILED:\nRangeError: reading 1234 is out of range/);
  });

  it('runs detached, takes a savepoint, stops with a savepoint and cancels', async () => {
    const run = cli(['run', '-m', cluster.url, '--detached', '-p', '1', join(FIXTURES, 'unbounded.job.mjs')]);
    expect(run.status).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1];
    await waitFor(async () => (await cluster.job(jobId)).vertices.every((v) => v.status === 'RUNNING'), { description: 'the job to run' });
    const savepoint = cli(['savepoint', '-m', cluster.url, jobId]);
    expect(savepoint.stdout).toMatch(new RegExp(`Savepoint completed\\. Path: savepoint://${jobId}/\\d+`));
    const stop = cli(['stop', '-m', cluster.url, '--target-directory', join(work, 'sp'), jobId]);
    expect(stop.stdout).toMatch(/Savepoint completed\. Path: .*savepoint-/);
    expect((await cluster.waitForJob(jobId, ['CANCELED'])).state).toBe('CANCELED');
    const second = /JobID ([0-9a-f]{32})/.exec(cli(['run', '-m', cluster.url, '-d', join(FIXTURES, 'unbounded.job.mjs')]).stdout)![1];
    expect(cli(['cancel', '-m', cluster.url, second]).status).toBe(0);
    expect((await cluster.waitForJob(second, ['CANCELED'])).state).toBe('CANCELED');
  });
});
