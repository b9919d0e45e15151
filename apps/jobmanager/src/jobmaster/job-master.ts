/**
 * One JobMaster per job (Flink's JobMaster): JobGraph → ExecutionGraph, slot requests to the
 * ResourceManager (waiting while too few are free, failing after a timeout with a clear message),
 * deployment of one TaskDeploymentDescriptor per subtask, the task state machine, and the job's
 * end: finished when every task finished, failed with the root cause of the first failing task,
 * or cancelled. On every end it frees the slots, tells the TaskManagers, deletes the data stream.
 */
import {
  ExecutionStates,
  JobStatus,
  JobStatuses,
  MessageBody,
  NotEnoughSlotsError,
  RunnelError,
  SubmitJobRequest,
  TaskExecutionStateUpdate,
  TaskFailure,
  TERMINAL_EXECUTION_STATES,
  TERMINAL_JOB_STATUSES,
} from '@runnel/protocol';
import type { JobGraph } from '@runnel/dataflow';
import { Execution, ExecutionGraph } from './execution-graph';
import { JobMasterDeps, JobMasterSettings } from './job-master.deps';

export interface JobException {
  readonly exception: string;
  readonly task?: string;
  readonly location?: string;
  readonly timestamp: number;
}

export class JobMaster {
  status: JobStatus = JobStatuses.Initializing;
  readonly timestamps: Partial<Record<JobStatus, number>> = {};
  statusMessage?: string;
  readonly exceptions: JobException[] = [];
  readonly graph: ExecutionGraph;
  readonly jobGraph: JobGraph;
  private dataStream?: string;
  private readonly stop = new AbortController();
  private ending?: Promise<void>;
  private resolveEnd!: (status: JobStatus) => void;
  /** Resolves with the final status. */
  readonly terminated = new Promise<JobStatus>((resolve) => (this.resolveEnd = resolve));

  constructor(
    readonly submission: MessageBody<SubmitJobRequest>,
    private readonly deps: JobMasterDeps,
    private readonly settings: JobMasterSettings,
  ) {
    this.jobGraph = submission.jobGraph as unknown as JobGraph;
    this.setStatus(JobStatuses.Initializing);
    this.graph = new ExecutionGraph(this.jobGraph, 0, deps.clock());
  }

  get jobId(): string {
    return this.submission.jobId;
  }

  get name(): string {
    return this.submission.jobName;
  }

  isTerminal(): boolean {
    return TERMINAL_JOB_STATUSES.includes(this.status);
  }

  /** Schedules the job; returns once it runs, fails or is cancelled (callers need not await it). */
  async start(): Promise<void> {
    try {
      this.setStatus(JobStatuses.Created);
      await this.deps.resourceManager.putJob({
        job: {
          jobId: this.jobId,
          name: this.name,
          status: JobStatuses.Created,
          artifactHash: this.submission.artifactHash,
          programArgs: this.submission.programArgs,
          parallelism: this.jobGraph.config.parallelism,
          jobGraph: this.submission.jobGraph,
        },
      });
      const slots = await this.acquireSlots();
      if (!slots) return;
      this.dataStream = await this.deps.dataStreams.create(this.jobId, this.graph.attempt);
      this.graph.assignSlots(slots, this.deps.clock());
      this.setStatus(JobStatuses.Running);
      await this.deps.resourceManager.updateJobStatus({ jobId: this.jobId, status: JobStatuses.Running });
      await this.deployAll();
    } catch (error) {
      if (!this.isTerminal() && !this.ending) await this.fail(toFailure(error), undefined);
    }
  }

  /** Waits for enough free slots; undefined when the job ended meanwhile (cancelled, or timed out). */
  private async acquireSlots() {
    const needed = ExecutionGraph.requiredSlots(this.jobGraph);
    const deadline = this.deps.clock() + this.settings.slotRequestTimeoutMs;
    for (;;) {
      if (this.stop.signal.aborted) return undefined;
      try {
        const { allocations } = await this.deps.resourceManager.requestSlots({ jobId: this.jobId, count: needed });
        this.statusMessage = undefined;
        return allocations;
      } catch (error) {
        if (!(error instanceof RunnelError && error.code === 'NOT_ENOUGH_SLOTS')) throw error;
        const available = (error as NotEnoughSlotsError).available ?? (error.details as { available?: number })?.available ?? 0;
        this.statusMessage = `Waiting for slots: the job needs ${needed}, ${available} are free`;
        if (this.deps.clock() >= deadline) {
          await this.fail(
            {
              name: 'NoResourceAvailableException',
              message: `Could not acquire the minimum required resources: the job needs ${needed} slots, ${available} were free after waiting ${this.settings.slotRequestTimeoutMs} ms. Start more TaskManagers (or more slots per TaskManager), or lower the parallelism.`,
            },
            undefined,
          );
          return undefined;
        }
        await this.deps.sleep(this.settings.slotRetryIntervalMs, this.stop.signal).catch(() => undefined);
      }
    }
  }

