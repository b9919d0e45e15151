import { ExecutionAttemptIds, JobIds, NoRespondersError, ValidationError, testingJobMasterGateway } from '@runnel/protocol';
import { JobMasterReporter } from './job-master.reporter';

const job = JobIds.parse('a'.repeat(32));
const task = (n: number) => ExecutionAttemptIds.parse(String(n).padStart(32, '0'));

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('JobMasterReporter', () => {
  it('retries while no JobManager answers and delivers in order', async () => {
    let failures = 2;
    const delivered: string[] = [];
    const jm = testingJobMasterGateway({
      updateTaskExecutionState: async (r) => {
        if (failures-- > 0) throw new NoRespondersError('runnel.jobmanager.updateTaskExecutionState');
        delivered.push(`${r.executionAttemptId.slice(-1)}:${r.state}`);
        return {};
      },
    });
    const reporter = new JobMasterReporter(jm, { minBackoffMs: 1, maxBackoffMs: 4, deadlineMs: 10_000 });
    reporter.state({ jobId: job, executionAttemptId: task(1), state: 'RUNNING' });
    reporter.state({ jobId: job, executionAttemptId: task(1), state: 'FAILED', failure: { message: 'x' } });
    reporter.state({ jobId: job, executionAttemptId: task(2), state: 'FINISHED' });
    await until(() => delivered.length === 3);
    expect(delivered).toEqual(['1:RUNNING', '1:FAILED', '2:FINISHED']);
  });

  it('drops a report the JobManager refuses, and replaces waiting progress reports', async () => {
    const delivered: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const jm = testingJobMasterGateway({
      updateTaskExecutionState: async (r) => {
        await gate;
        if (r.state === 'CANCELED') throw new ValidationError('bad', []);
        delivered.push(`${r.state}:${r.metrics?.recordsIn ?? '-'}`);
        return {};
      },
    });
    const reporter = new JobMasterReporter(jm, { minBackoffMs: 1, maxBackoffMs: 4, deadlineMs: 10_000 });
    const metrics = (n: number) => ({ recordsIn: n, recordsOut: 0, bytesIn: 0, bytesOut: 0 });
    reporter.state({ jobId: job, executionAttemptId: task(1), state: 'INITIALIZING' });
    reporter.state({ jobId: job, executionAttemptId: task(1), state: 'RUNNING', metrics: metrics(1) });
    reporter.state({ jobId: job, executionAttemptId: task(1), state: 'RUNNING', metrics: metrics(2) });
    reporter.state({ jobId: job, executionAttemptId: task(2), state: 'CANCELED' });
    reporter.state({ jobId: job, executionAttemptId: task(1), state: 'FINISHED' });
    release();
    await until(() => delivered.length === 3);
    expect(delivered).toEqual(['INITIALIZING:-', 'RUNNING:2', 'FINISHED:-']);
  });
});
