/**
 * Source: polls its reader for a batch, stamps timestamps and generates watermarks (per batch),
 * marks itself idle when the strategy says so. Its position is operator state, so a restored
 * source continues where the snapshot was taken.
 */
import { MAX_WATERMARK } from '../../core/stream-element.types';
import type { TimestampAssigner } from '../../api/functions.types';
import type { Source, SourceReader } from '../../connectors/source.types';
import { WatermarkGenerator, type WatermarkStrategyConfig } from '../../time/watermark-strategy';
import { AbstractStreamOperator } from '../abstract-stream.operator';

export const SourcePollResult = { Emitted: 'emitted', Empty: 'empty', End: 'end' } as const;
export type SourcePollResult = (typeof SourcePollResult)[keyof typeof SourcePollResult];

export class SourceOperator extends AbstractStreamOperator {
  private reader!: SourceReader<unknown>;
  private gen!: WatermarkGenerator<unknown>;
  private restoredPosition: unknown;
  private hasRestored = false;
  private ended = false;

  override setup(ctx: Parameters<AbstractStreamOperator['setup']>[0]): void {
    super.setup(ctx);
    const source = this.fn<Source<unknown>>('source');
    this.reader = source.createReader({ subtaskIndex: ctx.subtaskIndex, parallelism: ctx.parallelism });
    const strategy = ctx.descriptor.config.strategy as WatermarkStrategyConfig;
    this.gen = new WatermarkGenerator(strategy, ctx.functions.timestampAssigner as TimestampAssigner<unknown> | undefined, ctx.clock, ctx.autoWatermarkIntervalMs);
  }

  protected override restoreOperatorState(state: unknown): void {
    this.hasRestored = true;
    this.restoredPosition = (state as { position: unknown }).position;
  }
  protected override snapshotOperatorState(): unknown {
    return { position: this.reader.position() };
  }
  override open(): void {
    if (this.hasRestored) this.reader.restore(this.restoredPosition);
  }

  processElement(): void {
    throw new Error('a source has no input');
  }

  /** Handles one polled batch (the task does the polling so it can await async readers). */
  emitBatch(batch: readonly unknown[] | null): SourcePollResult {
    if (batch === null) {
      this.ended = true;
      return SourcePollResult.End;
    }
    if (batch.length === 0) {
      // A watermark withheld by the auto-watermark interval goes out once the interval is over,
      // also when no more records come (the task keeps polling an empty source).
      const pending = this.gen.periodicWatermark();
      if (pending !== undefined) this.processWatermark(pending);
      if (this.gen.checkIdle()) this.output.emitWatermarkStatus(true);
      return SourcePollResult.Empty;
    }
    if (this.gen.idle) {
      this.gen.idle = false;
      this.output.emitWatermarkStatus(false);
    }
    this.gen.markActive();
    const out = this.output;
    const gen = this.gen;
    for (let i = 0; i < batch.length; i++) {
      const value = batch[i];
      out.collect(value, gen.extractNew(value));
    }
    const wm = this.gen.periodicWatermark();
    if (wm !== undefined) this.processWatermark(wm);
    return SourcePollResult.Emitted;
  }

  /** Ends the input as if the reader returned null (drain for stop-with-savepoint). */
  endInput(): void {
    this.ended = true;
  }

  get sourceReader(): SourceReader<unknown> {
    return this.reader;
  }

  /** End of input: the MAX watermark makes every downstream event-time window fire. */
  override finish(): void {
    if (this.ended) this.processWatermark(MAX_WATERMARK);
  }
  override async close(): Promise<void> {
    await this.reader?.close?.();
  }
}
