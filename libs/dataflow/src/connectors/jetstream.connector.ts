/**
 * JetStream source and sink (nats v2 client). Records are one JSON document per message, or —
 * much faster, see STACK.md — a msgpack array of records per message ("msgpack-batch").
 * The source's position is the next stream sequence, so it can be rewound exactly; parallel
 * readers all read the subject and each keeps the messages whose sequence ≡ its subtask index.
 * Bounded mode stops at the subject's last message as of the first poll. The sink is in
 * jetstream.sink.ts.
 */
import { unpack } from 'msgpackr';
import { connect, type Consumer, type NatsConnection } from 'nats';
import { type NatsCredentials, explainNatsConnectError, natsConnectOptions, natsServers } from '@runnel/protocol/nats-connect-options';
import { JetStreamFormat } from './jetstream.format';
import { Boundedness, type Source, type SourceReader, type SourceReaderContext } from './source.types';

export { JetStreamFormat } from './jetstream.format';

export interface JetStreamSourceOptions {
  readonly servers: string | string[];
  readonly stream: string;
  /** A concrete subject (required for bounded mode). */
  readonly subject: string;
  readonly format?: JetStreamFormat;
  /** Stop at the last message present when reading starts. Default false (continuous). */
  readonly bounded?: boolean;
  /** First sequence to read when not restored. Default 1. */
  readonly startSequence?: number;
  /** Longest wait of one fetch when nothing is available (ms; the client's minimum is 1000). Default 1000. */
  readonly fetchExpiresMs?: number;
  /**
   * Credentials and TLS for `servers` (user/password, token, nkey seed or .creds file, CA/cert/key).
   * Given explicitly: the connector never takes the TaskManager's own NATS_* credentials.
   */
  readonly credentials?: NatsCredentials;
}

const textDecoder = new TextDecoder();

/** JetStream's API error 10037: the stream has no message matching the request. */
const NO_MESSAGE_FOUND = 10037;

function isNoMessageFound(error: unknown): boolean {
  const api = (error as { api_error?: { err_code?: number } })?.api_error;
  return api?.err_code === NO_MESSAGE_FOUND;
}

class JetStreamReader<T> implements SourceReader<T, number> {
  private nextSeq: number;
  private endSeq?: number;
  /** Bounded: messages on the subject left up to endSeq. */
  private remaining = 0;
  private nc?: NatsConnection;
  private consumer?: Consumer;

  constructor(
    private readonly o: JetStreamSourceOptions,
    private readonly ctx: SourceReaderContext,
  ) {
    this.nextSeq = o.startSequence ?? 1;
  }

  private async ensure(): Promise<Consumer> {
    if (this.consumer) return this.consumer;
    this.nc = await connect({ ...natsConnectOptions(this.o.credentials), servers: natsServers(this.o.servers), noAsyncTraces: true }).catch((error: unknown) => {
      throw explainNatsConnectError(error, this.o.credentials);
    });
    if (this.o.bounded) {
      const jsm = await this.nc.jetstreamManager();
      try {
        this.endSeq = (await jsm.streams.getMessage(this.o.stream, { last_by_subj: this.o.subject })).seq;
      } catch (error) {
        // Only "no message on the subject" means empty input; a missing stream, a timeout or a
        // refused request must fail the job, never finish it with nothing read.
        if (!isNoMessageFound(error)) {
          await this.close().catch(() => undefined);
          throw new Error(`JetStream source: cannot find the end of subject ${this.o.subject} in stream ${this.o.stream}: ${(error as Error).message}`, { cause: error });
        }
        this.endSeq = 0;
      }
    }
    const consumer = await this.nc.jetstream().consumers.get(this.o.stream, { filterSubjects: this.o.subject, opt_start_seq: this.nextSeq });
    if (this.endSeq !== undefined) this.remaining = this.endSeq >= this.nextSeq ? (await consumer.info()).num_pending : 0;
    this.consumer = consumer;
    return consumer;
  }

  async pollBatch(max: number): Promise<readonly T[] | null> {
    const consumer = await this.ensure();
    if (this.endSeq !== undefined && (this.nextSeq > this.endSeq || this.remaining <= 0)) return null;
    const out: T[] = [];
    // Bounded: ask for no more than what is left, so the fetch returns without waiting for expiry.
    const want = this.endSeq === undefined ? max : Math.min(max, this.remaining);
    const msgs = await consumer.fetch({ max_messages: want, expires: Math.max(1000, this.o.fetchExpiresMs ?? 1000) });
    for await (const m of msgs) {
      if (this.endSeq !== undefined && m.seq > this.endSeq) break;
      this.nextSeq = m.seq + 1;
      this.remaining--;
      if (m.seq % this.ctx.parallelism !== this.ctx.subtaskIndex % this.ctx.parallelism) continue;
      if (this.o.format === JetStreamFormat.MsgpackBatch) for (const r of unpack(m.data) as T[]) out.push(r);
      else out.push(JSON.parse(textDecoder.decode(m.data)) as T);
    }
    return out;
  }

  position(): number {
    return this.nextSeq;
  }
  restore(position: number): void {
    if (this.consumer) throw new Error('restore() must be called before the first poll');
    this.nextSeq = position;
  }
  async close(): Promise<void> {
    await this.nc?.close();
  }
}

export class JetStreamSource<T> implements Source<T, number> {
  readonly boundedness: Boundedness;
  readonly defaultParallelism = 1;
  constructor(readonly options: JetStreamSourceOptions) {
    this.boundedness = options.bounded ? Boundedness.Bounded : Boundedness.Continuous;
  }
  createReader(ctx: SourceReaderContext): SourceReader<T, number> {
    return new JetStreamReader<T>(this.options, ctx);
  }
  describe(): Record<string, unknown> {
    return { type: 'jetstream', stream: this.options.stream, subject: this.options.subject, format: this.options.format ?? 'json', bounded: !!this.options.bounded };
  }
}

// The sink lives in its own module (exactly-once via publish dedup ids); re-exported for imports of this one.
export { JetStreamSink, type JetStreamSinkOptions, type JetStreamSinkState } from './jetstream.sink';
