/**
 * Consumer side of a JetStream exchange: pulls one edge's partition for this subtask (bounded
 * batches), decodes each message into its channel of the task's input gate, and sends credits back
 * to the producing subtasks. When the gate's channel is full it stops pulling: that, with the
 * producers' credit window, is the backpressure.
 */
import { ClusterDataNames, ClusterNamespace, retryWhileJetStreamUnavailable } from '@runnel/protocol';
import type { InProcessInputGate } from '@runnel/dataflow';
import { Packr } from 'msgpackr';
import { AckPolicy, ConsumerEvents, ConsumerMessages, DeliverPolicy, JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { ElementCodec } from './element.codec';

export interface JetStreamEdgeReaderOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly jobId: string;
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
/** Consecutive "consumer not found" answers before the input counts as lost. */
const CONSUMER_NOT_FOUND_LIMIT = 3;
const CREDIT_INTERVAL_MS = 50;

export class JetStreamEdgeReader {
  private readonly codec = new ElementCodec();
  private readonly packr = new Packr();
  private readonly consumedBySource = new Map<number, number>();
  private readonly unreported = new Set<number>();
  private messages?: ConsumerMessages;
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
    const name = this.names.consumer(o.edgeIndex, o.partition);
    const config = {
      durable_name: name,
      filter_subject: this.names.subject(o.jobId, o.attempt, o.edgeIndex, o.partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 10_000,
    };
    // On a NATS cluster missing a node the consumer may take an election to answer: retried.
    const stopped = () => this.stopped;
    await retryWhileJetStreamUnavailable(() => o.jsm.consumers.add(o.stream, config), { stopped });
    const consumer = await retryWhileJetStreamUnavailable(() => o.js.consumers.get(o.stream, name), { stopped });
    this.messages = await consumer.consume({ max_messages: o.batch ?? 32 });
    this.timer = setInterval(() => this.sendCredits(), CREDIT_INTERVAL_MS);
    void this.watch(this.messages);
    void this.loop();
  }

  /**
   * nats.js keeps a pull consumer retrying when its consumer or stream is deleted, and only says
   * so in status notifications: those are failures of this input (the attempt's stream is gone).
   */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of await messages.status()) {
      if (this.stopped || this.failed) return;
      const gone =
        status.type === ConsumerEvents.ConsumerDeleted ||
        status.type === ConsumerEvents.StreamNotFound ||
        (status.type === ConsumerEvents.ConsumerNotFound && Number(status.data) >= CONSUMER_NOT_FOUND_LIMIT);
      if (gone) {
        this.fail(`${status.type.replace(/_/g, ' ')}${status.data !== undefined ? ` (${String(status.data)})` : ''}`);
        messages.stop();
        return;
      }
    }
  }

  private async loop(): Promise<void> {
    const o = this.options;
    let sinceCredit = 0;
    try {
      for await (const m of this.messages!) {
        if (this.stopped) break;
        const { source, element } = this.codec.decode(m.data);
        const channel = o.forward ? o.channelBase : o.channelBase + source;
        if (element.type === 'records') this.recordsIn += element.values.length;
        this.bytesIn += m.data.length;
        o.gate.push(channel, element);
        m.ack();
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
      // The iterator also ends when the consumer or stream is deleted under us: that is a failure.
      if (!this.stopped) this.fail('its consumer ended');
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
      o.nc.publish(this.names.credit(o.jobId, o.attempt, o.edgeIndex, source), this.packr.pack([o.partition, this.consumedBySource.get(source)]));
    }
    this.unreported.clear();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.messages?.stop();
  }
}
