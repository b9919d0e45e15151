/**
 * Consumer side of a JetStream exchange: pulls one edge's partition for this subtask (bounded
 * batches), decodes each message into its channel of the task's input gate, and sends credits back
 * to the producing subtasks. When the gate's channel is full it stops pulling: that, with the
 * producers' credit window, is the backpressure. NATS is reached through an ExchangeIo (in a
 * slot's worker: through the TaskManager).
 */
import { type ClusterDataNames, ClusterNamespace, type JobId } from '@runnel/protocol/slot-runtime';
import type { InProcessInputGate } from '@runnel/dataflow';
import { Packr } from 'msgpackr';
import { ElementCodec } from './element.codec';
import type { ExchangeConsumer, ExchangeIo } from './exchange-io.port';

export interface JetStreamEdgeReaderOptions {
  readonly io: ExchangeIo;
  readonly stream: string;
  readonly jobId: JobId;
  readonly attempt: number;
  readonly edgeIndex: number;
  readonly partition: number;
  readonly gate: InProcessInputGate;
  /** Gate channel of source subtask 0 of this edge. */
  readonly channelBase: number;
  /** Forward edges have one channel (the same-index subtask); others one per source subtask. */
  readonly forward: boolean;
  readonly batch?: number;
  /** The cluster's data names (default: the default cluster's). */
  readonly names?: ClusterDataNames;
}

const CREDIT_EVERY = 4;
const CREDIT_INTERVAL_MS = 50;

export class JetStreamEdgeReader {
  private readonly codec = new ElementCodec();
  private readonly packr = new Packr();
  private readonly consumedBySource = new Map<number, number>();
  private readonly unreported = new Set<number>();
  private consumer?: ExchangeConsumer;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failed = false;
  recordsIn = 0;
  bytesIn = 0;

  constructor(private readonly options: JetStreamEdgeReaderOptions) {}

  private get names(): ClusterDataNames {
    return this.options.names ?? ClusterNamespace.DEFAULT.data;
  }

  /** Creates the durable consumer and starts pulling; resolves once consuming began. */
  async start(): Promise<void> {
    const o = this.options;
    this.consumer = await o.io.consume({
      stream: o.stream,
      durable: this.names.consumer(o.attempt, o.edgeIndex, o.partition),
      filterSubject: this.names.subject(o.jobId, o.attempt, o.edgeIndex, o.partition),
      batch: o.batch ?? 32,
    });
    this.timer = setInterval(() => this.sendCredits(), CREDIT_INTERVAL_MS);
    void this.loop(this.consumer);
  }

  private async loop(consumer: ExchangeConsumer): Promise<void> {
    const o = this.options;
    const max = o.batch ?? 32;
    let sinceCredit = 0;
    try {
      // The next batch is asked for while this one is decoded (one round trip hidden per batch);
      // each fetch acknowledges the batch before this one, which the gate has taken.
      let next = consumer.fetch(max, 0);
      let taken = 0;
      while (!this.stopped) {
        const batch = await next;
        if (batch.length === 0) {
          // Only a stopped consumer answers with nothing: stopped under us, that is a failure.
          if (!this.stopped) this.fail('its consumer ended');
          return;
        }
        next = consumer.fetch(max, taken);
        next.catch(() => undefined); // its failure is seen when it is awaited
        taken = batch.length;
        for (const data of batch) {
          if (this.stopped) break;
          const { source, element } = this.codec.decode(data);
          const channel = o.forward ? o.channelBase : o.channelBase + source;
          if (element.type === 'records') this.recordsIn += element.values.length;
          this.bytesIn += data.length;
          o.gate.push(channel, element);
          this.consumedBySource.set(source, (this.consumedBySource.get(source) ?? 0) + 1);
          this.unreported.add(source);
          if (++sinceCredit >= CREDIT_EVERY) {
            sinceCredit = 0;
            this.sendCredits();
          }
          const full = o.gate.waitForCapacity(channel);
          if (full) {
            this.sendCredits();
            await full;
          }
        }
      }
    } catch (error) {
      if (!this.stopped) this.fail((error as Error).message ?? String(error), error);
    }
  }

  /** Fails the task that reads this partition, with the cause (never an empty input). */
  private fail(reason: string, cause?: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const o = this.options;
    clearInterval(this.timer);
    const error = new Error(`reading partition ${o.partition} of edge ${o.edgeIndex} from JetStream stream ${o.stream} failed: ${reason}`, { cause });
    error.name = 'ExchangeReadError';
    if (o.gate.fail) o.gate.fail(error);
    else o.gate.abort();
  }

  private sendCredits(): void {
    const o = this.options;
    for (const source of this.unreported) {
      o.io.send(this.names.credit(o.jobId, o.attempt, o.edgeIndex, source), this.packr.pack([o.partition, this.consumedBySource.get(source)]));
    }
    this.unreported.clear();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.consumer?.stop();
  }
}
