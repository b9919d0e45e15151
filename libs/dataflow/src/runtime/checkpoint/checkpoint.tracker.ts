/**
 * The part of Flink's CheckpointCoordinator that does not care where tasks run: checkpoint ids,
 * the periodic trigger with its pause and concurrency limits, the acknowledgements still
 * expected, timeouts, tolerable failures, and final checkpoints for tasks whose input ended.
 * The JobManager's coordinator (tasks on TaskManagers, metadata in Postgres) and the embedded
 * executor (tasks in this process) both run their checkpoints through it; what differs —
 * reaching the tasks, storing a completed checkpoint, telling sinks to commit — are its hooks.
 */
import type { JobGraph } from '../../graph/job-graph.types';

export interface CheckpointSettings {
  /** 0: checkpointing is off (no periodic trigger; savepoints and manual checkpoints still work). */
  readonly intervalMs: number;
  readonly mode: 'exactly-once' | 'at-least-once';
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly maxConcurrent: number;
  readonly tolerableFailures: number;
  readonly retained: number;
  /** RETAIN_ON_CANCELLATION: a cancelled job's retained checkpoints stay (Flink's externalized checkpoints). */
  readonly retainOnCancel?: boolean;
}

/** The job's checkpoint settings, Flink's defaults where the job sets none. */
export function checkpointSettings(jobGraph: JobGraph): CheckpointSettings {
  const c = jobGraph.config.checkpointing;
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

export interface PendingCheckpoint<A, D> {
  readonly id: number;
  readonly savepoint: boolean;
  readonly triggeredAt: number;
  /** Tasks whose acknowledgement is still missing. */
  readonly expected: Set<string>;
  readonly acks: A[];
  lastAckAt: number;
  /** The owner's own (what it collects, the record it stored): from hooks.open(). */
  readonly data: D;
}

interface Tracked<A, D, R> extends PendingCheckpoint<A, D> {
  readonly timeout: NodeJS.Timeout;
  readonly settle?: { resolve(result: R): void; reject(error: Error): void };
}

export interface CheckpointTrackerHooks<A, D, R> {
  readonly clock: () => number;
  /** The tasks a checkpoint now waits for; undefined when none can be taken (tasks starting, or ended without one). */
  participants(): readonly string[] | undefined;
  /** A checkpoint is triggered: the owner's data for it. */
  open(): D;
  /** A checkpoint was triggered: send it to the tasks (sources inject the barrier). */
  dispatch(pending: PendingCheckpoint<A, D>): Promise<void>;
  /** Every task acknowledged: make it durable. A throw fails the checkpoint (and counts). */
  persist(pending: PendingCheckpoint<A, D>): Promise<void>;
  /** Durable and still current: tell the tasks (sinks commit), subsume older ones; what a caller waiting for it gets. */
  completed(pending: PendingCheckpoint<A, D>): Promise<R>;
  /** It failed; the error a caller waiting for it gets (default: one with the reason). */
  failed(pending: PendingCheckpoint<A, D>, reason: string): Error | void;
  /** More checkpoints failed in a row than tolerated: the job fails (Flink's tolerable-failed-checkpoints). */
  tooManyFailures(reason: string): void;
  acknowledged?(pending: PendingCheckpoint<A, D>, ack: A): void;
}

export interface TriggerOptions {
  readonly savepoint?: boolean;
  /** Past the interval, pause and concurrency limits (a manual checkpoint). */
  readonly force?: boolean;
}

export class CheckpointTracker<A, D, R> {
  private nextId = 1;
  private timer?: NodeJS.Timeout;
  private readonly pending = new Map<number, Tracked<A, D, R>>();
  private lastCompletedAt = 0;
  private consecutiveFailures = 0;
  /** The newest checkpoint of this run that completed (0: none yet). */
  private lastCompletedId = 0;
  /**
   * Tasks whose input ended and that wait for a checkpoint to end with (see final-checkpoint.ts),
   * by the first checkpoint id that covers them. They are not left to the interval, which may be
   * long (an hour): a bounded job would not finish.
   */
  private readonly awaitingFinal = new Map<string, number>();
  /** A task asked while a checkpoint was in progress: one more is triggered when it settles. */
  private finalAfterPending = false;
  private finalTimer?: NodeJS.Timeout;
  triggeredCount = 0;
  completedCount = 0;
  failedCount = 0;

  constructor(
    readonly settings: CheckpointSettings,
    private readonly hooks: CheckpointTrackerHooks<A, D, R>,
  ) {}

  get enabled(): boolean {
    return this.settings.intervalMs > 0;
  }

  /** The id the next checkpoint gets. */
  get nextCheckpointId(): number {
    return this.nextId;
  }

  get inProgress(): number {
    return this.pending.size;
  }

  /** Ids go on after checkpoints taken before (a JobManager failover, a savepoint restored). */
  continueAfter(checkpointId: number): void {
    this.nextId = Math.max(this.nextId, checkpointId + 1);
  }

  /** Starts the periodic trigger for a (new) run of the tasks. */
  start(): void {
    this.stop('a new run of the tasks started');
    this.awaitingFinal.clear();
    this.lastCompletedId = 0;
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.trigger().catch(() => undefined), this.settings.intervalMs);
    this.timer.unref();
  }

  /** Stops triggering and fails the checkpoints in progress, uncounted (a restart, cancel or the end). */
  stop(reason = 'the job attempt ended before the checkpoint completed'): void {
    clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.finalTimer);
    this.finalTimer = undefined;
    this.finalAfterPending = false;
    for (const p of [...this.pending.values()]) this.fail(p, reason, false);
  }

  /**
   * Triggers a checkpoint and waits for it: its result once completed, a rejection with the
   * reason when it failed, undefined when none can be taken now.
   */
  async takeNow(options: TriggerOptions = {}): Promise<R | undefined> {
    let settle!: Tracked<A, D, R>['settle'];
    const done = new Promise<R>((resolve, reject) => (settle = { resolve, reject }));
    // It may fail while being dispatched, before anyone awaits it.
    done.catch(() => undefined);
    const id = await this.trigger(options, settle);
    return id === undefined ? undefined : done;
  }

  /** Triggers a checkpoint; undefined when none can be taken now (or the limits say not yet). */
  async trigger(options: TriggerOptions = {}, settle?: Tracked<A, D, R>['settle']): Promise<number | undefined> {
    const tasks = this.hooks.participants();
    if (!tasks || tasks.length === 0) return undefined;
    const now = this.hooks.clock();
    const limited = !options.savepoint && !options.force;
    if (limited && (this.pending.size >= this.settings.maxConcurrent || now - this.lastCompletedAt < this.settings.minPauseMs)) return undefined;
    const id = this.nextId++;
    const pending: Tracked<A, D, R> = {
      id,
      savepoint: options.savepoint ?? false,
      triggeredAt: now,
      expected: new Set(tasks),
      acks: [],
      lastAckAt: now,
      data: this.hooks.open(),
      settle,
      timeout: setTimeout(() => this.fail(pending, `expired after ${this.settings.timeoutMs} ms`, true), this.settings.timeoutMs),
    };
    pending.timeout.unref();
    this.pending.set(id, pending);
    this.triggeredCount++;
    await this.hooks.dispatch(pending);
    return id;
  }

  /** A task's acknowledgement (its state); the checkpoint completes with the last one. */
  async acknowledge(task: string, checkpointId: number, ack: A): Promise<void> {
    const pending = this.pending.get(checkpointId);
    if (!pending || !pending.expected.delete(task)) return;
    pending.acks.push(ack);
    pending.lastAckAt = this.hooks.clock();
    this.hooks.acknowledged?.(pending, ack);
    if (pending.expected.size === 0) await this.complete(pending);
  }

  /** A task declined (or could not be reached): the checkpoint fails; `counts` toward the tolerable number. */
  decline(checkpointId: number, reason: string, counts = true): void {
    const pending = this.pending.get(checkpointId);
    if (pending) this.fail(pending, reason, counts);
  }

  /** Checkpoints in progress that still wait for this task. */
  waitingFor(task: string): number[] {
    return [...this.pending.values()].filter((p) => p.expected.has(task)).map((p) => p.id);
  }

  /** A task finished after its final checkpoint: checkpoints in progress stop waiting for it. */
  async taskFinished(task: string): Promise<void> {
    this.awaitingFinal.delete(task);
    for (const pending of [...this.pending.values()]) {
      if (pending.expected.delete(task) && pending.expected.size === 0) await this.complete(pending);
    }
  }

  /**
   * A task's input ended and it waits for its final checkpoint: one is triggered as soon as the
   * minimum pause allows, or when the one in progress settles (it was triggered before the task
   * asked, so the task may already have taken it with its input running).
   */
  requestFinal(task: string, afterCheckpointId?: number): void {
    if (!this.enabled) return;
    // Which checkpoints cover the task: those after the newest it had seen when it asked (a
    // trigger reaches every running task). A request that crossed a trigger on its way is covered
    // by that trigger. Without the id (an older TaskManager): those triggered from now on.
    const firstId = afterCheckpointId !== undefined ? afterCheckpointId + 1 : this.nextId;
    // Covered already: the trigger it crossed has completed (the task finishes on its own).
    if (firstId <= this.lastCompletedId) return;
    this.awaitingFinal.set(task, firstId);
    this.scheduleFinal();
  }

  private scheduleFinal(): void {
    if (this.awaitingFinal.size === 0 || this.finalTimer !== undefined) return;
    if (this.pending.size > 0) {
      this.finalAfterPending = true;
      return;
    }
    const delay = Math.max(0, this.lastCompletedAt + this.settings.minPauseMs - this.hooks.clock());
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

  private async complete(pending: Tracked<A, D, R>): Promise<void> {
    clearTimeout(pending.timeout);
    // Durable first: only a stored checkpoint may make sinks commit. One that cannot be stored
    // failed (and counts): never left in progress, never committed.
    try {
      await this.hooks.persist(pending);
    } catch (error) {
      this.fail(pending, `its metadata could not be stored: ${(error as Error).message}`, true);
      return;
    }
    // Dropped meanwhile (the run ended): its sinks are not told to commit.
    if (!this.pending.delete(pending.id)) return;
    this.consecutiveFailures = 0;
    this.lastCompletedAt = this.hooks.clock();
    this.completedCount++;
    let result: R;
    try {
      result = await this.hooks.completed(pending);
    } catch (error) {
      // Committing failed (the owner fails the job): a caller waiting for it is not left hanging.
      pending.settle?.reject(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    pending.settle?.resolve(result);
    // Tasks this checkpoint covered wait for nothing more; without this, tasks that had not
    // reported FINISHED yet got one more checkpoint, which failed as the job ended.
    this.lastCompletedId = Math.max(this.lastCompletedId, pending.id);
    for (const [task, firstId] of this.awaitingFinal) if (pending.id >= firstId) this.awaitingFinal.delete(task);
    this.settled(false);
  }

  private fail(pending: Tracked<A, D, R>, reason: string, counts: boolean): void {
    if (!this.pending.delete(pending.id)) return;
    clearTimeout(pending.timeout);
    this.failedCount++;
    const error = this.hooks.failed(pending, reason);
    pending.settle?.reject(error ?? new Error(reason));
    // Not when the run ends (stop): its tasks are gone.
    if (counts) this.settled(true);
    if (!counts || pending.savepoint) return;
    if (++this.consecutiveFailures > this.settings.tolerableFailures) {
      this.hooks.tooManyFailures(`${this.consecutiveFailures} checkpoints failed in a row (tolerable: ${this.settings.tolerableFailures}); the last: ${reason}`);
    }
  }
}
