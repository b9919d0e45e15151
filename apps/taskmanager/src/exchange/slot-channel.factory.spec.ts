import { ClusterNamespace, JobIds } from '@runnel/protocol';
import { wireSubtask, type JobGraph } from '@runnel/dataflow';
import type { ExchangeIo } from './exchange-io.port';
import { ChannelPairs } from './channel-pairs';
import { SameWorkerChannels } from './same-worker.channel';
import { SlotChannelFactory } from './slot-channel.factory';

const JOB = JobIds.parse('b'.repeat(32));
const vertex = (id: string, isSource = false) => ({ id, name: id, parallelism: 3, maxParallelism: 128, slotSharingGroup: 'default', operators: [], isSource });
// A (p=3) → B (p=3) by hash.
const graph = { jobName: 'slot', config: { parallelism: 3, maxParallelism: 128 }, vertices: [vertex('A', true), vertex('B')], edges: [{ id: 'e0', source: 'A', target: 'B', targetInput: 0, partitioner: 'hash' }] } as JobGraph;

function io(subscribed: string[]): ExchangeIo {
  return {
    publish: async () => undefined, send: () => undefined, subscribe: (subject) => (subscribed.push(subject), { unsubscribe: () => undefined }),
    consume: async () => { throw new Error('not in this test'); }, writeState: async () => { throw new Error('not in this test'); }, readState: async () => { throw new Error('not in this test'); }, close: async () => undefined,
  };
}
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('SlotChannelFactory', () => {
  it('per channel: the same worker directly, another slot by its port, the rest through one JetStream reader per edge', async () => {
    const sameWorker = new SameWorkerChannels();
    const subscribed: string[] = [];
    // B/1 here: A/1 runs in this worker, A/2 in another slot of this TaskManager, A/0 elsewhere.
    const other = new MessageChannel();
    const factory = new SlotChannelFactory({
      io: io(subscribed), jobId: JOB, attempt: 4, dataStream: 'runnel-data-x', sameWorker, names: ClusterNamespace.DEFAULT.data, gateCapacity: 8,
      ports: { in: [{ edgeIndex: 0, source: 1 }, { edgeIndex: 0, source: 2, port: other.port2 as never }], out: [] },
    });
    const { inputGate } = wireSubtask(graph, 'B', 1, factory);
    expect(factory.localReaders).toHaveLength(2);
    expect(factory.readers).toHaveLength(1);
    expect(factory.writers).toHaveLength(0);
    factory.localReaders.forEach((r) => r.start());
    // The other end of the same-worker pair (job, attempt 4, edge 0, A/1 → B/1) the factory took.
    const producer = sameWorker.take(ChannelPairs.key(JOB, 4, 0, 1, 1), 'producer');
    producer.postMessage({ type: 'records', values: ['from A/1'] });
    other.port1.postMessage({ type: 'records', values: ['from A/2'] });
    const got = new Map<number, unknown>();
    const deadline = Date.now() + 5000;
    while (got.size < 2 && Date.now() < deadline) {
      await settle();
      const item = inputGate!.next(0);
      const taken = item instanceof Promise ? await item : item;
      if (taken) got.set(taken.channel, (taken.element as { values: unknown[] }).values[0]);
    }
    // B/1's gate: A/0, A/1, A/2 are channels 0, 1, 2.
    expect([...got].sort()).toEqual([[1, 'from A/1'], [2, 'from A/2']]);
    other.port1.close();
    other.port2.close();
  });

  it('one writer per output edge, sending the partitions consumed here through their ports', () => {
    const sameWorker = new SameWorkerChannels();
    const subscribed: string[] = [];
    const factory = new SlotChannelFactory({
      io: io(subscribed), jobId: JOB, attempt: 0, dataStream: 'runnel-data-x', sameWorker, names: ClusterNamespace.DEFAULT.data, gateCapacity: 8,
      ports: { in: [], out: [{ edgeIndex: 0, partition: 2 }] },
    });
    const { outputs, inputGate } = wireSubtask(graph, 'A', 2, factory);
    expect(inputGate).toBeUndefined();
    expect([...outputs.keys()]).toEqual(['e0']);
    expect(outputs.get('e0')!.numberOfChannels).toBe(3);
    expect(factory.writers).toHaveLength(1);
    // Its credits come on the subject of (edge 0, source subtask 2).
    expect(subscribed).toEqual([ClusterNamespace.DEFAULT.data.credit(JOB, 0, 0, 2)]);
    expect(() => sameWorker.take(ChannelPairs.key(JOB, 0, 0, 2, 2), 'producer')).toThrow(/already has a producer/);
    factory.writers.forEach((w) => w.close());
  });
});