  private async deployAll(): Promise<void> {
    const locations = this.graph.locations();
    await Promise.all(
      this.graph.executions().map(async (execution) => {
        if (this.stop.signal.aborted) return;
        const slot = execution.slot!;
        this.graph.transition(execution, ExecutionStates.Deploying, this.deps.clock());
        try {
          await this.deps.taskExecutor(slot.resourceId).submitTask({
            jobId: this.jobId,
            jobName: this.name,
            attempt: this.graph.attempt,
            executionAttemptId: execution.attemptId,
            allocationId: slot.allocationId,
            slotIndex: slot.slotIndex,
            vertexId: execution.vertexId,
            subtaskIndex: execution.subtaskIndex,
            artifactHash: this.submission.artifactHash,
            programArgs: this.submission.programArgs,
            ...(this.submission.parallelism ? { parallelism: this.submission.parallelism } : {}),
            jobGraphHash: this.submission.jobGraphHash,
            dataStream: this.dataStream!,
            locations,
            edges: this.jobGraph.edges
              .map((e, index) => ({ index, source: e.source, target: e.target, forward: e.partitioner === 'forward' }))
              .filter((e) => e.source === execution.vertexId || e.target === execution.vertexId),
          });
        } catch (error) {
          const failure = toFailure(error);
          failure.message = `Could not deploy ${this.taskName(execution)} to ${slot.resourceId}: ${failure.message}`;
          this.onTaskState({ jobId: this.jobId, executionAttemptId: execution.attemptId, state: ExecutionStates.Failed, failure });
        }
      }),
    );
  }

  /** A TaskManager reports a task's state (and its metrics). */
  onTaskState(update: MessageBody<TaskExecutionStateUpdate>): void {
    const execution = this.graph.get(update.executionAttemptId);
    if (!execution) return;
    const wasTerminal = TERMINAL_EXECUTION_STATES.includes(execution.state);
    const changed = this.graph.transition(execution, update.state, this.deps.clock());
    // A periodic report that arrives after the final one must not roll the counters back.
    if (update.metrics && (changed || !wasTerminal)) execution.metrics = update.metrics;
    if (!changed) return;
    if (update.state === ExecutionStates.Failed && !this.isTerminal() && !this.ending) {
      void this.fail(update.failure ?? { message: 'task failed without a cause' }, execution);
    } else if (update.state === ExecutionStates.Finished && this.graph.allFinished() && this.status === JobStatuses.Running) {
      void this.end(JobStatuses.Finished);
    }
  }

  async cancel(): Promise<void> {
    if (this.isTerminal() || this.ending) return this.ending;
    this.setStatus(JobStatuses.Cancelling);
    return this.end(JobStatuses.Canceled);
  }

  private async fail(failure: TaskFailure, execution: Execution | undefined): Promise<void> {
    if (execution) execution.failure = failure;
    const now = this.deps.clock();
    this.exceptions.push({
      exception: failure.stack ?? `${failure.name ?? 'Error'}: ${failure.message}`,
      ...(execution ? { task: this.taskName(execution), location: execution.slot?.resourceId } : {}),
      timestamp: now,
    });
    this.deps.log.warn(`job ${this.jobId} failed: ${failure.message}`);
    this.setStatus(JobStatuses.Failing);
    return this.end(JobStatuses.Failed);
  }

  private end(final: JobStatus): Promise<void> {
    this.ending ??= this.cleanUp(final);
    return this.ending;
  }

  private async cleanUp(final: JobStatus): Promise<void> {
    this.stop.abort();
    const now = () => this.deps.clock();
    // TaskManagers cancel what still runs and free the job's slots; their answer means it is done.
    await Promise.allSettled(this.graph.taskManagers().map((rid) => this.deps.taskExecutor(rid).releaseJob({ jobId: this.jobId }, { timeoutMs: 15_000 })));
    for (const execution of this.graph.executions()) {
      if (final === JobStatuses.Finished) continue;
      this.graph.transition(execution, ExecutionStates.Canceled, now());
    }
    const cleanups: Promise<unknown>[] = [this.deps.resourceManager.releaseSlots({ jobId: this.jobId })];
    if (this.dataStream) cleanups.push(this.deps.dataStreams.delete(this.jobId, this.graph.attempt));
    for (const result of await Promise.allSettled(cleanups)) {
      if (result.status === 'rejected') this.deps.log.warn(`job ${this.jobId} clean-up: ${(result.reason as Error)?.message}`);
    }
    this.setStatus(final);
    try {
      await this.deps.resourceManager.updateJobStatus({ jobId: this.jobId, status: final });
    } catch (error) {
      this.deps.log.warn(`job ${this.jobId}: could not record status ${final}: ${(error as Error).message}`);
    }
    this.deps.log.log(`job ${this.jobId} (${this.name}) ${final}`);
    this.resolveEnd(final);
  }

  private setStatus(status: JobStatus): void {
    this.status = status;
    this.timestamps[status] = this.deps.clock();
  }

  taskName(execution: Execution): string {
    const vertex = this.jobGraph.vertices.find((v) => v.id === execution.vertexId);
    return `${vertex?.name ?? execution.vertexId} (${execution.subtaskIndex + 1}/${vertex?.parallelism ?? '?'})`;
  }
}

function toFailure(error: unknown): TaskFailure {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: String(error) };
}
