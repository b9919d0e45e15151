/**
 * What a checkpoint acknowledgement waits for (storedUpTo): every publish issued before the mark is
 * stored, in any order of the server's replies; a failed one — even when later ones, such as a
 * barrier, were stored — rejects, so a checkpoint cannot complete past a gap in a channel. The
 * ExchangeIo is a fake whose publishes the test settles one by one.
 */
import { StreamElementType, type StreamElement } from '@runnel/dataflow';
import type { ExchangeIo } from './exchange-io.port';
import { JetStreamPartitionWriter } from './jetstream-partition.writer';
import { JobIds } from '@runnel/protocol';

function fakeIo() {
  const publishes: { subject: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  const io = {
    publish: (subject: string) => new Promise<void>((resolve, reject) => publishes.push({ subject, resolve, reject })),
    send: () => undefined,
    subscribe: () => ({ unsubscribe: () => undefined }),
  } as unknown as ExchangeIo;
  return { io, publishes };
}

const records = (...values: number[]): StreamElement => ({ type: StreamElementType.Records, values, timestamps: values.map(() => 0) });
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Settles as soon as `promise` does; 'pending' while it has not. */
async function state(promise: Promise<void>): Promise<'stored' | 'failed' | 'pending'> {
  let result: 'stored' | 'failed' | 'pending' = 'pending';
  promise.then(() => (result = 'stored'), () => (result = 'failed'));
  await turn();
  return result;
}

describe('JetStreamPartitionWriter.storedUpTo', () => {
  const options = (io: ExchangeIo) => ({ io, jobId: JobIds.parse('a'.repeat(32)), attempt: 0, edgeIndex: 0, sourceSubtask: 0, partitions: [0, 1] });

  it('resolves once every publish before the mark is stored, whatever order the replies come in', async () => {
    const { io, publishes } = fakeIo();
    const writer = new JetStreamPartitionWriter(options(io));
    writer.emit(0, records(1));
    writer.emit(1, records(2));
    const mark = writer.publishMark();
    writer.emit(0, records(3)); // after the barrier: not waited for
    const stored = writer.storedUpTo(mark);
    publishes[1].resolve();
    publishes[2].resolve();
    expect(await state(stored)).toBe('pending');
    publishes[0].resolve();
    expect(await state(stored)).toBe('stored');
    expect(await state(writer.storedUpTo(writer.publishMark()))).toBe('stored');
    writer.close();
  });

  it('rejects when a publish before the mark failed, though the ones after it were stored', async () => {
    const { io, publishes } = fakeIo();
    const writer = new JetStreamPartitionWriter(options(io));
    writer.emit(1, records(1));
    writer.emit(1, records(2));
    const stored = writer.storedUpTo(writer.publishMark());
    writer.emit(1, { type: StreamElementType.Barrier, checkpointId: 3, timestamp: 0 });
    publishes[1].resolve();
    publishes[2].resolve();
    publishes[0].reject(new Error('TIMEOUT'));
    expect(await state(stored)).toBe('failed');
    await expect(writer.storedUpTo(writer.publishMark())).rejects.toThrow(/publishing to .* failed: TIMEOUT/);
    writer.close();
  });

  it('has nothing to wait for without publishes', async () => {
    const { io } = fakeIo();
    const writer = new JetStreamPartitionWriter(options(io));
    expect(await state(writer.storedUpTo(writer.publishMark()))).toBe('stored');
    writer.close();
  });
});
