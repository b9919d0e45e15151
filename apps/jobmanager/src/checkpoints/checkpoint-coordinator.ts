/**
 * The CheckpointCoordinator of one job (Flink's): triggers checkpoints at the source tasks every
 * interval, collects every task's acknowledgement (its state handle, size and checksum), completes
 * the checkpoint when all acknowledged — persisting its metadata, telling the tasks so sinks
 * commit, dropping subsumed checkpoints — and counts expired or declined ones, failing the job
 * only past the tolerable number. It also hands out what a restarted task restores.
 */
import { CheckpointNames, ErrorCodes, RestoreSpec, RunnelError, SubtaskCheckpointTimings, TaskExecutorGateway } from '@runnel/protocol';
import { CheckpointStatsTracker } from './checkpoint-stats.tracker';
import type { JobGraph } from '@runnel/dataflow';
import { ExecutionGraph } from '../jobmaster/execution-graph';
import { CheckpointRecord, CheckpointRepository } from './checkpoint.repository';
import { StoredHandle } from './checkpoint.entity';
import { carryFinalStates } from './final-states';

export interface CheckpointSettings {
  readonly intervalMs: number;
  readonly mode: 'exactly-once' | 'at-least-once';
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly maxConcurrent: number;
  readonly tolerableFailures: number;
  readonly retained: number;
  /** RETAIN_ON_CANCELLATION: a cancelled job's retained checkpoints stay (Flink's externalized checkpoints). */
  readonly retainOnCancel: boolean;
}

export interface CheckpointCoordinatorDeps {
  readonly jobId: string;
  readonly taskExecutor: (resourceId: string) => TaskExecutorGateway;
  readonly repository: CheckpointRepository;
  readonly store: { deleteCheckpoint(jobId: string, checkpointId: number): Promise<void> };
  readonly clock: () => number;
  readonly log: { log(message: string): void; warn(message: string): void };
  /** More checkpoints failed in a row than tolerated. */
  readonly onTooManyFailures: (reason: string) => void;
  readonly jobGraph: JobGraph;
}

interface PendingCheckpoint {
  readonly id: number;
  readonly savepoint: boolean;
  readonly settle: { resolve(record: CheckpointRecord): void; reject(error: Error): void };
  readonly attempt: number;
  readonly triggeredAt: number;
  readonly expected: Set<string>;
  readonly handles: StoredHandle[];
  lastAckAt: number;
  readonly timer: NodeJS.Timeout;
}

interface HistoryEntry {
  id: number;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  trigger_timestamp: number;
  latest_ack_timestamp: number;
  state_size: number;
  end_to_end_duration: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
  is_savepoint: boolean;
  failure_message?: string;
}

/** The job's checkpoint settings; interval 0 when checkpointing is off (savepoints still work). */
export function checkpointSettings(jobGraph: JobGraph): CheckpointSettings {
  const c = jobGraph.config.checkpointing as (JobGraph['config']['checkpointing'] & { tolerableFailures?: number; retained?: number }) | undefined;
  if (!c || !(c.intervalMs > 0)) {
    return { intervalMs: 0, mode: 'exactly-once', timeoutMs: 600_000, minPauseMs: 0, maxConcurrent: 1, tolerableFailures: 3, retained: 1, retainOnCancel: false };
  }
  return {
    intervalMs: c.intervalMs,
    mode: c.mode ?? 'exactly-once',
    timeoutMs: c.timeoutMs ?? 600_000,
    minPauseMs: c.minPauseBetweenMs ?? 0,
    maxConcurrent: c.maxConcurrent ?? 1,
    tolerableFailures: c.tolerableFailures ?? 3,
    retained: c.retained ?? 2,
    retainOnCancel: c.externalizedCheckpointCleanup === 'RETAIN_ON_CANCELLATION',
  };
}

/** Checkpoints kept in the history view (Flink's web.checkpoints.history, default 10; more here). */
const HISTORY_SIZE = 50;

