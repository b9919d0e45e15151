/**
 * The JetStream exchange against a real NATS server (RUNNEL_TEST_NATS_URL or the local one), on a
 * stream of this test's own: order per channel, channel mapping, and credit-based backpressure —
 * on a connection of its own, and as in a slot's worker: through the TaskManager's slot I/O
 * (SlotExchangeIo ↔ SlotIoServer over a MessageChannel).
 */
import { ClusterNamespace, DataNames, JobIds, type JobId } from '@runnel/protocol';
import { InProcessInputGate, InputItem, StreamElement } from '@runnel/dataflow';
import { randomBytes } from 'node:crypto';
import { JetStreamManager, NatsConnection, RetentionPolicy, StorageType, connect } from 'nats';
import { ElementCodec } from './element.codec';
import { JetStreamEdgeReader } from './jetstream-edge.reader';
import { JetStreamPartitionWriter } from './jetstream-partition.writer';
import type { ExchangeIo } from './exchange-io.port';
import { NatsExchangeIo } from './nats-exchange.io';
import { loopbackSlotIo } from '../runtime/slot-io.loopback';
import { SlotIoScope } from '../runtime/slot-io.scope';
import type { Deployment } from '../runtime/task-runner';

const NATS_URL = process.env.RUNNEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const jobId = JobIds.parse(randomBytes(16).toString('hex'));
const stream = DataNames.stream(jobId);

async function drainGate(gate: InProcessInputGate, count: number): Promise<InputItem[]> {
  const items: InputItem[] = [];
  while (items.length < count) {
    const next = gate.next(5000);
    const item = next instanceof Promise ? await next : next;
    if (!item) throw new Error(`gate timed out after ${items.length} of ${count} elements`);
    items.push(item);
  }
  return items;
}

/** A scope that allows what the tasks of `job` (attempt 0 on `dataStream`) do. */
function scopeFor(job: JobId, dataStream: string): SlotIoScope {
  const scope = new SlotIoScope(0, job, ClusterNamespace.DEFAULT.data);
  scope.allow({ jobId: job, attempt: 0, dataStream, vertexId: 'v', subtaskIndex: 0 } as unknown as Deployment);
  return scope;
}

describe.each(['direct', 'through the TaskManager'] as const)('JetStream exchange (%s)', (mode) => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const loops: { close(): void }[] = [];
  /** The ExchangeIo a task of `job` gets in this mode. */
  const ioFor = (job: JobId, dataStream: string): ExchangeIo => {
    const direct = new NatsExchangeIo(nc);
    if (mode === 'direct') return direct;
    const loop = loopbackSlotIo(direct, scopeFor(job, dataStream));
    loops.push(loop);
    return loop.client;
  };
  let io: ExchangeIo;

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
    jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [DataNames.streamSubjects(jobId)], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue });
    io = ioFor(jobId, stream);
  });

  afterAll(async () => {
    loops.forEach((l) => l.close());
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.drain();
  });

  it('encodes every kind of element and back', () => {
    const codec = new ElementCodec();
    const elements: StreamElement[] = [
      { type: 'records', values: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }], timestamps: [10, Number.NEGATIVE_INFINITY] },
      { type: 'watermark', timestamp: Number.POSITIVE_INFINITY },
      { type: 'watermark-status', idle: true },
      { type: 'barrier', checkpointId: 7, timestamp: 99 },
      { type: 'end-of-partition' },
    ];
    for (const element of elements) expect(codec.decode(codec.encode(3, element))).toEqual({ source: 3, element });
  });

  it('delivers each producer’s elements in order on the right channels', async () => {
    // Edge 0: two producers (subtasks 0, 1) hash-partitioned onto two consumers.
    const gates = [new InProcessInputGate([0, 0], 64), new InProcessInputGate([0, 0], 64)];
    const readers = gates.map((gate, partition) =>
      new JetStreamEdgeReader({ io, stream, jobId, attempt: 0, edgeIndex: 0, partition, gate, channelBase: 0, forward: false }));
    await Promise.all(readers.map((r) => r.start()));
    const writers = [0, 1].map((sourceSubtask) =>
      new JetStreamPartitionWriter({ io, jobId, attempt: 0, edgeIndex: 0, sourceSubtask, partitions: [0, 1] }));
    const expected: Record<string, number[]> = {};
    for (let i = 0; i < 40; i++) {
      for (const [source, writer] of writers.entries()) {
        const channel = (i + source) % 2;
        writer.emit(channel, { type: 'records', values: [{ source, i }], timestamps: [i] });
        (expected[`${channel}:${source}`] ??= []).push(i);
        await writer.awaitCapacity();
      }
    }
    for (const writer of writers) {
      writer.emit(0, { type: 'end-of-partition' });
      writer.emit(1, { type: 'end-of-partition' });
      await writer.drain();
    }
    for (const [partition, gate] of gates.entries()) {
      const items = await drainGate(gate, 42);
      for (const source of [0, 1]) {
        const fromSource = items.filter((it) => it.channel === source);
        expect(fromSource.at(-1)!.element.type).toBe('end-of-partition');
        const values = fromSource.flatMap((it) => (it.element.type === 'records' ? it.element.values : [])) as { source: number; i: number }[];
        expect(values.every((v) => v.source === source)).toBe(true);
        expect(values.map((v) => v.i)).toEqual(expected[`${partition}:${source}`]);
      }
    }
    readers.forEach((r) => r.stop());
    writers.forEach((w) => w.close());
  });

  it('stops a producer after its credit window until the consumer takes messages', async () => {
    const writer = new JetStreamPartitionWriter({ io, jobId, attempt: 0, edgeIndex: 1, sourceSubtask: 0, partitions: [0], creditWindow: 4 });
    for (let i = 0; i < 4; i++) writer.emit(0, { type: 'records', values: [i], timestamps: [i] });
    const blocked = writer.awaitCapacity();
    expect(blocked).toBeInstanceOf(Promise);
    let released = false;
    void blocked!.then(() => (released = true));
    await writer.drain();
    expect(released).toBe(false);
    // A consumer appears and takes the messages: its credits release the producer.
    const gate = new InProcessInputGate([0], 64);
    const reader = new JetStreamEdgeReader({ io, stream, jobId, attempt: 0, edgeIndex: 1, partition: 0, gate, channelBase: 0, forward: true });
    await reader.start();
    await blocked;
    expect((await drainGate(gate, 4)).map((it) => (it.element.type === 'records' ? it.element.values[0] : null))).toEqual([0, 1, 2, 3]);
    reader.stop();
    writer.close();
  });

  it('fails its gate with the cause when the stream goes away under it (never an empty input)', async () => {
    const lostJob = JobIds.parse(randomBytes(16).toString('hex'));
    const lostStream = DataNames.stream(lostJob);
    await jsm.streams.add({ name: lostStream, subjects: [DataNames.streamSubjects(lostJob)], storage: StorageType.Memory, retention: RetentionPolicy.Workqueue });
    const gate = new InProcessInputGate([0], 64);
    const reader = new JetStreamEdgeReader({ io: ioFor(lostJob, lostStream), stream: lostStream, jobId: lostJob, attempt: 0, edgeIndex: 0, partition: 0, gate, channelBase: 0, forward: true });
    await reader.start();
    const waiting = gate.next(20_000);
    await jsm.streams.delete(lostStream);
    // The pending wait is released empty; the next one rejects with the reason.
    expect(await waiting).toBeUndefined();
    let failure: unknown;
    try {
      await gate.next(20_000);
    } catch (error) {
      failure = error;
    }
    reader.stop();
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(new RegExp(`JetStream stream ${lostStream} failed`));
  });
});
