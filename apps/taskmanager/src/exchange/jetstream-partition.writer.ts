/**
 * Producer side of a JetStream exchange: one subject per (edge, target partition). Publishes are
 * pipelined (never awaited one by one) with a bounded window of unacknowledged publishes, and each
 * channel may have at most `creditWindow` messages, and at most `creditRecords` records, its consumer
 * has not taken yet: consumers send credits back (Flink's credit-based flow control), so a slow
 * consumer slows its producers and nothing piles up in the stream or in memory. Messages alone
 * would not bound it: a batch holds 1 to 8192 records (RecordWriter closes it at ~32 KiB), so 16
 * messages of small records were ~10^5 records in flight per channel, which a barrier must wait
 * behind and a consumer holds decoded. Partitions consumed on this TaskManager take a
 * MessagePort instead, under the same credit window. NATS is reached through an ExchangeIo (in a
 * slot's worker: through the TaskManager).
 */
import { type ClusterDataNames, ClusterNamespace, type JobId } from '@runnel/protocol/slot-runtime';
import type { ResultPartitionWriter, StreamElement } from '@runnel/dataflow';
import { Unpackr } from 'msgpackr';
import type { LocalChannelPort } from './same-worker.channel';
import { ElementCodec } from './element.codec';
import type { ExchangeIo, ExchangeSubscription } from './exchange-io.port';

export interface JetStreamPartitionWriterOptions {
  readonly io: ExchangeIo;
  readonly jobId: JobId;
  readonly attempt: number;
  readonly edgeIndex: number;
  readonly sourceSubtask: number;
  /** Target partition (consumer subtask) of each channel. */
  readonly partitions: readonly number[];
  readonly creditWindow?: number;
  /** Records a channel may have in flight (at least one message always may be). */
  readonly creditRecords?: number;
  readonly maxPendingPublishes?: number;
  /** Partitions whose consumer runs on this TaskManager: a MessagePort (or, in the same worker, a direct channel) instead of NATS. */
  readonly localPorts?: ReadonlyMap<number, LocalChannelPort>;
  /** The cluster's data names (default: the default cluster's). */
  readonly names?: ClusterDataNames;
}

