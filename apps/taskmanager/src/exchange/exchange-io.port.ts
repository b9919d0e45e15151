/**
 * What the record exchange and the checkpoint state of a slot's tasks need of NATS, as one narrow
 * port. The edge reader and partition writer (and the task runner's state store/restore) talk only
 * to this, never to a NATS connection:
 *
 * - in the TaskManager's process, `NatsExchangeIo` (nats-exchange.io.ts) does it on the
 *   TaskManager's own connection;
 * - in a slot's worker, `SlotExchangeIo` (../runtime/slot-io.client.ts) sends each call over the
 *   slot transport to the TaskManager, which checks it against the job attempt deployed in that
 *   slot and runs it on its connection (../runtime/slot-io.server.ts). So a worker holds no NATS
 *   connection and no credentials (see the README's Security section).
 *
 * Every call carries a whole encoded element (a batch of records, a watermark, a barrier) or a
 * whole task's state, never a record.
 */
import type { CheckpointId, JobId, WrittenState } from '@runnel/protocol';

/** A durable pull consumer of one edge partition, created by `ExchangeIo.consume`. */
export interface ExchangeConsumer {
  /**
   * Acknowledges the first `ack` messages of those handed out before (in order), then resolves
   * with up to `max` messages: at least one, waiting for it; none once stopped. Rejects with the
   * reason when the consumer or its stream is gone.
   */
  fetch(max: number, ack: number): Promise<readonly Uint8Array[]>;
  stop(): void;
}

export interface ExchangeConsumerRequest {
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject: string;
  /** How many messages the consumer pulls ahead. */
  readonly batch: number;
}

export interface ExchangeSubscription {
  unsubscribe(): void;
}

export interface ExchangeIo {
  /** A JetStream publish: resolves when the server has stored the message. */
  publish(subject: string, bytes: Uint8Array): Promise<void>;
  /** A core NATS publish, not stored (credits). */
  send(subject: string, bytes: Uint8Array): void;
  /** Core NATS messages on `subject` (credits). */
  subscribe(subject: string, onMessage: (bytes: Uint8Array) => void): ExchangeSubscription;
  consume(request: ExchangeConsumerRequest): Promise<ExchangeConsumer>;
  /** One task's state of one checkpoint into the checkpoint store. */
  writeState(jobId: JobId, checkpointId: CheckpointId, vertexId: string, subtask: number, bytes: Uint8Array): Promise<WrittenState>;
  /** A task's state back (checked against its checksum). */
  readState(handle: string, checksum: string): Promise<Uint8Array>;
  close(): Promise<void>;
}
