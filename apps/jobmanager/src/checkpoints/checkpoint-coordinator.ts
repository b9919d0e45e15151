/**
 * The CheckpointCoordinator of one job (Flink's): triggers checkpoints at the source tasks every
 * interval, collects every task's acknowledgement (its state handle, size and checksum), completes
 * the checkpoint when all acknowledged — persisting its metadata, telling the tasks so sinks
 * commit, dropping subsumed checkpoints — and counts expired or declined ones, failing the job
 * only past the tolerable number. It also hands out what a restarted task restores.
 */
import { CheckpointId, CheckpointIds, CheckpointNames, ErrorCodes, ExecutionAttemptId, ExecutionAttemptIds, JobId, ResourceId, RestoreSpec, RunnelError, SubtaskCheckpointTimings, TaskExecutorGateway } from '@runnel/protocol';
import { CheckpointTracker, type CheckpointSettings, type JobGraph, type PendingCheckpoint } from '@runnel/dataflow';
import { CheckpointStatsTracker } from './checkpoint-stats.tracker';
import { ExecutionGraph } from '../jobmaster/execution-graph';
import { CheckpointRecord, CheckpointRepository } from './checkpoint.repository';
import { StoredHandle } from './checkpoint.entity';
import { carryFinalStates } from './final-states';

export { checkpointSettings, type CheckpointSettings } from '@runnel/dataflow';

export interface CheckpointCoordinatorDeps {
  readonly jobId: JobId;
  readonly taskExecutor: (resourceId: ResourceId) => TaskExecutorGateway;
  readonly repository: CheckpointRepository;
  readonly store: { deleteCheckpoint(jobId: JobId, checkpointId: CheckpointId): Promise<void>; deleteJobBucketIfEmpty(jobId: JobId): Promise<boolean> };
  readonly clock: () => number;
  readonly log: { log(message: string): void; warn(message: string): void };
  /** More checkpoints failed in a row than tolerated. */
  readonly onTooManyFailures: (reason: string) => void;
  readonly jobGraph: JobGraph;
}

/** What the coordinator keeps per checkpoint beside the shared tracker's bookkeeping. */
interface Attempt {
  readonly attempt: number;
  record?: CheckpointRecord;
}
/** A task's acknowledgement: its state handle, and how the checkpoint went there. */
interface Ack {
  readonly stored: StoredHandle;
  readonly timings?: SubtaskCheckpointTimings;
}
type Pending = PendingCheckpoint<Ack, Attempt>;

/**
 * The shared tracker (libs/dataflow, which knows no protocol) counts checkpoints in plain numbers
 * and tasks in plain strings: they become branded ids here, where they leave for the wire.
 */
const checkpointIdOf = (pending: Pending): CheckpointId => CheckpointIds.parse(pending.id);

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

/** Checkpoints kept in the history view (Flink's web.checkpoints.history, default 10; more here). */
const HISTORY_SIZE = 50;

export class CheckpointCoordinator {
  private graph?: ExecutionGraph;
  private readonly completedCheckpoints: CheckpointRecord[] = [];
  /** The most recent checkpoints (HISTORY_SIZE), for the history view; the counts are kept apart. */
  private readonly history: HistoryEntry[] = [];
  private restored?: { id: number; restore_timestamp: number; is_savepoint: boolean; external_path: string | null };
  private restoredCount = 0;
  /** Per-subtask statistics of the checkpoints in the history (the details views). */
  readonly statsTracker = new CheckpointStatsTracker(HISTORY_SIZE);
  /** Subsumed checkpoints whose state is deleted once no retained checkpoint refers to it. */
  private readonly unreferenced = new Set<CheckpointId>();
  /** Ids, the periodic trigger, pending acknowledgements, timeouts, tolerable failures, final checkpoints. */
  private readonly tracker: CheckpointTracker<Ack, Attempt, CheckpointRecord>;

  constructor(
    readonly settings: CheckpointSettings,
    private readonly deps: CheckpointCoordinatorDeps,
  ) {
    this.tracker = new CheckpointTracker(settings, {
      clock: deps.clock,
      participants: () => this.participants(),
      open: () => ({ attempt: this.graph!.attempt }),
      dispatch: (p) => this.dispatch(p),
      acknowledged: (p, { stored, timings }) => {
        this.statsTracker.acknowledged(p.id, stored.vertexId, stored.subtaskIndex, p.lastAckAt, stored.size, timings);
        this.updateHistory(p, 'IN_PROGRESS');
      },
      persist: (p) => this.persist(p),
      completed: (p) => this.completed(p),
      failed: (p, reason) => this.failed(p, reason),
      tooManyFailures: (reason) => deps.onTooManyFailures(reason),
    });
  }