export class JetStreamPartitionWriter implements ResultPartitionWriter {
  private readonly codec = new ElementCodec();
  private readonly unpackr = new Unpackr();
  private readonly subjects: string[];
  private readonly sent: number[];
  private readonly consumed: number[];
  /** Per channel: records of each message sent and not yet taken (oldest first), and their sum. */
  private readonly inFlightSizes: number[][];
  private readonly inFlightRecords: number[];
  private readonly channelOfPartition = new Map<number, number>();
  private readonly creditWindow: number;
  private readonly creditRecords: number;
  private readonly maxPending: number;
  private readonly credits: ExchangeSubscription;
  private readonly ports: (LocalChannelPort | undefined)[];
  private pending = 0;
  private failure?: Error;
  private aborted = false;
  private waiter?: { resolve: () => void; reject: (error: Error) => void };
  private drained?: () => void;
  /** JetStream publishes issued so far (each one's sequence is its position in this count). */
  private issued = 0;
  /** Publishes not yet stored, oldest first, and those of them stored out of order. */
  private readonly unsettled: number[] = [];
  private readonly settledEarly = new Set<number>();
  private storedWaiters: { mark: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  recordsOut = 0;
  /** Records of the channels that serialize (JetStream), for bytes per record: the ports' carry no bytes. */
  serializedRecordsOut = 0;
  bytesOut = 0;

  constructor(private readonly options: JetStreamPartitionWriterOptions) {
    const { jobId, attempt, edgeIndex, partitions } = options;
    const names = options.names ?? ClusterNamespace.DEFAULT.data;
    this.subjects = partitions.map((p) => names.subject(jobId, attempt, edgeIndex, p));
    partitions.forEach((p, channel) => this.channelOfPartition.set(p, channel));
    this.sent = partitions.map(() => 0);
    this.consumed = partitions.map(() => 0);
    this.inFlightSizes = partitions.map(() => []);
    this.inFlightRecords = partitions.map(() => 0);
    this.creditWindow = options.creditWindow ?? 16;
    // 16 messages of 256 records: what the window held before batches grew past 256 records.
    this.creditRecords = options.creditRecords ?? this.creditWindow * 256;
    this.maxPending = options.maxPendingPublishes ?? 256;
    this.ports = partitions.map((p) => options.localPorts?.get(p));
    this.ports.forEach((port, channel) =>
      port?.on('message', (consumed: number) => {
        if (consumed > this.consumed[channel]) this.onConsumed(channel, consumed);
      }),
    );
    this.credits = options.io.subscribe(names.credit(jobId, attempt, edgeIndex, options.sourceSubtask), (data) => {
      const [partition, consumed] = this.unpackr.unpack(data) as [number, number];
      const channel = this.channelOfPartition.get(partition);
      if (channel !== undefined && consumed > this.consumed[channel]) this.onConsumed(channel, consumed);
    });
  }

  get numberOfChannels(): number {
    return this.subjects.length;
  }

  emit(channel: number, element: StreamElement): void {
    if (this.aborted) return;
    const records = element.type === 'records' ? element.values.length : 0;
    this.inFlightSizes[channel].push(records);
    this.inFlightRecords[channel] += records;
    const port = this.ports[channel];
    if (port) {
      this.recordsOut += records;
      this.sent[channel]++;
      port.postMessage(element);
      return;
    }
    const bytes = this.codec.encode(this.options.sourceSubtask, element);
    if (element.type === 'records') {
      this.recordsOut += element.values.length;
      this.serializedRecordsOut += element.values.length;
    }
    this.bytesOut += bytes.length;
    this.sent[channel]++;
    this.pending++;
    const seq = ++this.issued;
    this.unsettled.push(seq);
    this.options.io.publish(this.subjects[channel], bytes).then(
      () => {
        this.pending--;
        this.settled(seq);
        this.wake();
      },
      (error: Error) => {
        this.pending--;
        this.failure ??= new Error(`publishing to ${this.subjects[channel]} failed: ${error.message}`, { cause: error });
        this.wake();
      },
    );
  }

  /** How many JetStream publishes were issued so far: a mark for storedUpTo. */
  publishMark(): number {
    return this.issued;
  }

  /**
   * Resolves once every publish up to `mark` is stored, rejects if a publish failed. Publishes are
   * pipelined and a failed one is only seen later, while the ones after it (a barrier) may be
   * stored: a task acknowledges a checkpoint only after this, so a checkpoint never completes
   * with a consumer's state missing records that were lost before its barrier.
   */
  storedUpTo(mark: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.aborted) return Promise.reject(new Error('the partition writer was aborted'));
    if (this.storedThrough() >= mark) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.storedWaiters.push({ mark, resolve, reject }));
  }

  awaitCapacity(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.hasCapacity()) return undefined;
    return new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Resolves when every publish is stored by the server (at the end of a task). */
  async drain(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    if (this.failure) throw this.failure;
  }

  abort(): void {
    this.aborted = true;
    this.close();
    this.wake();
  }

  private settled(seq: number): void {
    if (this.unsettled[0] !== seq) {
      this.settledEarly.add(seq);
      return;
    }
    this.unsettled.shift();
    while (this.unsettled.length > 0 && this.settledEarly.delete(this.unsettled[0])) this.unsettled.shift();
  }

  /** Every publish up to this one is stored. */
  private storedThrough(): number {
    return this.unsettled.length > 0 ? this.unsettled[0] - 1 : this.issued;
  }

  private wakeStored(): void {
    if (this.storedWaiters.length === 0) return;
    const error = this.failure ?? (this.aborted ? new Error('the partition writer was aborted') : undefined);
    const through = this.storedThrough();
    const waiting = this.storedWaiters;
    this.storedWaiters = [];
    for (const w of waiting) {
      if (error) w.reject(error);
      else if (through >= w.mark) w.resolve();
      else this.storedWaiters.push(w);
    }
  }

  close(): void {
    this.credits.unsubscribe();
    for (const port of this.ports) port?.close();
  }

  private hasCapacity(): boolean {
    if (this.aborted) return true;
    if (this.pending >= this.maxPending) return false;
    for (let c = 0; c < this.sent.length; c++) {
      if (this.sent[c] - this.consumed[c] >= this.creditWindow) return false;
      if (this.inFlightRecords[c] >= this.creditRecords) return false;
    }
    return true;
  }

  /** The consumer of `channel` has taken its first `consumed` messages: their records are no longer in flight. */
  private onConsumed(channel: number, consumed: number): void {
    const sizes = this.inFlightSizes[channel];
    for (let taken = consumed - this.consumed[channel]; taken > 0 && sizes.length > 0; taken--) this.inFlightRecords[channel] -= sizes.shift()!;
    this.consumed[channel] = consumed;
    this.wake();
  }

  private wake(): void {
    this.wakeStored();
    if (this.pending === 0 && this.drained) {
      const drained = this.drained;
      this.drained = undefined;
      drained();
    }
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.failure) {
      this.waiter = undefined;
      waiter.reject(this.failure);
    } else if (this.hasCapacity()) {
      this.waiter = undefined;
      waiter.resolve();
    }
  }
}
