/**
 * The job's data stream against a real NATS server (RUNNEL_TEST_NATS_URL or the local one): one
 * stream for all attempts, an attempt's release purging its records (acked or not) and deleting its
 * consumers, the next attempt reading only its own records, the job's end deleting the stream.
 */
import { ClusterNamespace, JobIds } from '@runnel/protocol';
import { randomBytes } from 'node:crypto';
import { AckPolicy, DeliverPolicy, JetStreamManager, NatsConnection, connect } from 'nats';
import { JetStreamDataStreamAdmin } from './jetstream-data-stream.admin';

const NATS_URL = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('JetStreamDataStreamAdmin', () => {
  const namespace = ClusterNamespace.of(`admin-${randomBytes(4).toString('hex')}`);
  const names = namespace.data;
  const jobId = JobIds.generate();
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let admin: JetStreamDataStreamAdmin;

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
    jsm = await nc.jetstreamManager();
    admin = new JetStreamDataStreamAdmin(nc, 'memory', namespace);
  });

  afterAll(async () => {
    await jsm?.streams.delete(names.stream(jobId)).catch(() => undefined);
    await nc?.drain();
  });

  /** A durable consumer as the TaskManager's exchange makes it (nats-exchange.io.ts). */
  const consumer = (attempt: number, edge: number, partition: number) =>
    jsm.consumers.add(names.stream(jobId), {
      durable_name: names.consumer(attempt, edge, partition),
      filter_subject: names.subject(jobId, attempt, edge, partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
  const publish = async (attempt: number, edge: number, partition: number, values: number[]) => {
    const js = nc.jetstream();
    for (const v of values) await js.publish(names.subject(jobId, attempt, edge, partition), new Uint8Array([attempt, v]));
  };
  const consumerNames = async () => {
    const found: string[] = [];
    for await (const c of jsm.consumers.list(names.stream(jobId))) found.push(c.name);
    return found.sort();
  };
  const dataStreams = async () => {
    const found: string[] = [];
    for await (const name of jsm.streams.names()) if (names.jobOf(name) === jobId) found.push(name);
    return found;
  };

  it('keeps one stream for the job: released attempts leave nothing the next one reads, the end deletes it', async () => {
    const stream = await admin.create(jobId, 0);
    expect(stream).toBe(names.stream(jobId));
    expect(stream).toBe(`runnel-data-${jobId}-${namespace.id}`);

    // Attempt 0: records on two partitions, one read (taken, never acked), the other never read.
    await consumer(0, 0, 0);
    await consumer(0, 1, 2);
    await publish(0, 0, 0, [1, 2, 3, 4, 5]);
    await publish(0, 1, 2, [6, 7, 8]);
    const taken = await (await nc.jetstream().consumers.get(stream, names.consumer(0, 0, 0))).fetch({ max_messages: 2, expires: 2000 });
    const unacked: number[] = [];
    for await (const m of taken) unacked.push(m.data[1]);
    expect(unacked).toEqual([1, 2]);
    expect((await jsm.streams.info(stream)).state.messages).toBe(8);

    await admin.releaseAttempt(jobId, 0);
    expect(await consumerNames()).toEqual([]);
    expect((await jsm.streams.info(stream)).state.messages).toBe(0);

    // Attempt 1, same stream (the create is idempotent); attempt 0's tasks publish once more, late.
    expect(await admin.create(jobId, 1)).toBe(stream);
    expect(await dataStreams()).toEqual([stream]);
    await publish(1, 0, 0, [10, 11]);
    await publish(0, 0, 0, [99]);
    await consumer(1, 0, 0);
    expect(await consumerNames()).toEqual([names.consumer(1, 0, 0)]);
    const read: number[][] = [];
    for await (const m of await (await nc.jetstream().consumers.get(stream, names.consumer(1, 0, 0))).fetch({ max_messages: 10, expires: 1000 })) {
      read.push([...m.data]);
      m.ack();
    }
    expect(read).toEqual([[1, 10], [1, 11]]);
    // The late record sits on attempt 0's subject, read by nobody, until a sweep or the job's end.
    const left = await jsm.streams.info(stream, { subjects_filter: names.streamSubjects(jobId) });
    expect(left.state.subjects).toEqual({ [names.subject(jobId, 0, 0, 0)]: 1 });

    // Releasing attempt 0 again (the sweeper does) purges it and leaves attempt 1's consumer.
    await admin.releaseAttempt(jobId, 0);
    expect((await jsm.streams.info(stream)).state.messages).toBe(0);
    expect(await consumerNames()).toEqual([names.consumer(1, 0, 0)]);

    await admin.delete(jobId);
    expect(await dataStreams()).toEqual([]);
    // Both are no-ops once the stream is gone (a release in the background racing the job's end).
    await admin.releaseAttempt(jobId, 1);
    await admin.delete(jobId);
  });
});
