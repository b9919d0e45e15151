/**
 * A slot worker's NATS I/O through its TaskManager, against a real NATS server (RUNNEL_TEST_NATS_URL
 * or the local one): the worker side (SlotExchangeIo) and the TaskManager side (SlotIoServer) over a
 * real MessageChannel. What the slot's deployments need works — checkpoint state written and read
 * back — and anything else is refused with the reason, without reaching NATS.
 */
import { CheckpointIds, CheckpointStore, ClusterNamespace, DataNames, JobIds } from '@runnel/protocol';
import { randomBytes } from 'node:crypto';
import { NatsConnection, RetentionPolicy, StorageType, connect } from 'nats';
import { NatsExchangeIo } from '../exchange/nats-exchange.io';
import { loopbackSlotIo } from './slot-io.loopback';
import { SlotIoRefusedError } from './slot-io.client';
import { SlotIoScope } from './slot-io.scope';
import type { Deployment } from './task-runner';

const NATS_URL = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const job = JobIds.parse(randomBytes(16).toString('hex'));
const other = JobIds.parse(randomBytes(16).toString('hex'));

describe('slot I/O through the TaskManager', () => {
  let nc: NatsConnection;
  let loop: ReturnType<typeof loopbackSlotIo>;
  const logged: string[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
    const jsm = await nc.jetstreamManager();
    for (const j of [job, other]) await jsm.streams.add({ name: DataNames.stream(j), subjects: [DataNames.streamSubjects(j)], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue });
    // The job's checkpoint bucket, as its JobManager creates it before deploying (a TaskManager only opens it).
    await new CheckpointStore(nc, ClusterNamespace.DEFAULT, 1).createJobBucket(job);
    const scope = new SlotIoScope(3, job, ClusterNamespace.DEFAULT.data);
    scope.allow({ jobId: job, attempt: 0, dataStream: DataNames.stream(job), vertexId: 'count', subtaskIndex: 1, restore: { checkpointId: 1, handles: [{ handle: `${job}/chk-1/count/0`, checksum: 'x' }] } } as unknown as Deployment);
    loop = loopbackSlotIo(new NatsExchangeIo(nc), scope, (m) => logged.push(m));
  });

  afterAll(async () => {
    loop?.close();
    const jsm = await nc?.jetstreamManager();
    for (const j of [job, other]) await jsm?.streams.delete(DataNames.stream(j)).catch(() => undefined);
    await jsm?.streams.delete(`OBJ_${ClusterNamespace.DEFAULT.checkpointBucketOf(job)}`).catch(() => undefined);
    await nc?.drain();
  });

  it('publishes the slot job’s data and refuses another job’s, which never reaches its stream', async () => {
    const io = loop.client;
    const refused = io.publish(DataNames.subject(other, 0, 0, 0), new Uint8Array([1]));
    await expect(refused).rejects.toThrow(SlotIoRefusedError);
    await expect(refused).rejects.toThrow(`slot 3 (job ${job}) may not do this through its TaskManager: publish to ${DataNames.subject(other, 0, 0, 0)}: it is not a data subject of the job attempts deployed in this slot`);
    await io.publish(DataNames.subject(job, 0, 0, 1), new Uint8Array([2, 3]));
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(DataNames.stream(other))).state.messages).toBe(0);
    expect((await jsm.streams.info(DataNames.stream(job))).state.messages).toBe(1);
    // A later attempt's subject is not allowed either, until an attempt of it is deployed here.
    await expect(io.publish(DataNames.subject(job, 1, 0, 0), new Uint8Array([1]))).rejects.toThrow(SlotIoRefusedError);
  });

  it('gives a slot the names of its newest attempt only: a restart takes the old attempt’s away', () => {
    const scope = new SlotIoScope(5, job, ClusterNamespace.DEFAULT.data);
    const deploy = (attempt: number) => scope.allow({ jobId: job, attempt, dataStream: DataNames.stream(job), vertexId: 'count', subtaskIndex: 0 } as unknown as Deployment);
    deploy(0);
    scope.checkDataSubject(DataNames.subject(job, 0, 1, 1));
    scope.checkConsumer(DataNames.stream(job), DataNames.consumer(0, 1, 1), DataNames.subject(job, 0, 1, 1));
    deploy(1);
    scope.checkDataSubject(DataNames.subject(job, 1, 1, 1));
    scope.checkCreditSubject(DataNames.credit(job, 1, 1, 0));
    expect(() => scope.checkDataSubject(DataNames.subject(job, 0, 1, 1))).toThrow(/it is not a data subject of the job attempts deployed in this slot/);
    expect(() => scope.checkCreditSubject(DataNames.credit(job, 0, 1, 0))).toThrow(SlotIoRefusedError);
    expect(() => scope.checkConsumer(DataNames.stream(job), DataNames.consumer(0, 1, 1), DataNames.subject(job, 0, 1, 1))).toThrow(SlotIoRefusedError);
    // A deployment of the old attempt arriving late gives nothing back.
    deploy(0);
    expect(() => scope.checkDataSubject(DataNames.subject(job, 0, 1, 1))).toThrow(SlotIoRefusedError);
    // Another job's stream is refused even when a deployment names it.
    scope.allow({ jobId: job, attempt: 1, dataStream: DataNames.stream(other), vertexId: 'count', subtaskIndex: 0 } as unknown as Deployment);
    expect(() => scope.checkConsumer(DataNames.stream(other), DataNames.consumer(1, 1, 1), DataNames.subject(job, 1, 1, 1))).toThrow(/it is not the data stream/);
  });

  it('consumes the slot job’s partition in batches and refuses a consumer on another job’s stream', async () => {
    const io = loop.client;
    await expect(io.consume({ stream: DataNames.stream(other), durable: DataNames.consumer(0, 0, 0), filterSubject: DataNames.subject(other, 0, 0, 0), batch: 8 })).rejects.toThrow(/it is not the data stream of a job attempt deployed in this slot/);
    await expect(io.consume({ stream: DataNames.stream(job), durable: DataNames.consumer(0, 0, 0), filterSubject: DataNames.subject(other, 0, 0, 0), batch: 8 })).rejects.toThrow(/it is not a data subject/);
    // The job's stream is shared by its attempts: an attempt deployed here reads its own subjects with its own consumers only.
    await expect(io.consume({ stream: DataNames.stream(job), durable: DataNames.consumer(1, 2, 0), filterSubject: DataNames.subject(job, 1, 2, 0), batch: 8 })).rejects.toThrow(/it is not a data subject/);
    await expect(io.consume({ stream: DataNames.stream(job), durable: DataNames.consumer(1, 2, 0), filterSubject: DataNames.subject(job, 0, 2, 0), batch: 8 })).rejects.toThrow(`a consumer named "a1-e2-p0" of ${DataNames.subject(job, 0, 2, 0)}: that subject's consumer is a0-e2-p0`);
    await expect(io.consume({ stream: DataNames.stream(job), durable: DataNames.consumer(0, 2, 1), filterSubject: DataNames.subject(job, 0, 2, 0), batch: 8 })).rejects.toThrow(SlotIoRefusedError);
    const subject = DataNames.subject(job, 0, 2, 0);
    await Promise.all(Array.from({ length: 5 }, (_, i) => io.publish(subject, new Uint8Array([i, i, i]))));
    const consumer = await io.consume({ stream: DataNames.stream(job), durable: DataNames.consumer(0, 2, 0), filterSubject: subject, batch: 8 });
    const got: number[][] = [];
    let ack = 0;
    while (got.length < 5) {
      const batch = await consumer.fetch(8, ack);
      ack = batch.length;
      for (const m of batch) got.push([...m]);
    }
    expect(got).toEqual([0, 1, 2, 3, 4].map((i) => [i, i, i]));
    consumer.stop();
  });

  it('writes and reads back its own tasks’ checkpoint state; refuses another task’s, another job’s, and reads it does not restore', async () => {
    const io = loop.client;
    const bytes = randomBytes(3000);
    const written = await io.writeState(job, CheckpointIds.parse(7), 'count', 1, bytes);
    expect(written).toMatchObject({ handle: `${job}/chk-7/count/1`, size: 3000 });
    await expect(io.writeState(job, CheckpointIds.parse(7), 'count', 0, bytes)).rejects.toThrow(/writing checkpoint state of count \(subtask 0\): that task is not deployed in this slot/);
    await expect(io.writeState(other, CheckpointIds.parse(7), 'count', 1, bytes)).rejects.toThrow(`writing checkpoint state of job ${other}: the slot runs job ${job}`);
    // Its own just-written object is no restore handle of a deployment here: not readable either.
    await expect(io.readState(written.handle, written.checksum)).rejects.toThrow(/no deployment into this slot restores it/);
    await expect(io.readState(`${other}/chk-1/count/0`, 'x')).rejects.toThrow(SlotIoRefusedError);
    // A handle its deployment restores is read (here: it does not exist, and the store says so).
    await expect(io.readState(`${job}/chk-1/count/0`, 'x')).rejects.toThrow(/is unusable: it is missing from the checkpoint buckets/);
    expect(logged.some((m) => m.includes(`writing checkpoint state of job ${other}`))).toBe(true);
  });

  it('reads back restored state through the TaskManager, checked against its checksum', async () => {
    const scope = new SlotIoScope(4, job, ClusterNamespace.DEFAULT.data);
    const direct = new NatsExchangeIo(nc);
    const written = await direct.writeState(job, CheckpointIds.parse(9), 'sum', 0, new Uint8Array([9, 8, 7]));
    scope.allow({ jobId: job, attempt: 1, dataStream: DataNames.stream(job), vertexId: 'sum', subtaskIndex: 0, restore: { checkpointId: 9, handles: [written] } } as unknown as Deployment);
    const restoring = loopbackSlotIo(direct, scope);
    try {
      expect([...(await restoring.client.readState(written.handle, written.checksum))]).toEqual([9, 8, 7]);
      await expect(restoring.client.readState(written.handle, '0'.repeat(64))).rejects.toThrow(/does not match the recorded/);
    } finally {
      restoring.close();
    }
  });
});
