/**
 * One JobMaster per job (Flink's JobMaster): JobGraph → ExecutionGraph, slot requests to the
 * ResourceManager (waiting while too few are free, failing after a timeout with a clear message),
 * deployment of one TaskDeploymentDescriptor per subtask, the task state machine, checkpoints
 * (through its CheckpointCoordinator) and failover: when a task fails or its TaskManager is lost,
 * the restart strategy decides between failing the job with the root cause and a new attempt —
 * in-flight data discarded (the old attempt's records purged from the job's data stream, its
 * consumers deleted), fresh slots, state restored from the latest completed checkpoint. On every
 * end it frees the slots, tells the TaskManagers, deletes the job's data stream.
 */
import {
  CheckpointId,
  ExecutionStates,
  JobId,
  JobStatus,
  JobStatuses,
  MessageBody,
  ResourceId,
  SubmitJobRequest,
  TaskExecutionStateUpdate,
  TaskFailure,
  TERMINAL_EXECUTION_STATES,
  TERMINAL_JOB_STATUSES,
} from '@runnel/protocol';
import type { JobGraph } from '@runnel/dataflow';
import { CheckpointCoordinator, checkpointSettings } from '../checkpoints/checkpoint-coordinator';
import { Execution, ExecutionGraph } from './execution-graph';
import { JobMasterDeps, JobMasterSettings } from './job-master.deps';
import { RestartStrategy, RestartStrategyConfig, restartStrategyFor } from './restart-strategy';
import { whileResourceManagerFailsOver } from './resource-manager-failover.retry';
import { DeploymentContext, taskDeployment } from './task-deployment.factory';
import { acquireSlots } from './slot-acquisition';
import { failureIn, isRefusal, isUnreachable, JobEvent, JobException, jobException, keepException, MAX_CONCURRENT_EXCEPTIONS, toFailure } from './job-exceptions';

export { MAX_EXCEPTIONS, type JobEvent, type JobException } from './job-exceptions';

const MAX_EVENTS = 2000;
/** Former attempts kept for the subtask attempt views. */
const MAX_PRIOR_ATTEMPTS = 20;
/** Tries at storing a job's outcome before its resources are released anyway. */
const OUTCOME_ATTEMPTS = 5;
const OUTCOME_RETRY_MS = 500;

export class JobMaster {
  readonly events: JobEvent[] = [];
  status: JobStatus = JobStatuses.Initializing;
  readonly timestamps: Partial<Record<JobStatus, number>> = {};
  statusMessage?: string;
  readonly exceptions: JobException[] = [];
  graph: ExecutionGraph;
  /** The attempts before the current one, oldest first (the subtask attempt views; bounded). */
  readonly priorAttempts: ExecutionGraph[] = [];
  readonly jobGraph: JobGraph;
  readonly checkpoints: CheckpointCoordinator;
  readonly restartStrategy: RestartStrategy;
  restarts = 0;
  /** The job's data stream, while the current attempt uses it. */
  private dataStream?: string;
  /** An attempt created the job's data stream: the job's end deletes it (even when the last attempt never started). */
  private hasDataStream = false;
  private restarting = false;
  /** The checkpoint the running attempt restored: the one a CorruptCheckpointError of this attempt is about. */
  private restoredCheckpointId?: CheckpointId;
  private readonly stop = new AbortController();
  private ending?: Promise<void>;
  private monitor?: NodeJS.Timeout;
  private resolveEnd!: (status: JobStatus) => void;
  /** Resolves with the final status. */
  readonly terminated = new Promise<JobStatus>((resolve) => (this.resolveEnd = resolve));

  constructor(
    readonly submission: MessageBody<SubmitJobRequest>,
    private readonly deps: JobMasterDeps,
    private readonly settings: JobMasterSettings,
  ) {
    this.jobGraph = submission.jobGraph;
    this.setStatus(JobStatuses.Initializing);
    this.graph = this.newGraph(0);
    this.checkpoints = new CheckpointCoordinator(checkpointSettings(this.jobGraph), {
      jobId: submission.jobId,
      jobGraph: this.jobGraph,
      taskExecutor: deps.taskExecutor,
      repository: deps.checkpoints,
      store: deps.checkpointStore,
      clock: deps.clock,
      log: deps.log,
      onTooManyFailures: (reason) => void this.onFailure({ name: 'CheckpointException', message: reason }, undefined),
    });
    const restart = (this.jobGraph.config as { restartStrategy?: RestartStrategyConfig }).restartStrategy;
    this.restartStrategy = restartStrategyFor(restart, this.checkpoints.enabled);
  }

