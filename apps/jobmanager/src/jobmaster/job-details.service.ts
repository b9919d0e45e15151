/**
 * The JobManager's finer job views (see job-details.views.ts), checkpoint details, checkpoints
 * triggered through the REST API (Flink's asynchronous operation: a trigger id, then its status)
 * and the JobManager's own log files.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CheckpointId, JobId, NotFoundError, Reply, SavepointStatusReply } from '@runnel/protocol';
import { LOG_FILES, LogFiles } from '@runnel/service-kit';
import { randomUUID } from 'node:crypto';
import { JobManagerService } from './job-manager.service';
import { executionResult, jobConfig, subtaskDetails, subtaskTimes, vertexDetails, vertexOf, vertexTaskManagers } from './job-details.views';

type Operation = { status: 'IN_PROGRESS' } | { status: 'COMPLETED'; checkpointId: number } | { status: 'FAILED'; cause: string };
const MAX_OPERATIONS = 1000;

@Injectable()
export class JobDetailsService {
  private readonly triggers = new Map<string, Operation>();

  constructor(
    private readonly jobs: JobManagerService,
    @Inject(LOG_FILES) private readonly logs: LogFiles,
  ) {}

  vertex(jobId: JobId, vertexId: string) {
    return { view: vertexDetails(this.jobs.job(jobId), vertexId, Date.now()) };
  }

  subtask(jobId: JobId, vertexId: string, subtaskIndex: number, attempt?: number) {
    return { view: subtaskDetails(this.jobs.job(jobId), vertexId, subtaskIndex, attempt, Date.now()) };
  }

  subtaskTimes(jobId: JobId, vertexId: string) {
    return { view: subtaskTimes(this.jobs.job(jobId), vertexId, Date.now()) };
  }

  taskManagers(jobId: JobId, vertexId: string) {
    return { view: vertexTaskManagers(this.jobs.job(jobId), vertexId, Date.now()) };
  }

  executionResult(jobId: JobId) {
    return { view: executionResult(this.jobs.job(jobId)) };
  }

  config(jobId: JobId) {
    return { view: jobConfig(this.jobs.job(jobId)) };
  }

  checkpointDetails(jobId: JobId, checkpointId: CheckpointId) {
    const view = this.jobs.job(jobId).checkpoints.statsTracker.details(checkpointId);
    if (!view) throw new NotFoundError(`Checkpoint of job ${jobId}`, String(checkpointId));
    return { view };
  }

  checkpointSubtasks(jobId: JobId, checkpointId: number, vertexId: string) {
    const job = this.jobs.job(jobId);
    const tracker = job.checkpoints.statsTracker;
    if (!tracker.has(checkpointId)) throw new NotFoundError(`Checkpoint of job ${jobId}`, String(checkpointId));
    vertexOf(job, vertexId); // 404 naming the vertex when it is not one of the job's
    const view = tracker.subtaskDetails(checkpointId, vertexId);
    if (!view) throw new NotFoundError(`Vertex of checkpoint ${checkpointId}`, vertexId);
    return { view };
  }

  /** POST /jobs/:id/checkpoints: a checkpoint now, whatever the interval (also with checkpointing off). */
  triggerCheckpoint(jobId: JobId) {
    const job = this.jobs.job(jobId);
    const triggerId = randomUUID();
    const key = `${jobId}/${triggerId}`;
    this.triggers.set(key, { status: 'IN_PROGRESS' });
    for (const old of this.triggers.keys()) {
      if (this.triggers.size <= MAX_OPERATIONS) break;
      this.triggers.delete(old);
    }
    job.checkpoints.triggerNow().then(
      (record) => this.triggers.set(key, { status: 'COMPLETED', checkpointId: record.checkpointId }),
      (error: Error) => this.triggers.set(key, { status: 'FAILED', cause: error.message }),
    );
    return { 'request-id': triggerId };
  }

  /** Flink: GET /jobs/:id/checkpoints/:triggerid → {status, operation: {checkpointId} | {failure-cause}}. */
  checkpointTriggerStatus(jobId: JobId, triggerId: string): Reply<SavepointStatusReply> {
    this.jobs.job(jobId);
    const op = this.triggers.get(`${jobId}/${triggerId}`);
    if (!op) throw new NotFoundError('Checkpoint trigger', triggerId);
    if (op.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' } };
    return {
      status: { id: 'COMPLETED' },
      operation: op.status === 'COMPLETED' ? { checkpointId: op.checkpointId } : { 'failure-cause': { class: 'CheckpointException', 'stack-trace': op.cause } },
    };
  }

  listLogs() {
    return this.logs.list();
  }

  readLog(name: string, offset?: number, length?: number) {
    return this.logs.read(name, offset, length);
  }
}
