/**
 * Partitions a task's output records onto the channels of one out-edge, building one batch per
 * channel. Batches are handed to the partition writer when full or at the end of each input
 * batch; watermarks and end-of-partition are broadcast after flushing, keeping channel order.
 */
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../core/key-group.assignment';
import { StreamElementType, type RecordBatch, type StreamElement } from '../../core/stream-element.types';
import { PartitionerType } from '../../graph/job-graph.types';
import type { ResultPartitionWriter } from './channel.types';

export interface RecordWriterOptions {
  readonly partitioner: PartitionerType;
  readonly batchSize: number;
  readonly subtaskIndex: number;
  /** For hash partitioning: the consumer's key selector and key-group layout. */
  readonly keySelector?: (value: unknown) => unknown;
  readonly targetMaxParallelism?: number;
}

export class RecordWriter {
  private values: unknown[][];
  private timestamps: number[][];
  private nextChannel: number;
  private rnd: number;
  private readonly n: number;

  constructor(
    readonly writer: ResultPartitionWriter,
    private readonly options: RecordWriterOptions,
  ) {
    this.n = writer.numberOfChannels;
    this.values = Array.from({ length: this.n }, () => []);
    this.timestamps = Array.from({ length: this.n }, () => []);
    // Deterministic start so runs are reproducible (Flink starts round-robin at random).
    this.nextChannel = options.subtaskIndex % this.n;
    this.rnd = (options.subtaskIndex + 1) * 2654435761;
  }

  emit(value: unknown, timestamp: number): void {
    const n = this.n;
    switch (this.options.partitioner) {
      case PartitionerType.Forward:
        this.add(0, value, timestamp);
        return;
      case PartitionerType.Hash: {
        // One channel: every key group goes there, so the key need not be hashed here.
        if (n === 1) {
          this.add(0, value, timestamp);
          return;
        }
        const kg = assignToKeyGroup(this.options.keySelector!(value), this.options.targetMaxParallelism!);
        this.add(computeOperatorIndexForKeyGroup(this.options.targetMaxParallelism!, n, kg), value, timestamp);
        return;
      }
      case PartitionerType.Rebalance:
        this.add(this.nextChannel, value, timestamp);
        this.nextChannel = this.nextChannel + 1 === n ? 0 : this.nextChannel + 1;
        return;
      case PartitionerType.Shuffle:
        // xorshift: cheap, seeded per subtask.
        this.rnd ^= this.rnd << 13;
        this.rnd ^= this.rnd >>> 17;
        this.rnd ^= this.rnd << 5;
        this.add((this.rnd >>> 0) % n, value, timestamp);
        return;
      case PartitionerType.Broadcast:
        for (let c = 0; c < n; c++) this.add(c, value, timestamp);
        return;
    }
  }

  private add(channel: number, value: unknown, timestamp: number): void {
    const vs = this.values[channel];
    vs.push(value);
    this.timestamps[channel].push(timestamp);
    if (vs.length >= this.options.batchSize) this.flushChannel(channel);
  }

  private flushChannel(channel: number): void {
    const values = this.values[channel];
    if (values.length === 0) return;
    const batch: RecordBatch = { type: StreamElementType.Records, values, timestamps: this.timestamps[channel] };
    this.values[channel] = [];
    this.timestamps[channel] = [];
    this.writer.emit(channel, batch);
  }

  flush(): void {
    for (let c = 0; c < this.n; c++) this.flushChannel(c);
  }

  broadcastElement(element: StreamElement): void {
    this.flush();
    for (let c = 0; c < this.n; c++) this.writer.emit(c, element);
  }
}
