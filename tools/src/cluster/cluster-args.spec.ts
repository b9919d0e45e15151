import { ClusterArgsError, parseClusterArgs } from './cluster-args';

describe('parseClusterArgs', () => {
  it('has the documented defaults', () => {
    expect(parseClusterArgs([], '/repo')).toEqual({
      taskmanagers: 2,
      slots: 2,
      port: 8081,
      dataDir: '/repo/.runnel',
      resourceProvider: 'standalone',
      standbys: 0,
      consoleLogLevel: 'warn',
      run: undefined,
      help: false,
    });
  });

  it('reads every flag', () => {
    const args = parseClusterArgs(['--taskmanagers', '3', '--slots', '4', '--port', '9000', '--data-dir', '/d'], '/repo');
    expect(args).toMatchObject({ taskmanagers: 3, slots: 4, port: 9000, dataDir: '/d' });
  });

  it('reads --secure', () => {
    expect(parseClusterArgs(['--secure'], '/repo').secure).toBe(true);
    expect(parseClusterArgs([], '/repo').secure).toBeUndefined();
  });

  it('keeps --run with its arguments', () => {
    expect(parseClusterArgs(['--run', 'wordcount', '--', '--input', 'x'], '/repo').run).toEqual(['wordcount', '--input', 'x']);
  });

  it('gives everything after the --run job to the job, flags it does not know included', () => {
    const args = parseClusterArgs(['--slots', '3', '-p', '4', '--run', 'examples/word-count.ts', '--input', 'README.md', '--port', '1'], '/repo');
    expect(args).toMatchObject({ slots: 3, port: 8081, parallelism: 4, run: ['examples/word-count.ts', '--input', 'README.md', '--port', '1'] });
    expect(parseClusterArgs(['--run=job.ts'], '/repo').run).toEqual(['job.ts']);
  });

  it.each([[['--slots', '0']], [['--taskmanagers', 'two']], [['--bogus']], [['stray']], [['--port', '70000']], [['--port', '0']], [['--run']], [['--run', '--input', 'x']], [['-p', '2']]])(
    'rejects %j',
    (argv) => {
      expect(() => parseClusterArgs(argv, '/repo')).toThrow(ClusterArgsError);
    },
  );
});
