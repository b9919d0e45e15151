/**
 * The raw ceiling of a keyed exchange between two TaskManagers: nats.js publishing ~32 KiB
 * messages through a JetStream stream from one connection (the producing TaskManager) and
 * fetching them on another (the consuming TaskManager), with no processing but decoding.
 *
 * The payload is fixed by the query's input, not by Runnel's batching: the bids of the input,
 * msgpackr-encoded and cut into messages of about 32 KiB (ARCHITECTURE.md's batch size), so the
 * baseline carries the same records and about the same bytes the exchange has to move and does
 * not move when Runnel's own batching changes. Publishes are pipelined with a bounded window.
 */
import type { NexmarkEvent } from '@runnel/dataflow';
import { Packr } from 'msgpackr';
import { AckPolicy, RetentionPolicy, StorageType, connect, type NatsConnection } from 'nats';
import { natsConnectOptions, natsCredentialsFromEnv, natsServers } from '@runnel/protocol/nats-connect-options';

export const RAW_MESSAGE_BYTES = 32 * 1024;
const PUBLISH_WINDOW = 64;

export interface RawResult {
  /** Records carried (the bids of the input). */
  readonly records: number;
  readonly messages: number;
  readonly bytes: number;
  readonly wallMs: number;
}

/** The bids of `events` msgpackr-encoded in messages of about `RAW_MESSAGE_BYTES`. */
export function rawMessages(events: readonly NexmarkEvent[]): { messages: Uint8Array[]; records: number } {
  const packr = new Packr({ useRecords: true });
  const bids = events.filter((e) => e.type === 'bid');
  // Size one probe batch to find how many bids fill a message, then cut the rest alike.
  const probe = packr.pack(bids.slice(0, 256)).length / Math.min(256, Math.max(1, bids.length));
  const perMessage = Math.max(1, Math.floor(RAW_MESSAGE_BYTES / Math.max(1, probe)));
  const messages: Uint8Array[] = [];
  for (let i = 0; i < bids.length; i += perMessage) messages.push(packr.pack(bids.slice(i, i + perMessage)));
  return { messages, records: bids.length };
}

async function open(natsUrl: string): Promise<NatsConnection> {
  return connect({ ...natsConnectOptions(natsCredentialsFromEnv(process.env)), servers: natsServers(natsUrl), noAsyncTraces: true });
}

export async function rawJetStreamBaseline(natsUrl: string, events: readonly NexmarkEvent[]): Promise<RawResult> {
  const { messages, records } = rawMessages(events);
  const producer = await open(natsUrl);
  const consumerConnection = await open(natsUrl);
  const jsm = await producer.jetstreamManager();
  const stream = `raw-bench-${Date.now()}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue });
  await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
  const consumer = await consumerConnection.jetstream().consumers.get(stream, 'c');
  const js = producer.jetstream();
  const unpackr = new Packr({ useRecords: true });
  let decoded = 0;
  const started = process.hrtime.bigint();
  let received = 0;
  const fetching = (async () => {
    if (messages.length === 0) return;
    const iterator = await consumer.consume({ max_messages: 64 });
    for await (const m of iterator) {
      decoded += (unpackr.unpack(m.data) as unknown[]).length;
      m.ack();
      if (++received === messages.length) break;
    }
  })();
  let pending: Promise<unknown>[] = [];
  for (const m of messages) {
    pending.push(js.publish(`${stream}.0`, m));
    if (pending.length >= PUBLISH_WINDOW) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  await fetching;
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  await jsm.streams.delete(stream);
  await Promise.all([producer.drain(), consumerConnection.drain()]);
  if (decoded !== records) throw new Error(`raw baseline decoded ${decoded} records, sent ${records}`);
  return { records, messages: messages.length, bytes: messages.reduce((a, m) => a + m.length, 0), wallMs };
}