  get jobId(): JobId {
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
      await this.untilResourceManagerAnswers(() => this.deps.resourceManager.putJob({
        job: {
          jobId: this.jobId,
          name: this.name,
          status: JobStatuses.Created,
          artifactHash: this.submission.artifactHash,
          programArgs: this.submission.programArgs,
          parallelism: this.jobGraph.config.parallelism,
          jobGraph: this.submission.jobGraph,
          jobGraphHash: this.submission.jobGraphHash,
          ...(this.submission.target ? { target: this.submission.target } : {}),
          ...(this.submission.savepointPath ? { savepointPath: this.submission.savepointPath } : {}),
          ...(this.submission.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
        },
      }));
      await this.checkpoints.recover();
      this.monitor = setInterval(() => void this.checkTaskManagers(), this.settings.taskManagerCheckIntervalMs);
      this.monitor.unref();
    } catch (error) {
      if (!this.isTerminal() && !this.ending) await this.fail(toFailure(error), undefined);
      return;
    }
    await this.runNextAttempt();
  }

  /** One attempt: slots, a data stream, deployment (restoring the latest checkpoint), checkpointing. */
  private async runAttempt(): Promise<void> {
    const slots = await this.acquireSlots();
    if (!slots || this.stop.signal.aborted) return;
    this.hasDataStream = true; // set before: a create that fails half-way may still have made it
    this.dataStream = await this.deps.dataStreams.create(this.jobId, this.graph.attempt);
    // The job's checkpoint bucket, before any task may write to it: a TaskManager only opens it
    // (its NATS user may not create streams). Every attempt (idempotent): a JobManager that took
    // the job over creates it too, and it is back if it was deleted meanwhile.
    await this.deps.checkpointStore.createJobBucket(this.jobId);
    this.graph.assignSlots(slots, this.deps.clock());
    this.setStatus(JobStatuses.Running);
    await this.deps.resourceManager.updateJobStatus({ jobId: this.jobId, status: JobStatuses.Running });
    const restoring = this.checkpoints.latestCompleted();
    this.restoredCheckpointId = restoring?.checkpointId;
    if (restoring) this.checkpoints.noteRestored(restoring);
    this.checkpoints.start(this.graph);
    await this.deployAll();
  }

  /** A repeatable ResourceManager call, waiting out its failover (up to the slot request timeout). */
  private untilResourceManagerAnswers<T>(call: () => Promise<T>): Promise<T> {
    const { clock, sleep } = this.deps;
    return whileResourceManagerFailsOver(call, { timeoutMs: this.settings.slotRequestTimeoutMs, intervalMs: this.settings.slotRetryIntervalMs, clock, sleep, signal: this.stop.signal });
  }

  /** Waits for enough free slots; undefined when the job ended meanwhile (cancelled, or timed out). */
  private async acquireSlots() {
    const result = await acquireSlots({
      jobId: this.jobId,
      needed: ExecutionGraph.requiredSlots(this.jobGraph),
      ...(this.submission.target ? { target: this.submission.target } : {}),
      timeoutMs: this.settings.slotRequestTimeoutMs,
      retryIntervalMs: this.settings.slotRetryIntervalMs,
      clock: this.deps.clock,
      sleep: this.deps.sleep,
      signal: this.stop.signal,
      request: (body) => this.untilResourceManagerAnswers(() => this.deps.resourceManager.requestSlots(body)),
      onWaiting: (message) => (this.statusMessage = message),
    });
    if ('timedOut' in result) await this.fail(result.timedOut, undefined);
    return 'allocations' in result ? result.allocations : undefined;
  }

  private async deployAll(): Promise<void> {
    const graph = this.graph;
    const locations = graph.locations();
    const checkpointMode = this.checkpoints.enabled ? this.checkpoints.settings.mode : undefined;
    const context: DeploymentContext = {
      jobId: this.jobId,
      jobName: this.name,
      attempt: graph.attempt,
      submission: this.submission,
      jobGraph: this.jobGraph,
      dataStream: this.dataStream!,
      locations,
      slots: graph.slotLocations(),
      ...(checkpointMode ? { checkpointMode } : {}),
    };
    const unreachable = new Map<ResourceId, string>();
    await Promise.all(
      graph.executions().map(async (execution) => {
        if (this.stop.signal.aborted || graph !== this.graph) return;
        const slot = execution.slot!;
        graph.transition(execution, ExecutionStates.Deploying, this.deps.clock());
        const restore = this.checkpoints.restoreFor(execution.vertexId);
        try {
          await this.deps.taskExecutor(slot.resourceId).submitTask(taskDeployment(context, execution, restore));
        } catch (error) {
          if (isUnreachable(error)) {
            unreachable.set(slot.resourceId, error.message);
            return;
          }
          const failure = toFailure(error);
          failure.message = `Could not deploy ${this.taskName(execution)} to ${slot.resourceId}: ${failure.message}`;
          this.onTaskState({ jobId: this.jobId, executionAttemptId: execution.attemptId, state: ExecutionStates.Failed, failure });
        }
      }),
    );
    if (unreachable.size > 0 && graph === this.graph && !this.stop.signal.aborted) await this.redeploy(graph, unreachable);
  }

