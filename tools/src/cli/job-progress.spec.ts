/** `runnel run` progress: which vertices are sources and sinks, what is read, and how lines are printed. */
import { ProgressPrinter, formatProgress, jobEndMessage, jobFinishedMessage, readProgress, sourcesAndSinks, type ProgressJobView } from './job-progress';

const job: ProgressJobView = {
  state: 'RUNNING',
  vertices: [
    { id: 'src', name: 'Source', status: 'RUNNING' },
    { id: 'win', name: 'Window', status: 'RUNNING' },
    { id: 'out', name: 'Sink', status: 'RUNNING' },
  ],
  plan: { nodes: [{ id: 'src' }, { id: 'win', inputs: [{ id: 'src' }] }, { id: 'out', inputs: [{ id: 'win' }] }] },
};

describe('run progress', () => {
  it('finds sources (no inputs) and sinks (feeding nothing) in the plan', () => {
    expect(sourcesAndSinks(job)).toEqual({ sources: ['src'], sinks: ['out'] });
  });

  it('reads rates, the watermark lag and the checkpoints from the metric API', async () => {
    const asked: string[] = [];
    const answers: Record<string, unknown> = {
      '/jobs/j/vertices/src/subtasks/metrics?get=numRecordsOutPerSecond&agg=sum': [{ id: 'numRecordsOutPerSecond', sum: 1500 }],
      '/jobs/j/vertices/out/subtasks/metrics?get=numRecordsInPerSecond&agg=sum': [{ id: 'numRecordsInPerSecond', sum: 20 }],
      '/jobs/j/vertices/win/subtasks/metrics?get=currentInputWatermark&agg=min': [{ id: 'currentInputWatermark', min: 7000 }],
      // No watermark yet (Long.MIN_VALUE) is no lag.
      '/jobs/j/vertices/out/subtasks/metrics?get=currentInputWatermark&agg=min': [{ id: 'currentInputWatermark', min: -(2 ** 63) }],
      '/jobs/j/metrics?get=numberOfCompletedCheckpoints,numberOfFailedCheckpoints': [
        { id: 'numberOfCompletedCheckpoints', value: '3' },
        { id: 'numberOfFailedCheckpoints', value: '1' },
      ],
    };
    const get = async <T>(path: string): Promise<T> => {
      asked.push(path);
      return (answers[path] ?? []) as T;
    };
    const p = await readProgress(get, 'j', job, 10_000);
    expect(p).toEqual({ state: 'RUNNING', sourceOutPerSecond: 1500, sinkInPerSecond: 20, watermarkLagMs: 3000, watermark: 7000, checkpointsCompleted: 3, checkpointsFailed: 1 });
    expect(asked).toHaveLength(5);
    expect(formatProgress(p)).toBe('RUNNING  sources out 1,500/s  sinks in 20/s  watermark lag 3.0 s  checkpoints 3 (1 failed)');
  });

  it('shows no rates while the job is not running (a restarting job has only its failed attempt\'s)', () => {
    const p = { state: 'RESTARTING', sourceOutPerSecond: 76_726, sinkInPerSecond: 9_345, checkpointsCompleted: 7, checkpointsFailed: 1 };
    expect(formatProgress(p)).toBe('RESTARTING  sources out –  sinks in –  watermark lag –  checkpoints 7 (1 failed)');
  });

  it('closes a finished job with its runtime', () => {
    expect(jobFinishedMessage('j1', 1234.4)).toBe('Job with JobID j1 has finished.\nJob Runtime: 1234 ms\n');
    expect(jobFinishedMessage('j1', undefined)).toBe('Job with JobID j1 has finished.\n');
  });

  it('redraws one line on a terminal, prints throttled plain lines otherwise', () => {
    const p = { state: 'RUNNING', sourceOutPerSecond: 1, sinkInPerSecond: 1, checkpointsCompleted: 0, checkpointsFailed: 0 };
    const plain: string[] = [];
    const printer = new ProgressPrinter({ stdout: (t) => plain.push(t), stderr: () => undefined }, false);
    printer.show(p, 0);
    printer.show(p, 1000); // same state, too soon: nothing
    printer.show({ ...p, state: 'FINISHED' }, 1500); // a state change always prints
    printer.show({ ...p, state: 'FINISHED' }, 7000);
    expect(plain.map((l) => l.split('  ')[0])).toEqual(['RUNNING', 'FINISHED', 'FINISHED']);
    expect(plain.every((l) => l.endsWith('\n'))).toBe(true);

    const tty: string[] = [];
    const redraw = new ProgressPrinter({ stdout: (t) => tty.push(t), stderr: () => undefined }, true);
    redraw.show(p, 0);
    redraw.show(p, 10);
    redraw.done();
    expect(tty.slice(0, 2).every((t) => t.startsWith('\r\x1b[2K') && !t.endsWith('\n'))).toBe(true);
    expect(tty[2]).toBe('\n');
  });
});

describe('the watermark in the progress line', () => {
  const base = { state: 'RUNNING', sourceOutPerSecond: 0, sinkInPerSecond: 0, checkpointsCompleted: 0, checkpointsFailed: 0 };
  it('as a lag while the input is about now, as the event time when it is days behind (generated or replayed input)', () => {
    expect(formatProgress({ ...base, watermarkLagMs: 2500, watermark: 1_000 })).toContain('watermark lag 2.5 s');
    const at = Date.UTC(2023, 10, 14, 22, 13, 20, 123);
    expect(formatProgress({ ...base, watermarkLagMs: 96_000_000_000, watermark: at })).toContain('watermark at 2023-11-14T22:13:20Z (event time)');
  });
});

describe('the line for a job that ended without finishing', () => {
  const lost = 'TaskManagerLostException: TaskManager tm-1 is lost\n    at heartbeat';
  it('a failed job: its root cause, whole', () => {
    expect(jobEndMessage('j1', 'FAILED', lost)).toBe(`Job j1 FAILED:\n${lost}\n`);
  });
  it('a cancelled job is said to be cancelled; a failure it had recovered from is named as earlier, not as the cause', () => {
    expect(jobEndMessage('j1', 'CANCELED', undefined)).toBe('Job j1 was CANCELED.\n');
    expect(jobEndMessage('j1', 'CANCELED', lost)).toBe('Job j1 was CANCELED.\nIt had recovered from an earlier failure before that: TaskManagerLostException: TaskManager tm-1 is lost\n');
  });
});
