/**
 * ExchangeIo on a NATS connection: the TaskManager's own (its slots' workers reach it through
 * slot-io.server.ts), or a test's.
 */
import { CheckpointId, ClusterNamespace, JobId, StateStore, WrittenState, retryWhileJetStreamUnavailable, stateStoreFor } from '@runnel/protocol';
import { AckPolicy, ConsumerEvents, ConsumerMessages, DeliverPolicy, JetStreamClient, JsMsg, NatsConnection } from 'nats';
import type { ExchangeConsumer, ExchangeConsumerRequest, ExchangeIo, ExchangeSubscription } from './exchange-io.port';

/** Consecutive "consumer not found" answers before the input counts as lost. */
const CONSUMER_NOT_FOUND_LIMIT = 3;
const NOTHING: readonly Uint8Array[] = Object.freeze([]);

export class NatsExchangeIo implements ExchangeIo {
  private readonly js: JetStreamClient;
  private readonly states: StateStore;

  constructor(
    private readonly nc: NatsConnection,
    namespace: ClusterNamespace = ClusterNamespace.DEFAULT,
    checkpointDir?: string,
  ) {
    this.js = nc.jetstream();
    this.states = stateStoreFor(nc, checkpointDir, namespace);
  }

  async publish(subject: string, bytes: Uint8Array): Promise<void> {
    await this.js.publish(subject, bytes);
  }

  send(subject: string, bytes: Uint8Array): void {
    this.nc.publish(subject, bytes);
  }

  subscribe(subject: string, onMessage: (bytes: Uint8Array) => void): ExchangeSubscription {
    const sub = this.nc.subscribe(subject, { callback: (error, msg) => error || onMessage(msg.data) });
    return { unsubscribe: () => sub.isClosed() || sub.unsubscribe() };
  }

  async consume(request: ExchangeConsumerRequest): Promise<ExchangeConsumer> {
    const jsm = await this.nc.jetstreamManager();
    const config = {
      durable_name: request.durable,
      filter_subject: request.filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 10_000,
    };
    // On a NATS cluster missing a node the consumer may take an election to answer: retried
    // (creating a durable consumer with the same config again is a no-op).
    const what = `consumer ${request.durable} on stream ${request.stream}`;
    await saying(`creating ${what}`, retryWhileJetStreamUnavailable(() => jsm.consumers.add(request.stream, config)));
    const consumer = await saying(`looking up ${what}`, retryWhileJetStreamUnavailable(() => this.js.consumers.get(request.stream, request.durable)));
    return new PulledConsumer(await consumer.consume({ max_messages: request.batch }), request.batch);
  }

  writeState(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState> {
    return saying(`writing the state of ${vertexId}/${subtask} for checkpoint ${checkpointId}`, this.states.write(jobId, checkpointId, vertexId, subtask, bytes));
  }

  readState(handle: string, checksum: string): Promise<Uint8Array> {
    return saying(`reading state ${handle}`, this.states.read(handle, checksum));
  }

  async close(): Promise<void> {
    // The connection is its owner's.
  }
}

/**
 * A failure says what it was doing ("NatsError: TIMEOUT" alone does not): the same error, its
 * name and code kept (callers switch on them), its message prefixed.
 */
async function saying<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Error) {
      error.message = `${what}: ${error.message}`;
      throw error;
    }
    throw new Error(`${what}: ${String(error)}`);
  }
}

/**
 * nats.js' pull consumer, read batch by batch: its messages queue here (at most twice the pull
 * batch, so a reader that does not fetch stops the pulling: backpressure) until fetched, and are
 * acked when the reader has taken them.
 */
class PulledConsumer implements ExchangeConsumer {
  private readonly queue: JsMsg[] = [];
  private readonly handedOut: JsMsg[] = [];
  private readonly capacity: number;
  private waiter?: () => void;
  private space?: () => void;
  private failure?: Error;
  private stopped = false;
  /** Stream sequence of the last message queued: the consumer delivers in that order, except redeliveries. */
  private lastSeq = 0;

  constructor(private readonly messages: ConsumerMessages, batch: number) {
    this.capacity = Math.max(2, batch * 2);
    void this.watch();
    void this.pump();
  }

  async fetch(max: number, ack: number): Promise<readonly Uint8Array[]> {
    for (const m of this.handedOut.splice(0, ack)) m.ack();
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure;
      if (this.stopped) return NOTHING;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const taken = this.queue.splice(0, max);
    for (const m of taken) this.handedOut.push(m);
    this.space?.();
    return taken.map((m) => m.data);
  }

  stop(): void {
    this.stopped = true;
    this.messages.stop();
    this.wake();
    this.space?.();
  }

  private async pump(): Promise<void> {
    try {
      for await (const m of this.messages) {
        if (this.stopped) break;
        // An ack is a core NATS message: one lost while a node dies (or sent to a consumer leader
        // that died) makes the server redeliver after ack_wait, behind newer messages the reader
        // already took. Passing it on again would count its records twice (exactly-once broken).
        if (m.seq <= this.lastSeq) {
          m.ack();
          continue;
        }
        this.lastSeq = m.seq;
        this.queue.push(m);
        this.wake();
        if (this.queue.length >= this.capacity) await new Promise<void>((resolve) => (this.space = resolve));
        this.space = undefined;
      }
      // The iterator also ends when the consumer or stream is deleted under us: that is a failure.
      if (!this.stopped) this.fail('its consumer ended');
    } catch (error) {
      if (!this.stopped) this.fail((error as Error).message ?? String(error));
    }
  }

  /**
   * nats.js keeps a pull consumer retrying when its consumer or stream is deleted, and only says
   * so in status notifications: those are failures of this input (the job's stream is gone, or
   * this attempt was released and its consumers deleted).
   */
  private async watch(): Promise<void> {
    for await (const status of await this.messages.status()) {
      if (this.stopped || this.failure) return;
      const gone =
        status.type === ConsumerEvents.ConsumerDeleted ||
        status.type === ConsumerEvents.StreamNotFound ||
        (status.type === ConsumerEvents.ConsumerNotFound && Number(status.data) >= CONSUMER_NOT_FOUND_LIMIT);
      if (gone) {
        this.fail(`${status.type.replace(/_/g, ' ')}${status.data !== undefined ? ` (${String(status.data)})` : ''}`);
        this.messages.stop();
        return;
      }
    }
  }

  private fail(reason: string): void {
    this.failure ??= new Error(reason);
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