  /** Completed checkpoints from before a JobManager restart. */
  async recover(): Promise<void> {
    const rows = await this.deps.repository.completed(this.deps.jobId);
    // Newest first, beside a savepoint the job was started from (seeded before): the job's own
    // checkpoints come after that savepoint, so they are restored in its place.
    this.completedCheckpoints.push(...rows);
    this.completedCheckpoints.sort((a, b) => (b.completedTimestamp ?? 0) - (a.completedTimestamp ?? 0) || b.checkpointId - a.checkpointId);
    for (const row of rows) this.tracker.continueAfter(row.checkpointId);
  }

  get enabled(): boolean {
    return this.tracker.enabled;
  }

  /** Starts triggering for a (new) execution graph. */
  start(graph: ExecutionGraph): void {
    // Not redundant with the tracker's own stop in start(): the old attempt's pending checkpoints
    // fail here, against the graph they were triggered on and with the attempt's ending as reason.
    this.tracker.stop();
    this.graph = graph;
    this.tracker.start();
  }

  /** The job starts from a savepoint: it is what the first attempt restores. */
  seedFromSavepoint(record: CheckpointRecord): void {
    this.completedCheckpoints.unshift(record);
    this.tracker.continueAfter(record.checkpointId);
  }

  /** Takes a savepoint now: a checkpoint that is kept until deleted. */
  async triggerSavepoint(): Promise<CheckpointRecord> {
    const record = await this.tracker.takeNow({ savepoint: true });
    if (!record) throw new Error('the job is not running with all its tasks, so no savepoint can be taken now');
    return record;
  }

  /** Takes a checkpoint now (POST /jobs/:id/checkpoints), past the interval, pause and concurrency limits. */
  async triggerNow(): Promise<CheckpointRecord> {
    const record = await this.tracker.takeNow({ force: true });
    if (!record) throw new Error('the job is not running with all its tasks, so no checkpoint can be taken now');
    return record;
  }

  /** A periodic checkpoint now, within the limits; undefined when none is triggered. */
  trigger(): Promise<number | undefined> {
    return this.tracker.trigger();
  }

