/**
 * Partitions a task's output records onto the channels of one out-edge, building one batch per
 * channel. A batch is handed to the partition writer when it is full (about `maxBatchBytes`
 * encoded, estimated from what the writer has serialized so far, or `batchSize` records on
 * channels that do not serialize) or when its oldest record has waited `bufferTimeoutMs`
 * (Flink's buffer timeout: 0 flushes after every input batch, -1 only when full; watermarks,
 * barriers and end of input always flush first, keeping channel order). Fewer, larger messages
 * are what make a JetStream exchange cheap; the timeout bounds the latency that costs.
 */
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../core/key-group.assignment';
import { NO_TIMESTAMP, StreamElementType, type RecordBatch, type StreamElement } from '../../core/stream-element.types';
import { PartitionerType } from '../../graph/job-graph.types';
import type { ResultPartitionWriter } from './channel.types';

/** Flink's default buffer timeout (execution.buffer-timeout). */
export const DEFAULT_BUFFER_TIMEOUT_MS = 100;
/** Size a batch closes at on serializing channels (ARCHITECTURE.md: ~32 KiB). */
export const DEFAULT_MAX_BATCH_BYTES = 32 * 1024;
/** Upper bound of records per batch whatever the estimate says (bounds a message's decode). */
const MAX_BATCH_RECORDS = 8192;

/** What a partition writer that serializes reports, for sizing batches by bytes. */
interface SerializingWriter {
  readonly recordsOut?: number;
  /** Records on the channels that serialize, when some channels of the writer do not. */
  readonly serializedRecordsOut?: number;
  readonly bytesOut?: number;
}

export interface RecordWriterOptions {
  readonly partitioner: PartitionerType;
  /** Records per batch on channels that do not serialize (in memory, MessagePort). */
  readonly batchSize: number;
  /** -1: flush only when full; 0: after every input batch; > 0: at most this long (ms). */
  readonly bufferTimeoutMs?: number;
  readonly maxBatchBytes?: number;
  readonly subtaskIndex: number;
  /** For hash partitioning: the consumer's key selector and key-group layout. */
  readonly keySelector?: (value: unknown) => unknown;
  readonly targetMaxParallelism?: number;
}

export class RecordWriter {
  private values: unknown[][];
  private timestamps: number[][];
  /** Records in each channel's batch (its arrays are allocated ahead, see newBatch). */
  private readonly counts: number[];
  /** Size of each channel's last batch: what the next one's arrays are allocated for. */
  private readonly lastCounts: number[];
  private nextChannel: number;
  private rnd: number;
  private readonly n: number;
  private readonly bufferTimeoutMs: number;
  private readonly maxBatchBytes: number;
  /** Records a batch closes at; re-estimated from the writer's bytes per record. */
  private batchLimit: number;
  private estimatedAt = 0;
  /** Wall time the oldest buffered record of each channel arrived (0: channel empty). */
  private readonly since: number[];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly onTimer = () => this.flushExpired();

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
    this.bufferTimeoutMs = options.bufferTimeoutMs ?? DEFAULT_BUFFER_TIMEOUT_MS;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.batchLimit = options.batchSize;
    this.since = new Array<number>(this.n).fill(0);
    this.counts = new Array<number>(this.n).fill(0);
    this.lastCounts = new Array<number>(this.n).fill(0);
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
    const k = this.counts[channel];
    if (k === 0) {
      if (this.bufferTimeoutMs > 0) this.startWaiting(channel);
      this.newBatch(channel);
    }
    this.values[channel][k] = value;
    this.timestamps[channel][k] = timestamp;
    this.counts[channel] = k + 1;
    if (k + 1 >= this.batchLimit) this.flushChannel(channel);
  }

  /**
   * Arrays for a channel's next batch, allocated at the size the last one reached (at most the
   * limit): filled by index, they never grow. Growing from [] by push allocated and copied about
   * three times a batch's size, a third of a keyed pipeline's garbage. The timestamps start as
   * doubles so that storing event times does not convert them.
   */
  private newBatch(channel: number): void {
    const size = Math.max(16, Math.min(this.batchLimit, this.lastCounts[channel]));
    this.values[channel] = new Array<unknown>(size);
    this.timestamps[channel] = new Array<number>(size).fill(NO_TIMESTAMP);
  }

  private flushChannel(channel: number): void {
    const k = this.counts[channel];
    if (k === 0) return;
    const values = this.values[channel];
    const timestamps = this.timestamps[channel];
    // Trimmed in place; a batch past its allocation grew like a pushed array.
    if (values.length !== k) {
      values.length = k;
      timestamps.length = k;
    }
    const batch: RecordBatch = { type: StreamElementType.Records, values, timestamps };
    this.counts[channel] = 0;
    this.lastCounts[channel] = k;
    this.since[channel] = 0;
    this.writer.emit(channel, batch);
    this.estimateBatchLimit();
  }

  /**
   * Called at the end of every input batch: with a buffer timeout of 0 everything goes out now
   * (the behaviour before buffer timeouts); otherwise only batches that waited long enough.
   */
  endBatch(): void {
    if (this.bufferTimeoutMs === 0) {
      this.flush();
      return;
    }
    if (this.bufferTimeoutMs < 0) return;
    const now = Date.now();
    for (let c = 0; c < this.n; c++) {
      const since = this.since[c];
      if (since !== 0 && now - since >= this.bufferTimeoutMs) this.flushChannel(c);
    }
  }

  /** Everything buffered goes out (before watermarks, barriers, end of input). */
  flush(): void {
    for (let c = 0; c < this.n; c++) this.flushChannel(c);
  }

  broadcastElement(element: StreamElement): void {
    this.flush();
    for (let c = 0; c < this.n; c++) this.writer.emit(c, element);
  }

  /** Stops the buffer-timeout timer (the task ended or was cancelled). */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startWaiting(channel: number): void {
    this.since[channel] = Date.now();
    // One timer per writer, for the oldest waiting batch: flushes what an idle input left behind.
    if (this.timer === undefined && !this.closed) {
      this.timer = setTimeout(this.onTimer, this.bufferTimeoutMs);
      this.timer.unref();
    }
  }

  private flushExpired(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    let oldest = 0;
    for (let c = 0; c < this.n; c++) {
      const since = this.since[c];
      if (since === 0) continue;
      if (now - since >= this.bufferTimeoutMs) this.flushChannel(c);
      else if (oldest === 0 || since < oldest) oldest = since;
    }
    if (oldest !== 0 && !this.closed) {
      this.timer = setTimeout(this.onTimer, Math.max(1, oldest + this.bufferTimeoutMs - now));
      this.timer.unref();
    }
  }

  /** Records per batch so a serialized batch is about maxBatchBytes (re-estimated every ~64 batches). */
  private estimateBatchLimit(): void {
    const w = this.writer as SerializingWriter;
    const records = w.serializedRecordsOut ?? w.recordsOut;
    const bytes = w.bytesOut;
    if (records === undefined || bytes === undefined || bytes === 0) return; // does not serialize (yet)
    if (this.estimatedAt !== 0 && records < this.estimatedAt + 64 * this.batchLimit) return;
    this.estimatedAt = records;
    const perRecord = bytes / Math.max(1, records);
    this.batchLimit = Math.max(this.options.batchSize, Math.min(MAX_BATCH_RECORDS, Math.floor(this.maxBatchBytes / Math.max(1, perRecord))));
  }
}
