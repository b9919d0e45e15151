/**
 * The raw ceiling of the record exchange: nats.js publishing batched messages of Nexmark events
 * (msgpackr, as the TaskManagers send them) through a JetStream stream and fetching them back,
 * with no processing. Publishes are pipelined with a bounded window, as in the runtime.
 */
import { generateNexmarkEvents } from '@runnel/dataflow';
import { Packr } from 'msgpackr';
import { AckPolicy, RetentionPolicy, StorageType, connect } from 'nats';
import { natsConnectOptions, natsCredentialsFromEnv, natsServers } from '@runnel/protocol/nats-connect-options';

export interface RawResult {
  readonly events: number;
  readonly messages: number;
  readonly bytes: number;
  readonly wallMs: number;
}

export async function rawJetStreamBaseline(natsUrl: string, events: number, batch = 256): Promise<RawResult> {
  const data = generateNexmarkEvents({ events, rate: 10_000, seed: 7 });
  const packr = new Packr({ useRecords: true });
  const messages: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += batch) {
    const values = data.slice(i, i + batch);
    messages.push(packr.pack([0, 0, values, values.map((e) => e.dateTime)]));
  }
  const nc = await connect({ ...natsConnectOptions(natsCredentialsFromEnv(process.env)), servers: natsServers(natsUrl), noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const stream = `raw-bench-${Date.now()}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue });
  await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
  const consumer = await js.consumers.get(stream, 'c');
  const started = process.hrtime.bigint();
  let received = 0;
  const fetching = (async () => {
    const iterator = await consumer.consume({ max_messages: 64 });
    for await (const m of iterator) {
      packr.unpack(m.data);
      m.ack();
      if (++received === messages.length) break;
    }
  })();
  let pending: Promise<unknown>[] = [];
  for (const m of messages) {
    pending.push(js.publish(`${stream}.0`, m));
    if (pending.length >= 256) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  await fetching;
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  await jsm.streams.delete(stream);
  await nc.drain();
  return { events: data.length, messages: messages.length, bytes: messages.reduce((a, m) => a + m.length, 0), wallMs };
}