export class CheckpointCoordinator {
  private nextId = 1;
  private graph?: ExecutionGraph;
  private timer?: NodeJS.Timeout;
  private readonly pending = new Map<number, PendingCheckpoint>();
  private readonly completedCheckpoints: CheckpointRecord[] = [];
  /** The most recent checkpoints (HISTORY_SIZE), for the history view; the counts are kept apart. */
  private readonly history: HistoryEntry[] = [];
  private triggeredCount = 0;
  private completedCount = 0;
  private consecutiveFailures = 0;
  private lastCompletedAt = 0;
  private failed = 0;
  private restored?: { id: number; restore_timestamp: number; is_savepoint: boolean; external_path: string | null };
  private restoredCount = 0;
  /** Per-subtask statistics of the checkpoints in the history (the details views). */
  readonly statsTracker = new CheckpointStatsTracker(HISTORY_SIZE);
  /** Subsumed checkpoints whose state is deleted once no retained checkpoint refers to it. */
  private readonly unreferenced = new Set<number>();
  /**
   * Tasks whose input ended and that wait for a checkpoint to end with (see final-checkpoint.ts).
   * They are not left to the interval, which may be long (an hour): a bounded job would not finish.
   */
  private readonly awaitingFinal = new Map<string, number>();
  /** A task asked while a checkpoint was in progress: one more is triggered when it settles. */
  private finalAfterPending = false;
  /** The newest checkpoint of this job attempt that completed (0: none yet). */
  private lastCompletedId = 0;
  private finalTimer?: NodeJS.Timeout;

  constructor(
    readonly settings: CheckpointSettings,
    private readonly deps: CheckpointCoordinatorDeps,
  ) {}

  /** Completed checkpoints from before a JobManager restart. */
  async recover(): Promise<void> {
    const rows = await this.deps.repository.completed(this.deps.jobId);
    // Newest first, beside a savepoint the job was started from (seeded before): the job's own
    // checkpoints come after that savepoint, so they are restored in its place.
    this.completedCheckpoints.push(...rows);
    this.completedCheckpoints.sort((a, b) => (b.completedTimestamp ?? 0) - (a.completedTimestamp ?? 0) || b.checkpointId - a.checkpointId);
    for (const row of rows) this.nextId = Math.max(this.nextId, row.checkpointId + 1);
  }

  get enabled(): boolean {
    return this.settings.intervalMs > 0;
  }

