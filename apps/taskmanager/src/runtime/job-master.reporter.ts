/**
 * Delivers what tasks tell the JobManager — state changes, checkpoint acknowledgements — in order
 * and reliably: a report that finds no JobManager (NATS restarting, a leader failing over) is
 * retried with backoff until it is delivered or its deadline passes, so a FAILED or FINISHED is
 * never lost. Periodic RUNNING reports (metrics) of a task replace each other while they wait.
 */
import { Logger } from '@nestjs/common';
import { ErrorCodes, JobMasterGateway, RunnelError } from '@runnel/protocol';
import { CheckpointEvent, TaskStateEvent } from './task-runner';

type Report = { readonly kind: 'state'; readonly event: TaskStateEvent } | { readonly kind: 'checkpoint'; readonly event: CheckpointEvent };

const RETRYABLE = new Set<string>([ErrorCodes.RequestTimeout, ErrorCodes.NoResponders]);

export interface ReporterOptions {
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Give a report up after this long (the JobManager will have failed the task over by then). */
  readonly deadlineMs: number;
}

export class JobMasterReporter {
  private readonly logger = new Logger('TaskReports');
  private readonly queue: { report: Report; since: number }[] = [];
  private sending = false;
  private stopped = false;

  constructor(
    private readonly jobMaster: JobMasterGateway,
    private readonly options: ReporterOptions = { minBackoffMs: 100, maxBackoffMs: 2000, deadlineMs: 120_000 },
  ) {}

  state(event: TaskStateEvent): void {
    if (event.state === 'RUNNING') {
      // A newer progress report of the same task makes a waiting one pointless.
      const waiting = this.queue.findIndex((q, i) => i > 0 && q.report.kind === 'state' && q.report.event.executionAttemptId === event.executionAttemptId && q.report.event.state === 'RUNNING');
      if (waiting >= 0) {
        this.queue[waiting] = { report: { kind: 'state', event }, since: this.queue[waiting].since };
        return;
      }
    }
    this.enqueue({ kind: 'state', event });
  }

  checkpoint(event: CheckpointEvent): void {
    this.enqueue({ kind: 'checkpoint', event });
  }

  stop(): void {
    this.stopped = true;
  }

  private enqueue(report: Report): void {
    this.queue.push({ report, since: Date.now() });
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    let backoff = this.options.minBackoffMs;
    while (this.queue.length > 0 && !this.stopped) {
      const head = this.queue[0];
      try {
        await this.send(head.report);
        this.queue.shift();
        backoff = this.options.minBackoffMs;
      } catch (error) {
        const retryable = error instanceof RunnelError && RETRYABLE.has(error.code);
        if (!retryable || Date.now() - head.since > this.options.deadlineMs) {
          this.logger.warn(`dropping a ${describe(head.report)}: ${(error as Error).message}`);
          this.queue.shift();
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
    }
    this.sending = false;
  }

  private send(report: Report): Promise<unknown> {
    if (report.kind === 'state') return this.jobMaster.updateTaskExecutionState(report.event);
    const e = report.event;
    if (e.type === 'final')
      return this.jobMaster.requestFinalCheckpoint({ jobId: e.jobId, executionAttemptId: e.executionAttemptId, ...(e.afterCheckpointId !== undefined ? { afterCheckpointId: e.afterCheckpointId } : {}) });
    return e.type === 'ack'
      ? this.jobMaster.acknowledgeCheckpoint({ jobId: e.jobId, executionAttemptId: e.executionAttemptId, checkpointId: e.checkpointId, handle: e.handle, size: e.size, checksum: e.checksum, ...(e.timings ? { timings: e.timings } : {}) })
      : this.jobMaster.declineCheckpoint({ jobId: e.jobId, executionAttemptId: e.executionAttemptId, checkpointId: e.checkpointId, reason: e.reason });
  }
}

function describe(report: Report): string {
  return report.kind === 'state'
    ? `${report.event.state} report of task ${report.event.executionAttemptId}`
    : report.event.type === 'final'
      ? `final checkpoint request of task ${report.event.executionAttemptId}`
      : `checkpoint ${report.event.checkpointId} ${report.event.type} of task ${report.event.executionAttemptId}`;
}
