/**
 * The TaskManager's task side (Flink's TaskExecutor): accepts task deployments into the slots of
 * their allocations, runs each slot's subtasks in that slot's worker thread, forwards task states to
 * the JobManager, and cancels and frees everything of a job when the JobManager releases it.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AllocationId, CheckpointId, ExecutionAttemptId, JobId, JobMasterGateway, NotFoundError, ProfileRequest, ResourceId } from '@runnel/protocol';
import { profileWorkers } from './slot-profiles.service';
import { ArtifactStore } from '@runnel/protocol';
import { JobMasterReporter } from './job-master.reporter';
import { LocalChannelRegistry } from './local-channels';
import { SlotWorker } from './slot-worker.host';
import { CheckpointEvent, Deployment, TaskStateEvent } from './task-runner';
import type { TaskMetrics } from '@runnel/protocol';
import { TaskSlotTable } from '../slots/task-slot-table';
import { TASK_MANAGER_ID } from '../registration/resource-manager-connection.service';

export const JOB_MASTER_GATEWAY = Symbol('JOB_MASTER_GATEWAY');
export const SLOT_WORKER_FACTORY = Symbol('SLOT_WORKER_FACTORY');
export const ARTIFACT_DIRECTORY = Symbol('ARTIFACT_DIRECTORY');

/** A task deployed here and not ended, with its last reported metrics (for this TaskManager's /metrics). */
export interface LiveTask {
  readonly deployment: Deployment;
  metrics?: TaskMetrics;
}

const ENDED_STATES = new Set(['FINISHED', 'FAILED', 'CANCELED']);

export type SlotWorkerFactory = (
  slotIndex: number,
  allocationId: AllocationId,
  jobId: JobId,
  onState: (event: TaskStateEvent) => void,
  onCheckpoint: (event: CheckpointEvent) => void,
) => SlotWorker;

@Injectable()
export class TaskExecutorService implements OnApplicationShutdown {
  private readonly logger = new Logger('TaskExecutor');
  private readonly workers = new Map<AllocationId, SlotWorker>();
  private readonly attempts = new Map<ExecutionAttemptId, AllocationId>();
  private readonly live = new Map<ExecutionAttemptId, LiveTask>();
  private readonly localChannels: LocalChannelRegistry;
  private readonly reports: JobMasterReporter;

  constructor(
    private readonly slots: TaskSlotTable,
    private readonly artifacts: ArtifactStore,
    @Inject(ARTIFACT_DIRECTORY) private readonly artifactDirectory: string,
    @Inject(JOB_MASTER_GATEWAY) private readonly jobMaster: JobMasterGateway,
    @Inject(SLOT_WORKER_FACTORY) private readonly newWorker: SlotWorkerFactory,
    @Inject(TASK_MANAGER_ID) resourceId: ResourceId,
  ) {
    this.localChannels = new LocalChannelRegistry(resourceId);
    this.reports = new JobMasterReporter(jobMaster);
  }

  async submitTask(deployment: Deployment): Promise<void> {
    this.slots.allocate(deployment.slotIndex, deployment.allocationId, deployment.jobId);
    // The slot's worker is found or made before any await: the subtasks of one slot arrive together.
    let worker = this.workers.get(deployment.allocationId);
    // A worker that user code ended (or that was ended for it) is replaced: the slot is usable again.
    if (worker?.failed) this.logger.warn(`slot ${deployment.slotIndex}: its worker had failed; starting a new one`);
    if (!worker || worker.failed) {
      worker = this.newWorker(deployment.slotIndex, deployment.allocationId, deployment.jobId, (event) => this.forward(event), (event) => this.forwardCheckpoint(event));
      this.workers.set(deployment.allocationId, worker);
    }
    this.attempts.set(deployment.executionAttemptId, deployment.allocationId);
    this.live.set(deployment.executionAttemptId, { deployment });
    const ports = this.localChannels.portsFor(deployment);
    const artifactPath = await this.artifacts.toFile(deployment.artifactHash, this.artifactDirectory);
    worker.deploy(deployment, artifactPath, ports);
    this.logger.log(`deployed ${deployment.vertexId} (${deployment.subtaskIndex + 1}) of job ${deployment.jobId} into slot ${deployment.slotIndex}`);
  }

  triggerCheckpoint(executionAttemptId: ExecutionAttemptId, checkpointId: CheckpointId): void {
    const allocationId = this.attempts.get(executionAttemptId);
    const worker = allocationId ? this.workers.get(allocationId) : undefined;
    if (!worker) throw new NotFoundError('Task', executionAttemptId);
    worker.triggerCheckpoint(executionAttemptId, checkpointId);
  }

  notifyCheckpointComplete(jobId: JobId, checkpointId: CheckpointId): void {
    for (const worker of this.workers.values()) if (worker.jobId === jobId) worker.notifyCheckpointComplete(jobId, checkpointId);
  }

  drainJob(jobId: JobId): void {
    for (const worker of this.workers.values()) if (worker.jobId === jobId) worker.drain(jobId);
  }

  /** A CPU profile of the slot workers (all, or those of a job / vertex / subtask). */
  profile(request: Omit<ProfileRequest, 'protocolVersion'>): Promise<Record<string, unknown>> {
    return profileWorkers([...this.workers.values()], request);
  }

  private forwardCheckpoint(event: CheckpointEvent): void {
    this.reports.checkpoint(event);
  }

  async cancelTask(executionAttemptId: ExecutionAttemptId): Promise<void> {
    const allocationId = this.attempts.get(executionAttemptId);
    if (allocationId) await this.workers.get(allocationId)?.cancel(executionAttemptId);
  }

  /** Cancels the job's tasks here, ends their worker threads and frees their slots. */
  async releaseJob(jobId: JobId): Promise<void> {
    const workers = [...this.workers.values()].filter((w) => w.jobId === jobId);
    await Promise.all(workers.map((w) => w.close()));
    for (const w of workers) this.workers.delete(w.allocationId);
    for (const [attempt, allocation] of this.attempts) if (workers.some((w) => w.allocationId === allocation)) this.attempts.delete(attempt);
    for (const [attempt, task] of this.live) if (task.deployment.jobId === jobId) this.live.delete(attempt);
    this.localChannels.releaseJob(jobId);
    const freed = this.slots.freeJob(jobId);
    if (freed.length) this.logger.log(`released job ${jobId}: slots ${freed.join(', ')} are free`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    this.workers.clear();
    this.reports.stop();
  }

  /** The tasks deployed here that have not ended, with their last metrics. */
  liveTasks(): Iterable<LiveTask> {
    return this.live.values();
  }

  private forward(event: TaskStateEvent): void {
    const task = this.live.get(event.executionAttemptId);
    if (task && ENDED_STATES.has(event.state)) this.live.delete(event.executionAttemptId);
    else if (task && event.metrics) task.metrics = event.metrics;
    if (event.state === 'FAILED') this.logger.warn(`task ${event.executionAttemptId} of job ${event.jobId} failed: ${event.failure?.stack ?? event.failure?.message}`);
    this.reports.state(event);
  }
}