  /**
   * Some TaskManagers did not answer their deployments (their process is gone, say the registry
   * had not noticed yet): a resource problem, not a job failure. The ResourceManager is told (it
   * drops them at once), this attempt's slots go back, and the job asks for others — within the
   * slot request timeout, after which it fails with NoResourceAvailableException as usual. The
   * restart strategy is not consulted: no user code failed.
   */
  private async redeploy(graph: ExecutionGraph, unreachable: ReadonlyMap<ResourceId, string>): Promise<void> {
    if (this.restarting || this.isTerminal() || this.ending) return;
    this.restarting = true;
    const names = [...unreachable.keys()].join(', ');
    this.deps.log.warn(`job ${this.jobId}: TaskManager(s) ${names} did not answer the deployment; deploying on other slots`);
    this.statusMessage = `Redeploying: TaskManager(s) ${names} did not answer`;
    try {
      await Promise.allSettled(
        [...unreachable].map(([resourceId, reason]) =>
          this.deps.resourceManager.taskManagerUnreachable({ resourceId, reason: `a deployment of job ${this.jobId} failed: ${reason}` }),
        ),
      );
      this.checkpoints.stop();
      await this.releaseAttempt(false, { unreachable, restarting: true });
      if (this.stop.signal.aborted || graph !== this.graph) return;
      this.graph = this.newGraph(graph.attempt + 1);
    } finally {
      this.restarting = false;
    }
    await this.runNextAttempt();
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
    if (update.state === ExecutionStates.Failed) {
      execution.failure = update.failure;
      void this.onFailure(update.failure ?? { message: 'task failed without a cause' }, execution);
    } else if (update.state === ExecutionStates.Finished) {
      void this.checkpoints.onExecutionFinished(execution.attemptId);
      if (this.graph.allFinished() && this.status === JobStatuses.Running) void this.end(JobStatuses.Finished);
    }
  }

  /** Stop with --drain: sources end their input after the savepoint; the job then finishes. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.graph.taskManagers().map((rid) => this.deps.taskExecutor(rid).drainJob({ jobId: this.jobId })));
  }

  /** A JobManager that hands over (shutdown, lost leadership) stops coordinating; the next leader recovers the job. */
  suspend(): void {
    this.stop.abort();
    clearInterval(this.monitor);
    this.checkpoints.stop();
  }

  async cancel(): Promise<void> {
    if (this.isTerminal() || this.ending) return this.ending;
    this.setStatus(JobStatuses.Cancelling);
    return this.end(JobStatuses.Canceled);
  }

  /** A task failed (or its TaskManager is gone): restart per the strategy, or fail the job. */
  private async onFailure(failure: TaskFailure, execution: Execution | undefined): Promise<void> {
    if (this.isTerminal() || this.ending || this.restarting) {
      // The failover (or the end) of this attempt is under way: a concurrent failure, kept with
      // the root one rather than dropped, as Flink's exception history does.
      const root = this.exceptions[this.exceptions.length - 1];
      if (root && execution && !this.isTerminal()) {
        root.concurrent ??= [];
        if (root.concurrent.length < MAX_CONCURRENT_EXCEPTIONS) root.concurrent.push(this.exceptionOf(failure, execution));
      }
      return;
    }
    this.record(failure, execution);
    if (failure.name === 'CorruptCheckpointError') {
      // The failover starts here: other subtasks of this attempt that find the same checkpoint
      // corrupt while it is being discarded are concurrent failures of this one. Before, each
      // discarded the latest checkpoint left, so two of them threw away the good one as well.
      this.restarting = true;
      const corrupt = this.restoredCheckpointId;
      if (corrupt !== undefined) await this.checkpoints.discardCorrupt(corrupt);
      // Falling back to no checkpoint at all would replay the input from its start into sinks that
      // committed part of it already: output repeated or truncated. That fails loudly instead.
      if (corrupt !== undefined && !this.checkpoints.latestCompleted()) {
        return this.fail(
          {
            name: 'NoUsableCheckpointException',
            message: `checkpoint ${corrupt} is corrupt and no other completed checkpoint is left to restore; restarting without one would repeat or lose committed output. Resume from a savepoint, or raise the retained checkpoints (enableCheckpointing(…, { retained }))`,
          },
          execution,
        );
      }
      this.restarting = false;
    }
    const backoff = this.restartStrategy.onFailure(this.deps.clock());
    if (backoff === undefined) return this.fail(failure, execution, false);
    await this.restart(backoff);
  }