  /** Starts triggering for a (new) execution graph. */
  start(graph: ExecutionGraph): void {
    this.stop();
    this.graph = graph;
    this.awaitingFinal.clear();
    this.lastCompletedId = 0;
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.trigger().catch(() => undefined), this.settings.intervalMs);
    this.timer.unref();
  }

  /** The job starts from a savepoint: it is what the first attempt restores. */
  seedFromSavepoint(record: CheckpointRecord): void {
    this.completedCheckpoints.unshift(record);
    this.nextId = Math.max(this.nextId, record.checkpointId + 1);
  }

  /** Takes a savepoint now: a checkpoint that is kept until deleted. */
  triggerSavepoint(): Promise<CheckpointRecord> {
    return new Promise<CheckpointRecord>((resolve, reject) => {
      this.trigger({ resolve, reject }, true).then((id) => {
        if (id === undefined) reject(new Error('the job is not running with all its tasks, so no savepoint can be taken now'));
      }, reject);
    });
  }

  /** Takes a checkpoint now (POST /jobs/:id/checkpoints), past the interval, pause and concurrency limits. */
  triggerNow(): Promise<CheckpointRecord> {
    return new Promise<CheckpointRecord>((resolve, reject) => {
      this.trigger({ resolve, reject }, false, true).then((id) => {
        if (id === undefined) reject(new Error('the job is not running with all its tasks, so no checkpoint can be taken now'));
      }, reject);
    });
  }

  /** Stops triggering and drops checkpoints in progress (a restart, cancel or the job's end). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.finalTimer);
    this.finalTimer = undefined;
    this.finalAfterPending = false;
    for (const p of this.pending.values()) this.fail(p, 'the job attempt ended before the checkpoint completed', false);
  }

  latestCompleted(): CheckpointRecord | undefined {
    return this.completedCheckpoints[0];
  }

  /**
   * What the subtasks of a vertex restore from the latest completed checkpoint: the state of every
   * old vertex holding one of its operators (matched by uid, so a changed job still finds it).
   */
  restoreFor(vertexId: string): RestoreSpec | undefined {
    const latest = this.latestCompleted();
    const vertex = this.deps.jobGraph.vertices.find((v) => v.id === vertexId);
    if (!latest || !vertex) return undefined;
    const uids = new Set(vertex.operators.map((o) => o.uid));
    const oldVertices = Object.entries(latest.operators)
      .filter(([, ops]) => ops.some((uid) => uids.has(uid)))
      .map(([id]) => id);
    const sources = oldVertices.length ? oldVertices : latest.operators[vertexId] ? [vertexId] : Object.keys(latest.operators).length ? [] : [vertexId];
    const handles = latest.handles
      .filter((h) => sources.includes(h.vertexId))
      .map(({ vertexId: v, subtaskIndex, handle, checksum }) => ({ vertexId: v, subtaskIndex, handle, checksum }));
    if (handles.length === 0) return undefined;
    return { checkpointId: latest.checkpointId, parallelism: latest.parallelism[sources[0]] ?? handles.length, handles };
  }

  noteRestored(record: CheckpointRecord): void {
    this.restoredCount++;
    this.restored = { id: record.checkpointId, restore_timestamp: this.deps.clock(), is_savepoint: record.isSavepoint, external_path: record.externalPath };
  }

  /** A task could not use a checkpoint (missing or corrupted state): fall back to the one before. */
  async discardCorrupt(checkpointId: number): Promise<void> {
    const i = this.completedCheckpoints.findIndex((c) => c.checkpointId === checkpointId);
    if (i < 0) return;
    this.completedCheckpoints.splice(i, 1);
    this.deps.log.warn(`checkpoint ${checkpointId} of job ${this.deps.jobId} is corrupt; falling back to ${this.latestCompleted()?.checkpointId ?? 'no checkpoint'}`);
    await this.deps.repository.markStatus(this.deps.jobId, checkpointId, 'CORRUPT').catch(() => undefined);
  }

  /**
   * The job was cancelled without RETAIN_ON_CANCELLATION: its own retained checkpoints go (state
   * and record, so no job can be started from them); savepoints and another job's checkpoint it
   * started from stay.
   */
  async discardRetained(): Promise<void> {
    for (const c of this.completedCheckpoints.filter((r) => !r.isSavepoint && r.jobId === this.deps.jobId)) {
      this.completedCheckpoints.splice(this.completedCheckpoints.indexOf(c), 1);
      try {
        // The record first: a checkpoint whose state is gone must not be offered for a restore.
        await this.deps.repository.markStatus(this.deps.jobId, c.checkpointId, 'DISCARDED');
        await this.deps.store.deleteCheckpoint(this.deps.jobId, c.checkpointId);
      } catch (error) {
        this.deps.log.warn(`checkpoint ${c.checkpointId} of cancelled job ${this.deps.jobId} could not be discarded: ${(error as Error).message}`);
      }
    }
  }

  async trigger(settle: PendingCheckpoint['settle'] = { resolve: () => undefined, reject: () => undefined }, savepoint = false, force = false): Promise<number | undefined> {
    const graph = this.graph;
    if (!graph) return undefined;
    const now = this.deps.clock();
    // Every task runs, or finished after its final checkpoint (its final state stands for it in
    // later checkpoints, see complete()); none may be starting.
    const executions = graph.executions().filter((e) => e.state === 'RUNNING');
    if (executions.length === 0 || !graph.executions().every((e) => e.state === 'RUNNING' || e.state === 'FINISHED')) return undefined;
    if (!savepoint && !force && (this.pending.size >= this.settings.maxConcurrent || now - this.lastCompletedAt < this.settings.minPauseMs)) return undefined;
    const id = this.nextId++;
    const pending: PendingCheckpoint = {
      id,
      savepoint,
      settle,
      attempt: graph.attempt,
      triggeredAt: now,
      expected: new Set(executions.map((e) => e.attemptId)),
      handles: [],
      lastAckAt: now,
      timer: setTimeout(() => this.fail(pending, `expired after ${this.settings.timeoutMs} ms`, true), this.settings.timeoutMs),
    };
    pending.timer.unref();
    this.pending.set(id, pending);
    this.triggeredCount++;
    this.history.unshift(this.entry(pending, 'IN_PROGRESS'));
    this.history.splice(HISTORY_SIZE);
    this.statsTracker.triggered(id, savepoint, now, graph.jobVertices.map((v) => ({ id: v.vertex.id, parallelism: v.executions.length })));
    // Sources inject the barrier; the other tasks take it directly only once their input ended
    // (a final checkpoint: their inputs send no barriers any more), and ignore it otherwise.
    await Promise.all(
      executions.map(async (e) => {
        try {
          await this.deps.taskExecutor(e.slot!.resourceId).triggerCheckpoint({
            jobId: this.deps.jobId, executionAttemptId: e.attemptId, checkpointId: id, timestamp: now, mode: this.settings.mode,
          });
        } catch (error) {
          // Nobody answers on the TaskManager's subject: it is gone, which its missed heartbeats
          // fail the job over for (TaskManagerLostException). Not a checkpoint failure to count:
          // a few intervals of those must not fail the job first, under another cause.
          const gone = error instanceof RunnelError && error.code === ErrorCodes.NoResponders;
          this.fail(pending, `could not trigger it at a task on ${e.slot!.resourceId}: ${(error as Error).message}`, !gone);
        }
      }),
    );
    return id;
  }

  async onAcknowledge(ack: { executionAttemptId: string; checkpointId: number; handle: string; size: number; checksum: string; timings?: SubtaskCheckpointTimings }): Promise<void> {
    const pending = this.pending.get(ack.checkpointId);
    const execution = this.graph?.get(ack.executionAttemptId);
    if (!pending || !execution || !pending.expected.delete(ack.executionAttemptId)) return;
    pending.handles.push({ vertexId: execution.vertexId, subtaskIndex: execution.subtaskIndex, handle: ack.handle, checksum: ack.checksum, size: ack.size });
    pending.lastAckAt = this.deps.clock();
    this.statsTracker.acknowledged(pending.id, execution.vertexId, execution.subtaskIndex, pending.lastAckAt, ack.size, ack.timings);
    this.updateHistory(pending, 'IN_PROGRESS');
    if (pending.expected.size === 0) await this.complete(pending);
  }

  /**
   * A task's input ended and it waits for its final checkpoint: one is triggered as soon as the
   * minimum pause allows, or when the one in progress settles (it was triggered before the task
   * asked, so the task may already have taken it with its input running).
   */
  requestFinalCheckpoint(executionAttemptId: string, afterCheckpointId?: number): void {
    if (!this.enabled || !this.graph?.get(executionAttemptId)) return;
    // Which checkpoints cover the task: those after the newest it had seen when it asked (a
    // trigger reaches every running task). A request that crossed a trigger on its way is covered
    // by that trigger. Without the id (an older TaskManager): those triggered from now on.
    const firstId = afterCheckpointId !== undefined ? afterCheckpointId + 1 : this.nextId;
    // Covered already: the trigger it crossed has completed (the task finishes on its own).
    if (firstId <= this.lastCompletedId) return;
    this.awaitingFinal.set(executionAttemptId, firstId);
    this.scheduleFinal();
  }

  private scheduleFinal(): void {
    if (!this.graph || this.awaitingFinal.size === 0 || this.finalTimer !== undefined) return;
    if (this.pending.size > 0) {
      this.finalAfterPending = true;
      return;
    }
    const delay = Math.max(0, this.lastCompletedAt + this.settings.minPauseMs - this.deps.clock());
    this.finalTimer = setTimeout(() => {
      this.finalTimer = undefined;
      void this.trigger().then(
        (id) => {
          // A periodic one was triggered first: the next one follows when it settles.
          if (id === undefined && this.pending.size > 0) this.finalAfterPending = true;
        },
        () => undefined,
      );
    }, delay);
    this.finalTimer.unref();
  }

  /** A checkpoint settled: one more for the tasks that asked meanwhile, or after a failed one. */
  private settled(failed: boolean): void {
    if (!this.finalAfterPending && !failed) return;
    this.finalAfterPending = false;
    this.scheduleFinal();
  }

  /** A task finished (after its final checkpoint): pending checkpoints stop waiting for it. */
  async onExecutionFinished(executionAttemptId: string): Promise<void> {
    this.awaitingFinal.delete(executionAttemptId);
    for (const pending of [...this.pending.values()]) {
      if (pending.expected.delete(executionAttemptId) && pending.expected.size === 0) await this.complete(pending);
    }
  }

  onDecline(checkpointId: number, reason: string): void {
    const pending = this.pending.get(checkpointId);
    if (pending) this.fail(pending, `declined: ${reason}`, true);
  }

  private async complete(pending: PendingCheckpoint): Promise<void> {
    clearTimeout(pending.timer);
    const graph = this.graph!;
    const now = this.deps.clock();
    carryFinalStates(pending.handles, graph, this.latestCompleted());
    const record: CheckpointRecord = {
      jobId: this.deps.jobId,
      checkpointId: pending.id,
      attempt: pending.attempt,
      status: 'COMPLETED',
      isSavepoint: pending.savepoint,
      triggerTimestamp: pending.triggeredAt,
      completedTimestamp: now,
      stateSize: pending.handles.reduce((a, h) => a + h.size, 0),
      handles: pending.handles,
      parallelism: Object.fromEntries(graph.jobVertices.map((v) => [v.vertex.id, v.vertex.parallelism])),
      operators: Object.fromEntries(graph.jobVertices.map((v) => [v.vertex.id, v.vertex.operators.map((o) => o.uid)])),
      failureReason: null,
      externalPath: null,
    };
    // Durable first: only a checkpoint whose metadata is stored may make sinks commit. One whose
    // metadata cannot be stored failed (and counts): never left in progress, never committed.
    try {
      await this.deps.repository.save(record);
    } catch (error) {
      this.fail(pending, `its metadata could not be stored: ${(error as Error).message}`, true);
      return;
    }
    // Dropped meanwhile (the attempt ended): its sinks are not told to commit.
    if (!this.pending.delete(pending.id)) return;
    this.completedCheckpoints.unshift(record);
    this.consecutiveFailures = 0;
    this.lastCompletedAt = now;
    this.completedCount++;
    this.updateHistory(pending, 'COMPLETED');
    this.statsTracker.completed(pending.id);
    await Promise.allSettled(
      graph.taskManagers().map((rid) => this.deps.taskExecutor(rid).notifyCheckpointComplete({ jobId: this.deps.jobId, attempt: pending.attempt, checkpointId: pending.id })),
    );
    // Savepoints stay until deleted; checkpoints beyond the retained number are subsumed.
    const checkpoints = this.completedCheckpoints.filter((c) => !c.isSavepoint);
    for (const old of checkpoints.slice(this.settings.retained)) {
      this.completedCheckpoints.splice(this.completedCheckpoints.indexOf(old), 1);
      this.statsTracker.discarded(old.checkpointId);
      await this.deps.repository.markStatus(this.deps.jobId, old.checkpointId, 'SUBSUMED').catch(() => undefined);
      if (old.jobId === this.deps.jobId) this.unreferenced.add(old.checkpointId);
    }
    // State a retained checkpoint still refers to (a finished task's final state) stays.
    for (const id of this.unreferenced) {
      if (this.completedCheckpoints.some((c) => c.handles.some((h) => h.handle.startsWith(CheckpointNames.prefix(this.deps.jobId, id))))) continue;
      this.unreferenced.delete(id);
      await this.deps.store.deleteCheckpoint(this.deps.jobId, id).catch(() => undefined);
    }
    pending.settle.resolve(record);
    // Tasks this checkpoint covered wait for nothing more; without this, tasks that had not
    // reported FINISHED yet got one more checkpoint, which failed as the job ended.
    this.lastCompletedId = Math.max(this.lastCompletedId, pending.id);
    for (const [execution, firstId] of this.awaitingFinal) if (pending.id >= firstId) this.awaitingFinal.delete(execution);
    this.settled(false);
  }

  private fail(pending: PendingCheckpoint, reason: string, counts: boolean): void {
    if (!this.pending.delete(pending.id)) return;
    clearTimeout(pending.timer);
    this.failed++;
    this.updateHistory(pending, 'FAILED', reason);
    this.statsTracker.failed(pending.id, this.deps.clock(), reason);
    pending.settle.reject(new Error(reason));
    this.deps.log.warn(`checkpoint ${pending.id} of job ${this.deps.jobId} failed: ${reason}`);
    void this.deps.repository
      .save({
        jobId: this.deps.jobId, checkpointId: pending.id, attempt: pending.attempt, status: 'FAILED', isSavepoint: pending.savepoint,
        triggerTimestamp: pending.triggeredAt, completedTimestamp: null, stateSize: 0, handles: [], parallelism: {}, operators: {},
        failureReason: reason, externalPath: null,
      })
      .catch(() => undefined);
    void this.deps.store.deleteCheckpoint(this.deps.jobId, pending.id).catch(() => undefined);
    // Not when the attempt ends (stop): its tasks are gone.
    if (counts) this.settled(true);
    if (!counts || pending.savepoint) return;
    if (++this.consecutiveFailures > this.settings.tolerableFailures) {
      this.deps.onTooManyFailures(`${this.consecutiveFailures} checkpoints failed in a row (tolerable: ${this.settings.tolerableFailures}); the last: ${reason}`);
    }
  }

  private entry(p: PendingCheckpoint, status: HistoryEntry['status'], failure?: string): HistoryEntry {
    const size = p.handles.reduce((a, h) => a + h.size, 0);
    const total = this.graph?.executions().length ?? 0;
    return {
      id: p.id,
      status,
      is_savepoint: p.savepoint,
      trigger_timestamp: p.triggeredAt,
      latest_ack_timestamp: p.lastAckAt,
      state_size: size,
      end_to_end_duration: p.lastAckAt - p.triggeredAt,
      num_subtasks: total,
      num_acknowledged_subtasks: p.handles.length,
      ...(failure ? { failure_message: failure } : {}),
    };
  }

  private updateHistory(p: PendingCheckpoint, status: HistoryEntry['status'], failure?: string): void {
    const i = this.history.findIndex((h) => h.id === p.id);
    const entry = this.entry(p, status, failure);
    if (i >= 0) this.history[i] = entry;
    else this.history.unshift(entry);
    this.history.splice(HISTORY_SIZE);
  }

  /** GET /jobs/:id/checkpoints, in Flink's shape. */
  stats(): { counts: Record<string, number>; summary: Record<string, unknown>; latest: Record<string, unknown>; history: Record<string, unknown>[] } {
    const completed = this.history.filter((h) => h.status === 'COMPLETED');
    const latestFailed = this.history.find((h) => h.status === 'FAILED');
    return {
      counts: {
        restored: this.restoredCount,
        // Since the job started, not over the history window (which keeps HISTORY_SIZE entries).
        total: this.triggeredCount,
        in_progress: this.pending.size,
        completed: this.completedCount,
        failed: this.failed,
      },
      // Flink's summary (min/max/avg and quantiles of the completed checkpoints in the history).
      summary: this.statsTracker.summary(),
      latest: {
        completed: completed.find((h) => !h.is_savepoint) ?? null,
        savepoint: completed.find((h) => h.is_savepoint) ?? null,
        failed: latestFailed ?? null,
        restored: this.restored ?? null,
      },
      history: this.history.map((h) => ({ ...this.statsTracker.historyFields(h.id), ...h })),
    };
  }
}
