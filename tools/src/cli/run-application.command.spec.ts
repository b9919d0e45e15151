// `runnel run-application`: its command line, exit codes and messages. The command itself (a real
// cluster) is exercised by e2e/src/application-mode.e2e.spec.ts.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs, USAGE } from './cli.args';
import { CliUsageError } from './cli.errors';
import { outputPathOf, readJobOutput } from './job-output.util';
import { main } from './main';
import { ApplicationExitCode, exitCodeForState, planApplication, rootCauseHead, signalExitCode } from './run-application.command';

describe('run-application', () => {
  let dir: string;
  let job: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runnel-app-spec-'));
    job = join(dir, 'job.mjs');
    writeFileSync(job, 'export default () => {};\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const plan = (...argv: string[]) => planApplication(parseCliArgs(['run-application', ...argv]), dir);

  describe('command line', () => {
    it('takes -p, --slots, --taskmanagers and --data-dir before the job; the rest goes to the job', () => {
      const args = parseCliArgs(['run-application', '-p', '4', '--slots', '3', '--taskmanagers', '2', '--data-dir', 'd', 'job.mjs', '-p', '9', '--input', 'x']);
      expect(args).toMatchObject({ command: 'run-application', parallelism: 4, slots: 3, taskmanagers: 2, dataDir: 'd', job: 'job.mjs', jobArgs: ['-p', '9', '--input', 'x'] });
    });

    it('makes the job, --input/--output and --data-dir absolute against the working directory', () => {
      const p = plan('--data-dir', 'data', 'job.mjs', '--input', 'in.txt', '--output=out/', '--other', 'rel');
      expect(p.job).toBe(job);
      expect(p.dataDir).toBe(join(dir, 'data'));
      expect(p.jobArgs).toEqual(['--input', join(dir, 'in.txt'), `--output=${join(dir, 'out')}/`, '--other', 'rel']);
    });

    it('starts enough TaskManagers for -p (at least one), two slots each by default', () => {
      expect(plan('job.mjs')).toMatchObject({ slots: 2, taskmanagers: 1 });
      expect(plan('-p', '2', 'job.mjs')).toMatchObject({ slots: 2, taskmanagers: 1 });
      expect(plan('-p', '5', 'job.mjs')).toMatchObject({ slots: 2, taskmanagers: 3 });
      expect(plan('-p', '5', '--slots', '8', 'job.mjs')).toMatchObject({ slots: 8, taskmanagers: 1 });
      expect(plan('-p', '5', '--taskmanagers', '4', 'job.mjs')).toMatchObject({ slots: 2, taskmanagers: 4 });
      expect(plan('job.mjs').dataDir).toBeUndefined();
    });

    it.each([
      [[], "needs a job file"],
      [['missing.ts'], 'job file not found: missing.ts'],
      [['.'], 'is not a file'],
      [['-p', '0', 'job.mjs'], '-p/--parallelism must be a positive integer'],
      [['-p', 'two', 'job.mjs'], '-p/--parallelism must be a positive integer'],
      [['--slots', '0', 'job.mjs'], '--slots must be a positive integer'],
      [['--taskmanagers', '1.5', 'job.mjs'], '--taskmanagers must be a positive integer'],
      [['-m', 'http://x:8081', 'job.mjs'], "'run-application' does not take --jobmanager"],
      [['--local', 'job.mjs'], "'run-application' does not take --local"],
      [['--bogus', 'job.mjs'], "Unknown option '--bogus'"],
    ])('refuses %j as a usage error', (argv, message) => {
      let error: unknown;
      try {
        plan(...argv);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CliUsageError);
      expect((error as Error).message).toContain(message);
    });

    it('keeps its options to itself', () => {
      expect(() => parseCliArgs(['run', '--slots', '2', 'job.mjs'])).toThrow("--slots applies to 'run-application' only");
      expect(() => parseCliArgs(['info', '--data-dir', 'd', 'job.mjs'])).toThrow("--data-dir applies to 'run-application' only");
    });

    it('exits 2 on a usage error, before starting anything', async () => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['run-application', join(dir, 'nope.ts')], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
      expect(code).toBe(ApplicationExitCode.Usage);
      expect(err.join('')).toContain('job file not found');
      expect(out).toEqual([]);
    });

    it('documents itself and its exit codes in the usage text', () => {
      expect(USAGE).toContain('run-application [-p N] [--slots S] [--taskmanagers N] [--data-dir DIR] <job> [args...]');
      expect(USAGE).toMatch(/0 the job FINISHED, 1 it FAILED.*2 usage, 3 the job was CANCELED/s);
      expect(USAGE).toContain('130 / 143');
    });
  });

  describe('exit codes', () => {
    it('maps the final job state', () => {
      expect(exitCodeForState('FINISHED')).toBe(0);
      expect(exitCodeForState('FAILED')).toBe(1);
      expect(exitCodeForState('CANCELED')).toBe(3);
    });

    it('is 128 + the signal number when interrupted', () => {
      expect(signalExitCode('SIGINT')).toBe(130);
      expect(signalExitCode('SIGTERM')).toBe(143);
      expect(signalExitCode('SIGHUP')).toBe(129);
    });
  });

  it('prints the first lines of a root cause, indented, and says how many were left out', () => {
    const trace = ['RangeError: reading 1234 is out of range', ...Array.from({ length: 20 }, (_, i) => `    at f${i} (job.mjs:${i}:1)`)].join('\n');
    const head = rootCauseHead(`${trace}\n`, 3).split('\n');
    expect(head).toEqual(['  RangeError: reading 1234 is out of range', '      at f0 (job.mjs:0:1)', '      at f1 (job.mjs:1:1)', expect.stringContaining('18 more lines')]);
    expect(rootCauseHead('Error: boom')).toBe('  Error: boom');
  });

  it("reads back the rows of this run's part files only, from the last --output", () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'part-0-0.jsonl'), '{"word":"a","count":1}\n\n{"word":"b","count":2}\n');
    writeFileSync(join(out, 'part-9-0.jsonl'), '{"word":"old","count":9}\n');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(out, 'part-9-0.jsonl'), hourAgo, hourAgo);
    expect(readJobOutput(out, Date.now() - 60_000)).toEqual([{ word: 'a', count: 1 }, { word: 'b', count: 2 }]);
    expect(outputPathOf(['--output', 'x', '--output=y/'])).toBe('y/');
    expect(outputPathOf(['--input', 'x'])).toBeUndefined();
  });
});
