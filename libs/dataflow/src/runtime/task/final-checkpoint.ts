/**
 * The final checkpoint of a task whose input ended (Flink 1.15's FLIP-147): with checkpointing on,
 * a task that reached the end of its input — its operators finished, sinks holding their last
 * output uncommitted — takes one more checkpoint, forwards its barrier and end-of-partition, and
 * only ends once a checkpoint at least that recent completed (its sinks commit in
 * notifyCheckpointComplete). A failure after that restores a checkpoint that holds the finished
 * task's final state, so nothing it committed is written again. Before that checkpoint the task
 * sends end-of-data downstream, so the tasks after it finish too and take the same checkpoint:
 * one final checkpoint for the pipeline (the barriers that follow end-of-data are dropped).
 *
 * The task asks the JobManager for that checkpoint when no trigger is left to take (a long interval
 * would keep a bounded job from finishing); a failed one is followed by another, so the task need
 * not ask again. The checkpoint is triggered by the JobManager at every running task, not only at sources: a
 * task whose inputs all ended gets no barrier from them any more. A trigger a task receives while
 * its input still runs is remembered (the latest id only) and used if the barrier does not come
 * before the input ends. After end-of-partition, further triggers are acknowledged with the
 * (unchanging) state and no barrier, so a checkpoint never waits on a task that has ended its output.
 */
export interface FinalCheckpointSteps {
  /** Takes checkpoint `id`: pre-barrier work, snapshot, acknowledgement; the barrier downstream when `forward`. */
  perform(id: number, forward: boolean): Promise<void>;
  /** Triggers a source task had queued and not yet acted on. */
  takeQueued(): number[];
  /**
   * No trigger to take: ask the coordinator for one (it would otherwise come at the next
   * interval), any checkpoint after `afterCheckpointId` (the newest this task has seen).
   */
  requestCheckpoint(afterCheckpointId: number): void;
  endOfPartition(): void;
}

export class FinalCheckpointGate {
  private lastPerformed = 0;
  private latestTrigger = 0;
  private completed = 0;
  private cancelled = false;
  private wake?: () => void;

  triggered(checkpointId: number): void {
    if (checkpointId > this.latestTrigger) this.latestTrigger = checkpointId;
    this.signal();
  }

  performed(checkpointId: number): void {
    if (checkpointId > this.lastPerformed) this.lastPerformed = checkpointId;
  }

  completedUpTo(checkpointId: number): void {
    if (checkpointId > this.completed) this.completed = checkpointId;
    this.signal();
  }

  cancel(): void {
    this.cancelled = true;
    this.signal();
  }

  /** After the operators finished: the final checkpoint, end-of-partition, then wait for its completion. */
  async run(steps: FinalCheckpointSteps): Promise<void> {
    let final = 0;
    let requested = false;
    while (!this.cancelled && final === 0) {
      const ids = this.pending(steps);
      for (const id of ids) {
        await steps.perform(id, true);
        final = id;
      }
      if (final !== 0) break;
      if (!requested) steps.requestCheckpoint(Math.max(this.lastPerformed, this.latestTrigger));
      requested = true;
      await this.next();
    }
    if (this.cancelled) return;
    steps.endOfPartition();
    while (!this.cancelled && this.completed < final) {
      // Checkpoints after the final one: acknowledged with this task's (final) state, no barrier.
      const later = this.pending(steps);
      for (const id of later) await steps.perform(id, false);
      if (later.length === 0) await this.next();
    }
  }

  /** Triggered checkpoints not taken yet, oldest first. */
  private pending(steps: FinalCheckpointSteps): number[] {
    return [...new Set([...steps.takeQueued(), this.latestTrigger])].filter((id) => id > this.lastPerformed).sort((a, b) => a - b);
  }

  private next(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
