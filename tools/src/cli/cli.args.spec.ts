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

  it('parses list filters, checkpoint and savepoint --dispose (long forms only: -s and -d mean other things)', () => {
    expect(parseCliArgs(['list', '--running', '--scheduled'])).toMatchObject({ command: 'list', running: true, scheduled: true });
    expect(parseCliArgs(['list', '--all'])).toMatchObject({ all: true });
    expect(parseCliArgs(['list'])).not.toHaveProperty('running');
    expect(parseCliArgs(['checkpoint', '-m', 'http://h:1', 'a'.repeat(32)])).toMatchObject({ command: 'checkpoint', job: 'a'.repeat(32), jobmanager: 'http://h:1' });
    expect(parseCliArgs(['savepoint', '--dispose', 'savepoint://x/1'])).toMatchObject({ command: 'savepoint', dispose: 'savepoint://x/1', job: undefined });
    expect(() => parseCliArgs(['run', '--running', 'job.ts'])).toThrow(/applies to 'list' only/);
    expect(() => parseCliArgs(['stop', '--dispose', '/x', 'a'.repeat(32)])).toThrow(/applies to 'savepoint' only/);
    expect(() => parseCliArgs(['savepoint', '--dispose', '/x', 'a'.repeat(32)])).toThrow(/takes no job id/);
    expect(() => parseCliArgs(['list', '-r'])).toThrow(CliUsageError);
  });

  it('treats no command as a request for help', () => {
    expect(parseCliArgs([]).command).toBe('help');
  });
});
