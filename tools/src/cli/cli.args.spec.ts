import { parseCliArgs } from './cli.args';
import { CliUsageError } from './cli.errors';

describe('parseCliArgs', () => {
  it('splits CLI options from the job and its arguments', () => {
    expect(parseCliArgs(['run', '--local', '-p', '4', 'job.ts', '--input', 'x.jsonl', '-p', '9'])).toEqual({
      command: 'run',
      local: true,
      parallelism: 4,
      jobmanager: undefined,
      detached: false,
      help: false,
      json: false,
      fromSavepoint: undefined,
      allowNonRestoredState: false,
      drain: false,
      targetDirectory: undefined,
      job: 'job.ts',
      jobArgs: ['--input', 'x.jsonl', '-p', '9'],
    });
    expect(parseCliArgs(['run', '-s', 'savepoint://a/1', '-n', 'job.ts', '-s', 'x'])).toMatchObject({ fromSavepoint: 'savepoint://a/1', allowNonRestoredState: true, jobArgs: ['-s', 'x'] });
    expect(parseCliArgs(['stop', '--drain', '--target-directory', '/tmp/sp', 'f'.repeat(32)])).toMatchObject({ command: 'stop', drain: true, targetDirectory: '/tmp/sp', job: 'f'.repeat(32) });
    expect(parseCliArgs(['info', '--parallelism=2', 'job.mjs']).parallelism).toBe(2);
    expect(parseCliArgs(['run', '-m', 'localhost:8081', 'job.ts']).jobmanager).toBe('localhost:8081');
    expect(parseCliArgs(['run', '--local', '--', '-weird.ts', 'a']).job).toBe('-weird.ts');
  });

  it('rejects unknown commands, options and bad parallelism as usage errors', () => {
    expect(() => parseCliArgs(['launch'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['run', '--nope', 'job.ts'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['run', '-p', 'zero', 'job.ts'])).toThrow(/positive integer/);
    expect(() => parseCliArgs(['run', '-p', '0', 'job.ts'])).toThrow(/positive integer/);
  });

  it('treats no command as a request for help', () => {
    expect(parseCliArgs([]).command).toBe('help');
  });
});
