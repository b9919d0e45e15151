/**
 * JetStream sink, exactly-once through publish deduplication. Every message carries a
 * `Nats-Msg-Id` that is a pure function of the record's place in the sink subtask's input:
 *
 *     <prefix>.<epoch>.<subtask>.<seq>        (msgpack-batch: <prefix>.<epoch>.<subtask>.<firstSeq>+<count>)
 *
 * `seq` counts the records this subtask received since the epoch began and is part of the
 * checkpoint state, so after a restore from checkpoint n the replayed records get exactly the ids
 * the failed attempt used, and the stream drops the copies it already holds. The epoch is the job
 * id of the run that started counting (stable across the cluster's restarts of one job); a restore
 * at another parallelism starts a new epoch (`<jobId>~<checkpoint>p<parallelism>`), because records
 * move between subtasks and old ids would name other records.
 *
 * Requirements:
 * - The stream's `duplicate_window` must be longer than the time from a publish to its replay
 *   after a failure (checkpoint interval + failure detection + restart delay + catch-up); past it,
 *   replays are duplicates (at-least-once).
 * - The sink subtask's input order must be the same on replay, or an id could name another record
 *   and a record could be dropped as a "duplicate". So by default ids are only used when the
 *   runtime knows the order is deterministic (single input channels from the sources, no shuffle:
 *   `SinkWriterContext.deterministicInputOrder`); otherwise the sink is at-least-once. Behind a
 *   keyBy/union, `deduplicate: true` forces ids — only for inputs whose order is stable anyway.
 * - msgpack-batch ids match only when a replayed batch has the same boundaries: best-effort.
 */
import { randomUUID } from 'node:crypto';
import { pack } from 'msgpackr';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { type NatsCredentials, explainNatsConnectError, natsConnectOptions, natsServers } from '@runnel/protocol/nats-connect-options';
import { SinkStateError } from '../core/dataflow.errors';
import { JetStreamFormat } from './jetstream.format';
import type { Sink, SinkWriter, SinkWriterContext } from './source.types';


export interface JetStreamSinkOptions {
  readonly servers: string | string[];
  readonly subject: string;
  readonly format?: JetStreamFormat;
  /**
   * Publish with Nats-Msg-Id. Default: when the input order is known to be deterministic
   * (see the module comment); true forces it, false turns it off (at-least-once after a restore).
   */
  readonly deduplicate?: boolean;
  /** First part of the ids (default `<jobName>/<operatorUid>`); must be unique among writers to the stream. */
  readonly idPrefix?: string;
  /** Credentials and TLS for `servers`, given explicitly (see JetStreamSourceOptions.credentials). */
  readonly credentials?: NatsCredentials;
}

/** Operator state of one writer (plain JSON). */
export interface JetStreamSinkState {
  readonly version: 1;
  readonly subtask: number;
  readonly parallelism: number;
  readonly epoch: string;
  /** Records received before the checkpoint's barrier in this epoch. */
  readonly seq: number;
  readonly checkpointId: number;
}

const textEncoder = new TextEncoder();

class JetStreamWriter<T> implements SinkWriter<T> {
  private epoch: string;
  private seq = 0;
  private idBase = '';
  private readonly dedup: boolean;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly o: JetStreamSinkOptions,
    private readonly ctx: SinkWriterContext,
  ) {
    this.epoch = ctx.jobId ?? randomUUID();
    this.dedup = o.deduplicate ?? ctx.deterministicInputOrder !== false;
    this.updateIdBase();
  }

  private updateIdBase(): void {
    const prefix = this.o.idPrefix ?? `${this.ctx.jobName ?? 'job'}/${this.ctx.operatorUid ?? 'sink'}`;
    this.idBase = `${prefix}.${this.epoch}.${this.ctx.subtaskIndex}.`;
  }

  restoreState(raw: unknown): void {
    const s = raw as JetStreamSinkState | undefined;
    if (!s || s.version !== 1 || typeof s.seq !== 'number') throw new SinkStateError('JetStreamSink', 'not a JetStreamSink state');
    // Adopted states of removed subtasks (scale-in) carry nothing to commit: acks were awaited.
    if (s.subtask !== this.ctx.subtaskIndex) return;
    if (s.parallelism === this.ctx.parallelism) {
      this.epoch = s.epoch;
      this.seq = s.seq;
    } else {
      // Deterministic, so a failed rescaled attempt restored again from the same checkpoint reuses it.
      this.epoch = `${s.epoch}~${s.checkpointId}p${this.ctx.parallelism}`;
      this.seq = 0;
    }
    this.updateIdBase();
  }

  async write(values: readonly T[]): Promise<void> {
    const { subject } = this.o;
    const dedup = this.dedup;
    if (this.o.format === JetStreamFormat.MsgpackBatch) {
      const msgID = `${this.idBase}${this.seq}+${values.length}`;
      this.seq += values.length;
      await this.js.publish(subject, pack(values), dedup ? { msgID } : undefined);
      return;
    }
    // Acks of a batch are awaited together, never one by one.
    const acks = new Array<Promise<unknown>>(values.length);
    const base = this.idBase;
    let seq = this.seq;
    for (let i = 0; i < values.length; i++) {
      const data = textEncoder.encode(JSON.stringify(values[i]));
      acks[i] = dedup ? this.js.publish(subject, data, { msgID: base + seq++ }) : this.js.publish(subject, data);
    }
    this.seq += values.length;
    await Promise.all(acks);
  }

  /** Every batch before the barrier was acknowledged by the stream (write awaited the acks). */
  snapshotState(checkpointId: number): JetStreamSinkState {
    return { version: 1, subtask: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism, epoch: this.epoch, seq: this.seq, checkpointId };
  }

  close(): Promise<void> {
    return this.nc.drain();
  }
}

/** Publishes each input batch and awaits the acks of the batch together. */
export class JetStreamSink<T> implements Sink<T> {
  constructor(readonly options: JetStreamSinkOptions) {}
  async createWriter(ctx: SinkWriterContext): Promise<SinkWriter<T>> {
    const nc = await connect({ ...natsConnectOptions(this.options.credentials), servers: natsServers(this.options.servers), noAsyncTraces: true }).catch((error: unknown) => {
      throw explainNatsConnectError(error, this.options.credentials);
    });
    return new JetStreamWriter<T>(nc, nc.jetstream(), this.options, ctx);
  }
  describe(): Record<string, unknown> {
    return {
      type: 'jetstream',
      subject: this.options.subject,
      format: this.options.format ?? 'json',
      ...(this.options.deduplicate === false ? { deduplicate: false } : {}),
      ...(this.options.idPrefix !== undefined ? { idPrefix: this.options.idPrefix } : {}),
    };
  }
}