  /**
   * Runs the attempt a start, restart or redeploy prepared. A failure to start it (its data stream
   * not created, a ResourceManager call timing out: a NATS cluster still electing a stream leader
   * after losing a node) is a failure of the attempt like a task's, so the restart strategy decides,
   * as Flink's scheduler does with a failed deployment. It failed the job outright before.
   */
  private async runNextAttempt(): Promise<void> {
    try {
      await this.runAttempt();
    } catch (error) {
      if (this.isTerminal() || this.ending || this.stop.signal.aborted) return;
      // A refusal (a per-job target on a provider that starts no TaskManagers, a bad request) is
      // the same on every attempt: restarting would loop, so it fails the job as before.
      if (isRefusal(error)) return this.fail(toFailure(error), undefined);
      await this.onFailure(failureIn(`Could not start attempt ${this.graph.attempt}`, error), undefined);
    }
  }

  private async restart(backoffMs: number): Promise<void> {
    this.restarting = true;
    this.restarts++;
    this.setStatus(JobStatuses.Restarting);
    this.deps.log.warn(`job ${this.jobId} restarts in ${backoffMs} ms (restart ${this.restarts}, ${this.restartStrategy.config.type})`);
    try {
      this.checkpoints.stop();
      // As Flink's scheduler does: the backoff runs while the attempt's tasks are cancelled and its
      // slots freed, and the next attempt starts once both are over. Waiting for the clean-up
      // first added its time (a TaskManager cancelling its tasks) to every recovery.
      const backoff = this.deps.sleep(backoffMs, this.stop.signal).catch(() => undefined);
      await Promise.all([
        this.deps.resourceManager.updateJobStatus({ jobId: this.jobId, status: JobStatuses.Restarting }).catch(() => undefined),
        this.releaseAttempt(false, { restarting: true }),
      ]);
      await backoff;
      if (this.stop.signal.aborted) return;
      this.graph = this.newGraph(this.graph.attempt + 1);
    } finally {
      this.restarting = false;
    }
    await this.runNextAttempt();
  }

  /**
   * Cancels the attempt's tasks and frees its slots. A restart releases the attempt's part of the
   * job's data stream (its consumers deleted, its records purged) and keeps the stream; the job's
   * end deletes the stream. A restart does not wait for the release: the next attempt reads only
   * its own subjects with consumers of its own, and on a NATS cluster that just lost the stream's
   * leader the release may hang until its requests time out (5 s, seen at every restart in the
   * nats-cluster e2e), while the job stands still. A release or delete that fails is the
   * DataStreamSweeper's to finish.
   */
  private async releaseAttempt(finished: boolean, options: { readonly unreachable?: ReadonlyMap<string, string>; readonly restarting?: boolean } = {}): Promise<void> {
    const graph = this.graph;
    const { unreachable } = options;
    await Promise.allSettled(graph.taskManagers().filter((rid) => !unreachable?.has(rid)).map((rid) => this.deps.taskExecutor(rid).releaseJob({ jobId: this.jobId }, { timeoutMs: 15_000 })));
    if (!finished) for (const execution of graph.executions()) graph.transition(execution, ExecutionStates.Canceled, this.deps.clock());
    const warn = (error: unknown) => this.deps.log.warn(`job ${this.jobId} clean-up: ${(error as Error)?.message}`);
    const cleanups: Promise<unknown>[] = [this.deps.resourceManager.releaseSlots({ jobId: this.jobId })];
    if (options.restarting) {
      if (this.dataStream) this.deps.dataStreams.releaseAttempt(this.jobId, graph.attempt).catch(warn);
    } else if (this.hasDataStream) {
      cleanups.push(this.deps.dataStreams.delete(this.jobId));
    }
    this.dataStream = undefined;
    for (const result of await Promise.allSettled(cleanups)) {
      if (result.status === 'rejected') warn(result.reason);
    }
  }

  /** Runs on one of these TaskManagers (the ResourceManager reported them lost). */
  usesAnyOf(resourceIds: ReadonlySet<string>): boolean {
    return this.graph.taskManagers().some((rid) => resourceIds.has(rid));
  }

