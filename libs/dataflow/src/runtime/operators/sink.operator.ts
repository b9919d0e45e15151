/**
 * Sink: buffers a batch of records and hands it to the SinkWriter once per input batch; drives
 * the writer's two-phase commit (prepareCommit + snapshotState on the barrier, commit on
 * notifyCheckpointComplete, restoreState on recovery — also for adopted states after a scale-in).
 */
import type { Sink, SinkWriter } from '../../connectors/source.types';
import { AbstractStreamOperator } from '../abstract-stream.operator';

export class SinkOperator extends AbstractStreamOperator {
  private writer!: SinkWriter<unknown>;
  private values: unknown[] = [];
  private timestamps: number[] = [];

  /** Writer states to restore: this subtask's first, then adopted ones. */
  private readonly restored: unknown[] = [];

  override async open(): Promise<void> {
    const sink = this.fn<Sink<unknown>>('sink');
    const { subtaskIndex, parallelism, descriptor, jobName, jobId, checkpointingEnabled, deterministicInputOrder } = this.ctx;
    this.writer = await sink.createWriter({
      subtaskIndex,
      parallelism,
      operatorUid: descriptor.uid,
      ...(jobName !== undefined ? { jobName } : {}),
      ...(jobId !== undefined ? { jobId } : {}),
      ...(checkpointingEnabled !== undefined ? { checkpointingEnabled } : {}),
      ...(deterministicInputOrder !== undefined ? { deterministicInputOrder } : {}),
    });
    for (const state of this.restored) await this.writer.restoreState?.(state);
  }
  protected override restoreOperatorState(state: unknown): void {
    this.restored.push((state as { writer: unknown }).writer);
  }
  protected override restoreAdoptedOperatorState(state: unknown): void {
    this.restored.push((state as { writer: unknown }).writer);
  }
  async prepareSnapshotPreBarrier(checkpointId: number): Promise<void> {
    await this.endBatch();
    await this.writer.prepareCommit?.(checkpointId);
  }
  protected override snapshotOperatorState(): unknown {
    return this.snapshotting === undefined || !this.writer?.snapshotState ? undefined : { writer: this.writer.snapshotState(this.snapshotting) };
  }
  private snapshotting?: number;
  override snapshotState(checkpointId: number): ReturnType<AbstractStreamOperator['snapshotState']> {
    this.snapshotting = checkpointId;
    try {
      return super.snapshotState(checkpointId);
    } finally {
      this.snapshotting = undefined;
    }
  }
  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.writer?.notifyCheckpointComplete?.(checkpointId);
  }
  processElement(value: unknown, timestamp: number): void {
    this.values.push(value);
    this.timestamps.push(timestamp);
  }
  // Sinks are the end of a chain: nothing to forward.
  override processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
  }
  override processWatermarkStatus(): void {
    // Nothing downstream of a sink.
  }

  endBatch(): void | Promise<void> {
    if (this.values.length === 0) return;
    const values = this.values;
    const timestamps = this.timestamps;
    this.values = [];
    this.timestamps = [];
    return this.writer.write(values, timestamps);
  }
  override async finish(): Promise<void> {
    await this.endBatch();
    // With a final checkpoint the last output is pre-committed on its barrier and committed when
    // it completes; committing here would make it visible before a checkpoint covers it.
    if (!this.ctx.finalCheckpoint) await this.writer.finish?.();
  }
  override async close(): Promise<void> {
    await this.writer?.close?.();
  }
}