  /** Stops triggering and drops checkpoints in progress (a restart, cancel or the job's end). */
  stop(): void {
    this.tracker.stop();
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
  async discardCorrupt(checkpointId: CheckpointId): Promise<void> {
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

  /**
   * The job has ended: a cancelled job's own retained checkpoints go unless it asked to keep them
   * (Flink's externalized checkpoints); then its checkpoint bucket goes if nothing is left in it —
   * no retained checkpoint, no savepoint — so a cluster does not keep one empty stream per job it
   * ever ran. A bucket something is left in stays until savepoint disposal deletes the last of it
   * (SavepointDisposalService). A suspended job (handed over to the next JobManager) keeps it.
   */
  async releaseEnded(cancelled: boolean): Promise<void> {
    if (cancelled && !this.settings.retainOnCancel) await this.discardRetained();
    try {
      await this.deps.store.deleteJobBucketIfEmpty(this.deps.jobId);
    } catch (error) {
      this.deps.log.warn(`job ${this.deps.jobId}: its checkpoint bucket could not be deleted: ${(error as Error).message}`);
    }
  }

  async onAcknowledge(ack: { executionAttemptId: ExecutionAttemptId; checkpointId: CheckpointId; handle: string; size: number; checksum: string; timings?: SubtaskCheckpointTimings }): Promise<void> {
    const execution = this.graph?.get(ack.executionAttemptId);
    if (!execution) return;
    const stored: StoredHandle = { vertexId: execution.vertexId, subtaskIndex: execution.subtaskIndex, handle: ack.handle, checksum: ack.checksum, size: ack.size };
    await this.tracker.acknowledge(ack.executionAttemptId, ack.checkpointId, { stored, timings: ack.timings });
  }

  /** A task's input ended and it waits for its final checkpoint (see CheckpointTracker.requestFinal). */
  requestFinalCheckpoint(executionAttemptId: ExecutionAttemptId, afterCheckpointId?: number): void {
    if (this.graph?.get(executionAttemptId)) this.tracker.requestFinal(executionAttemptId, afterCheckpointId);
  }

  /** A task finished (after its final checkpoint): pending checkpoints stop waiting for it. */
  onExecutionFinished(executionAttemptId: ExecutionAttemptId): Promise<void> {
    return this.tracker.taskFinished(executionAttemptId);
  }

  onDecline(checkpointId: CheckpointId, reason: string): void {
    this.tracker.decline(checkpointId, `declined: ${reason}`);
  }

  /**
   * Every task runs, or finished after its final checkpoint (its final state stands for it in
   * later checkpoints, see persist()); none may be starting.
   */
  private participants(): ExecutionAttemptId[] | undefined {
    const executions = this.graph?.executions() ?? [];
    if (!executions.every((e) => e.state === 'RUNNING' || e.state === 'FINISHED')) return undefined;
    return executions.filter((e) => e.state === 'RUNNING').map((e) => e.attemptId);
  }

  private async dispatch(pending: Pending): Promise<void> {
    const graph = this.graph!;
    this.history.unshift(this.entry(pending, 'IN_PROGRESS'));
    this.history.splice(HISTORY_SIZE);
    this.statsTracker.triggered(pending.id, pending.savepoint, pending.triggeredAt, graph.jobVertices.map((v) => ({ id: v.vertex.id, parallelism: v.executions.length })));
    // Sources inject the barrier; the other tasks take it directly only once their input ended
    // (a final checkpoint: their inputs send no barriers any more), and ignore it otherwise.
    await Promise.all(
      [...pending.expected].map(async (attemptId) => {
        const e = graph.get(ExecutionAttemptIds.parse(attemptId))!;
        try {
          await this.deps.taskExecutor(e.slot!.resourceId).triggerCheckpoint({
            jobId: this.deps.jobId, executionAttemptId: e.attemptId, checkpointId: checkpointIdOf(pending), timestamp: pending.triggeredAt, mode: this.settings.mode,
          });
        } catch (error) {
          // Nobody answers on the TaskManager's subject: it is gone, which its missed heartbeats
          // fail the job over for (TaskManagerLostException). Not a checkpoint failure to count:
          // a few intervals of those must not fail the job first, under another cause.
          const gone = error instanceof RunnelError && error.code === ErrorCodes.NoResponders;
          this.tracker.decline(pending.id, `could not trigger it at a task on ${e.slot!.resourceId}: ${(error as Error).message}`, !gone);
        }
      }),
    );
  }

  /** Stores the metadata: only a checkpoint whose metadata is stored may make sinks commit. */
  private async persist(pending: Pending): Promise<void> {
    const graph = this.graph!;
    const handles = pending.acks.map((a) => a.stored);
    carryFinalStates(handles, graph, this.latestCompleted());
    const record: CheckpointRecord = {
      jobId: this.deps.jobId,
      checkpointId: checkpointIdOf(pending),
      attempt: pending.data.attempt,
      status: 'COMPLETED',
      isSavepoint: pending.savepoint,
      triggerTimestamp: pending.triggeredAt,
      completedTimestamp: this.deps.clock(),
      stateSize: handles.reduce((a, h) => a + h.size, 0),
      handles,
      parallelism: Object.fromEntries(graph.jobVertices.map((v) => [v.vertex.id, v.vertex.parallelism])),
      operators: Object.fromEntries(graph.jobVertices.map((v) => [v.vertex.id, v.vertex.operators.map((o) => o.uid)])),
      failureReason: null,
      externalPath: null,
    };
    await this.deps.repository.save(record);
    pending.data.record = record;
  }

  private async completed(pending: Pending): Promise<CheckpointRecord> {
    const graph = this.graph!;
    const record = pending.data.record!;
    this.completedCheckpoints.unshift(record);
    this.updateHistory(pending, 'COMPLETED');
    this.statsTracker.completed(pending.id);
    await Promise.allSettled(
      graph.taskManagers().map((rid) => this.deps.taskExecutor(rid).notifyCheckpointComplete({ jobId: this.deps.jobId, attempt: pending.data.attempt, checkpointId: checkpointIdOf(pending) })),
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
    return record;
  }

  private failed(pending: Pending, reason: string): void {
    this.updateHistory(pending, 'FAILED', reason);
    this.statsTracker.failed(pending.id, this.deps.clock(), reason);
    this.deps.log.warn(`checkpoint ${pending.id} of job ${this.deps.jobId} failed: ${reason}`);
    void this.deps.repository
      .save({
        jobId: this.deps.jobId, checkpointId: checkpointIdOf(pending), attempt: pending.data.attempt, status: 'FAILED', isSavepoint: pending.savepoint,
        triggerTimestamp: pending.triggeredAt, completedTimestamp: null, stateSize: 0, handles: [], parallelism: {}, operators: {},
        failureReason: reason, externalPath: null,
      })
      .catch(() => undefined);
    void this.deps.store.deleteCheckpoint(this.deps.jobId, checkpointIdOf(pending)).catch(() => undefined);
  }

  private entry(p: Pending, status: HistoryEntry['status'], failure?: string): HistoryEntry {
    // Once stored, with the final states of finished tasks it carries.
    const handles = p.data.record?.handles ?? p.acks.map((a) => a.stored);
    const size = handles.reduce((a, h) => a + h.size, 0);
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
      num_acknowledged_subtasks: handles.length,
      ...(failure ? { failure_message: failure } : {}),
    };
  }

  private updateHistory(p: Pending, status: HistoryEntry['status'], failure?: string): void {
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
        total: this.tracker.triggeredCount,
        in_progress: this.tracker.inProgress,
        completed: this.tracker.completedCount,
        failed: this.tracker.failedCount,
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