  /**
   * Fails executions whose TaskManager left the cluster (lost heartbeats, or its process is gone).
   * Polled every taskManagerCheckIntervalMs, and called at once when the ResourceManager reports a
   * TaskManager lost (waiting for the poll added up to a second to every recovery); the poll stays
   * because a report can be lost (no JobManager leading at that moment).
   */
  async checkTaskManagers(): Promise<void> {
    if (this.status !== JobStatuses.Running || this.restarting || this.ending) return;
    const used = this.graph.taskManagers();
    if (used.length === 0) return;
    let registered: Set<ResourceId>;
    try {
      registered = new Set((await this.deps.resourceManager.listTaskManagers({ includeUnconfirmed: true })).taskManagers.map((t) => t.id));
    } catch {
      return; // the ResourceManager is unreachable: that says nothing about the TaskManagers
    }
    const lost = used.find((rid) => !registered.has(rid));
    if (!lost || this.status !== JobStatuses.Running) return;
    const victim = this.graph.executions().find((e) => e.slot?.resourceId === lost && !TERMINAL_EXECUTION_STATES.includes(e.state));
    if (!victim) return;
    this.onTaskState({
      jobId: this.jobId,
      executionAttemptId: victim.attemptId,
      state: ExecutionStates.Failed,
      failure: { name: 'TaskManagerLostException', message: `TaskManager ${lost} is lost (it stopped sending heartbeats or disconnected)` },
    });
  }

  private record(failure: TaskFailure, execution: Execution | undefined): void {
    keepException(this.exceptions, this.exceptionOf(failure, execution));
  }

  private exceptionOf(failure: TaskFailure, execution: Execution | undefined): JobException {
    return jobException(failure, execution && { task: this.taskName(execution), slot: execution.slot }, this.deps.clock());
  }

  private async fail(failure: TaskFailure, execution: Execution | undefined, record = true): Promise<void> {
    if (execution) execution.failure = failure;
    if (record) this.record(failure, execution);
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
    clearInterval(this.monitor);
    this.checkpoints.stop();
    // The outcome is stored before anything is released (Flink's JobResultStore): a JobManager
    // that fails over in between finds the job over and does not run it again — its sinks have
    // committed, a second run would repeat their output. What is left (tasks, slots) is released
    // by the TaskManagers' heartbeats, which learn that the job has ended.
    await this.recordOutcome(final);
    await this.releaseAttempt(final === JobStatuses.Finished);
    // Flink's externalized checkpoints: a cancelled job's checkpoints go unless it asked to keep them.
    // In the background: deleting state (an Object Store listing) must not hold up the cancel's reply.
    void this.checkpoints.releaseEnded(final === JobStatuses.Canceled);
    this.setStatus(final);
    this.deps.log.log(`job ${this.jobId} (${this.name}) ${final}`);
    this.resolveEnd(final);
  }

  private async recordOutcome(final: JobStatus): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.resourceManager.updateJobStatus({ jobId: this.jobId, status: final });
        return;
      } catch (error) {
        if (attempt >= OUTCOME_ATTEMPTS) {
          this.deps.log.warn(`job ${this.jobId}: could not record status ${final}: ${(error as Error).message}`);
          return;
        }
        await this.deps.sleep(OUTCOME_RETRY_MS, new AbortController().signal);
      }
    }
  }

  private setStatus(status: JobStatus): void {
    const from = this.status === status && this.events.length === 0 ? null : this.status;
    this.status = status;
    this.timestamps[status] = this.deps.clock();
    this.recordEvent({ timestamp: this.timestamps[status]!, attempt: this.graph?.attempt ?? 0, subject: 'job', from, to: status });
  }

  private newGraph(attempt: number): ExecutionGraph {
    if (this.graph) this.priorAttempts.push(this.graph);
    if (this.priorAttempts.length > MAX_PRIOR_ATTEMPTS) this.priorAttempts.splice(0, this.priorAttempts.length - MAX_PRIOR_ATTEMPTS);
    return new ExecutionGraph(this.jobGraph, attempt, this.deps.clock(), (execution, from, to, at) =>
      this.recordEvent({ timestamp: at, attempt, subject: this.taskName(execution), from, to }));
  }

  private recordEvent(event: JobEvent): void {
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  taskName(execution: Execution): string {
    const vertex = this.jobGraph.vertices.find((v) => v.id === execution.vertexId);
    return `${vertex?.name ?? execution.vertexId} (${execution.subtaskIndex + 1}/${vertex?.parallelism ?? '?'})`;
  }
}
