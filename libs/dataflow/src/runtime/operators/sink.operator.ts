/** Sink: buffers a batch of records and hands it to the SinkWriter once per input batch. */
import type { Sink, SinkWriter } from '../../connectors/source.types';
import { AbstractStreamOperator } from '../abstract-stream.operator';

export class SinkOperator extends AbstractStreamOperator {
  private writer!: SinkWriter<unknown>;
  private values: unknown[] = [];
  private timestamps: number[] = [];

  private restored?: { state: unknown };

  override async open(): Promise<void> {
    const sink = this.fn<Sink<unknown>>('sink');
    this.writer = await sink.createWriter({ subtaskIndex: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism });
    if (this.restored) await this.writer.restoreState?.(this.restored.state);
  }
  protected override restoreOperatorState(state: unknown): void {
    this.restored = { state: (state as { writer: unknown }).writer };
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
    await this.writer.finish?.();
  }
  override async close(): Promise<void> {
    await this.writer?.close?.();
  }
}
