/**
 * Drives a single operator without a task: feed elements and watermarks, read what it emitted,
 * snapshot and restore. Used by the operator unit tests; handy for users' own operators too.
 */
import { DEFAULT_MAX_PARALLELISM } from '../core/key-group.assignment';
import { NO_TIMESTAMP } from '../core/stream-element.types';
import type { OperatorDescriptor, OperatorFunctions } from '../graph/job-graph.types';
import { createOperator } from './operator.registry';
import type { Output, StreamOperator } from './operator.types';
import type { OperatorStateSnapshot } from './state/state-snapshot.types';
import './operators';

export type HarnessEvent =
  | { type: 'record'; value: unknown; timestamp: number }
  | { type: 'side'; tag: string; value: unknown; timestamp: number }
  | { type: 'watermark'; timestamp: number }
  | { type: 'status'; idle: boolean };

export interface HarnessOptions {
  readonly kind: string;
  readonly config?: Record<string, unknown>;
  readonly functions?: OperatorFunctions;
  readonly keyed?: boolean;
  readonly inputs?: number;
  readonly subtaskIndex?: number;
  readonly parallelism?: number;
  readonly maxParallelism?: number;
  readonly uid?: string;
  /** Settable processing time. */
  readonly clock?: () => number;
}

export class OperatorTestHarness {
  readonly events: HarnessEvent[] = [];
  readonly operator: StreamOperator;
  private opened = false;

  constructor(readonly options: HarnessOptions) {
    const descriptor: OperatorDescriptor = {
      uid: options.uid ?? `${options.kind}-under-test`,
      name: options.kind,
      kind: options.kind,
      inputs: options.inputs ?? 1,
      keyed: options.keyed ?? false,
      config: options.config ?? {},
    };
    const events = this.events;
    const output: Output = {
      collect: (value, timestamp) => events.push({ type: 'record', value, timestamp }),
      collectSide: (tag, value, timestamp) => events.push({ type: 'side', tag, value, timestamp }),
      emitWatermark: (timestamp) => events.push({ type: 'watermark', timestamp }),
      emitWatermarkStatus: (idle) => events.push({ type: 'status', idle }),
    };
    this.operator = createOperator(descriptor);
    this.operator.setup({
      descriptor,
      functions: options.functions ?? {},
      subtaskIndex: options.subtaskIndex ?? 0,
      parallelism: options.parallelism ?? 1,
      maxParallelism: options.maxParallelism ?? DEFAULT_MAX_PARALLELISM,
      clock: options.clock ?? (() => 0),
      output,
    });
  }

  async open(restored?: OperatorStateSnapshot): Promise<this> {
    this.operator.initializeState(restored);
    await this.operator.open();
    this.opened = true;
    return this;
  }

  processElement(value: unknown, timestamp = NO_TIMESTAMP, input = 0): this {
    if (!this.opened) throw new Error('call open() first');
    this.operator.processElement(value, timestamp, input);
    return this;
  }
  /** A whole input batch, as a task hands it to the head of its chain (processBatch when the operator has one). */
  processBatch(values: readonly unknown[], timestamps: readonly number[], input = 0): this {
    if (!this.opened) throw new Error('call open() first');
    const op = this.operator;
    if (op.processBatch !== undefined) op.processBatch(values, timestamps, input);
    else for (let i = 0; i < values.length; i++) op.processElement(values[i], timestamps[i], input);
    return this;
  }
  processWatermark(watermark: number): this {
    this.operator.processWatermark(watermark);
    return this;
  }
  async endBatch(): Promise<this> {
    await this.operator.endBatch?.();
    return this;
  }
  advanceProcessingTime(now: number): this {
    this.operator.advanceProcessingTime?.(now);
    return this;
  }
  snapshot(checkpointId = 1): OperatorStateSnapshot {
    return this.operator.snapshotState(checkpointId);
  }
  /** What a task does on a barrier: the pre-barrier work (sink pre-commit), then the snapshot. */
  async checkpoint(checkpointId: number): Promise<OperatorStateSnapshot> {
    await this.operator.prepareSnapshotPreBarrier?.(checkpointId);
    return this.operator.snapshotState(checkpointId);
  }
  /** The commit phase (two-phase-commit sinks). */
  async notifyCheckpointComplete(checkpointId: number): Promise<this> {
    await this.operator.notifyCheckpointComplete?.(checkpointId);
    return this;
  }
  async finish(): Promise<this> {
    await this.operator.finish();
    return this;
  }
  /** Ends the operator without finish() — what a cancel or a failure does. */
  async close(): Promise<this> {
    await this.operator.close();
    return this;
  }

  records(): unknown[] {
    return this.events.filter((e) => e.type === 'record').map((e) => (e as { value: unknown }).value);
  }
  recordsWithTimestamps(): [unknown, number][] {
    return this.events.filter((e) => e.type === 'record').map((e) => [(e as { value: unknown }).value, (e as { timestamp: number }).timestamp]);
  }
  sideOutput(tag: string): unknown[] {
    return this.events.filter((e) => e.type === 'side' && e.tag === tag).map((e) => (e as { value: unknown }).value);
  }
  watermarks(): number[] {
    return this.events.filter((e) => e.type === 'watermark').map((e) => (e as { timestamp: number }).timestamp);
  }
  clear(): void {
    this.events.length = 0;
  }
}
