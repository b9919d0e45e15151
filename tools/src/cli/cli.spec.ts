/**
 * The runnel CLI end to end: in-process through main() for the command surface, and spawned as a
 * real process (bundled fresh from source with esbuild) for exit codes, stdout and stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { compareRows, generateNexmarkEventsForTest, readJsonLinesOutput, referenceQ2, referenceWordCount } from './cli.spec-support';
import { main } from './main';

const ROOT = resolve(__dirname, '../../..');
const WORD_COUNT = join(ROOT, 'examples/word-count.ts');
const Q2 = join(ROOT, 'examples/nexmark-q2.ts');

let dir: string;
let cliBundle: string;
let bundleDir: string;

function captureIo() {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

function spawnCli(args: string[]) {
  return spawnSync(process.execPath, [cliBundle, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-cli-'));
  // Inside the repository (git-ignored tmp/) so the bundle resolves esbuild from node_modules.
  mkdirSync(join(ROOT, 'tools/tmp'), { recursive: true });
  bundleDir = mkdtempSync(join(ROOT, 'tools/tmp/cli-'));
  cliBundle = join(bundleDir, 'runnel-cli.js');
  // Bundled from source (tsconfig paths map @runnel/dataflow to its sources), so the test never
  // runs a stale tools/dist.
  buildSync({
    entryPoints: [join(__dirname, 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: cliBundle,
    external: ['esbuild'],
    tsconfig: join(ROOT, 'tools/tsconfig.json'),
    logLevel: 'silent',
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

describe('runnel CLI (in process)', () => {
  it('runs a job locally and writes its output', async () => {
    const input = join(dir, 'words.txt');
    const text = 'one two two three three three\nOne TWO\n';
    writeFileSync(input, text);
    const output = join(dir, 'words.jsonl');
    const io = captureIo();
    expect(await main(['run', '--local', '-p', '1', WORD_COUNT, '--input', input, '--output', output], io)).toBe(0);
    expect(compareRows(readJsonLinesOutput(output), referenceWordCount(text)).equal).toBe(true);
  });

  it('prints the plan with vertices, chained operators, partitioners and the hash', async () => {
    const io = captureIo();
    expect(await main(['info', '-p', '3', Q2, '--events', '100'], io)).toBe(0);
    expect(io.out).toMatch(/^Job: Nexmark Q2/);
    expect(io.out).toMatch(/parallelism=3/);
    expect(io.out).toMatch(/- Every 123rd Auction \(filter\)/);
    expect(io.out).toMatch(/hash [0-9a-f]{16,}/);
  });

  it('prints the plan as JSON with --json', async () => {
    const io = captureIo();
    expect(await main(['info', '--json', WORD_COUNT], io)).toBe(0);
    const plan = JSON.parse(io.out) as { hash: string; jobGraph: { jobName: string; vertices: unknown[]; edges: { partitioner: string }[] } };
    expect(plan.jobGraph.jobName).toBe('WordCount');
    expect(plan.jobGraph.edges.map((e) => e.partitioner)).toContain('hash');
    expect(plan.hash).toMatch(/^[0-9a-f]+$/);
  });

  it('answers usage errors with exit code 2', async () => {
    for (const argv of [['launch'], ['run', '--local'], ['run', '--local', 'missing-job.ts'], ['run', '-m', 'localhost:8081', 'missing-job.ts'], ['run', '--local', '-m', 'x:1', Q2], ['cancel', 'abc'], ['stop']]) {
      const io = captureIo();
      expect(await main(argv, io)).toBe(2);
      expect(io.err).toMatch(/^runnel: /);
    }
  });

  it('says so when the cluster does not answer (exit code 1)', async () => {
    const io = captureIo();
    expect(await main(['list', '-m', 'http://127.0.0.1:9'], io)).toBe(1);
    expect(io.err).toMatch(/^runnel: cannot reach the cluster at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('runnel CLI (spawned)', () => {
  it('runs a Nexmark example to completion and its output matches the reference', () => {
    const output = join(dir, 'q2/');
    const result = spawnCli(['run', '--local', '-p', '2', Q2, '--events', '20000', '--rate', '1000', '--seed', '3', '--output', output]);
    expect(result.stderr).toMatch(/Job finished/);
    expect(result.status).toBe(0);
    const events = generateNexmarkEventsForTest({ events: 20_000, rate: 1000, seed: 3 });
    expect(compareRows(readJsonLinesOutput(output), referenceQ2(events)).equal).toBe(true);
  });

  it('prints results to stdout without --output', () => {
    const input = join(dir, 'hello.txt');
    writeFileSync(input, 'hello hello world');
    const result = spawnCli(['run', '--local', WORD_COUNT, '--input', input]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(
      expect.arrayContaining([
        { word: 'hello', count: 2 },
        { word: 'world', count: 1 },
      ]),
    );
  });

  it('exits non-zero with the user error and its stack when the job fails', () => {
    const job = join(dir, 'failing-job.ts');
    writeFileSync(
      job,
      `import { StreamExecutionEnvironment } from '@runnel/dataflow';
export default async function (env: StreamExecutionEnvironment) {
  env.fromSequence(1, 10).map((x: number) => { if (x === 7) throw new RangeError('seven is right out'); return x; }).print();
  await env.execute('failing');
}
`,
    );
    const result = spawnCli(['run', '--local', job]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/RangeError: seven is right out/);
    expect(result.stderr).toMatch(/failing-job\.ts/);
  });

  it('prints usage with --help', () => {
    const result = spawnCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/runnel run --local|run --local/);
  });
});
