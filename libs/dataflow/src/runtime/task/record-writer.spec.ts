/**
 * RecordWriter batching: batches close when full (by records, or by estimated bytes on writers
 * that serialize), after the buffer timeout (also with no further input), and always before a
 * broadcast element, keeping each channel's order.
 */
import { StreamElementType, type StreamElement } from '../../core/stream-element.types';
import { PartitionerType } from '../../graph/job-graph.types';
import type { ResultPartitionWriter } from './channel.types';
import { RecordWriter } from './record-writer';

class RecordingWriter implements ResultPartitionWriter {
  readonly emitted: { channel: number; element: StreamElement }[] = [];
  recordsOut = 0;
  bytesOut = 0;
  constructor(
    readonly numberOfChannels: number,
    /** Encoded bytes per record this writer pretends to produce (0: does not serialize). */
    private readonly bytesPerRecord = 0,
  ) {}
  emit(channel: number, element: StreamElement): void {
    this.emitted.push({ channel, element });
    if (element.type === StreamElementType.Records) {
      this.recordsOut += element.values.length;
      this.bytesOut += element.values.length * this.bytesPerRecord;
    }
  }
  awaitCapacity(): undefined {
    return undefined;
  }
  abort(): void {
    // nothing in flight to stop
  }
  batches(): number[] {
    return this.emitted.flatMap((e) => (e.element.type === StreamElementType.Records ? [e.element.values.length] : []));
  }
}

const forward = (w: ResultPartitionWriter, bufferTimeoutMs: number, batchSize = 4) =>
  new RecordWriter(w, { partitioner: PartitionerType.Forward, batchSize, subtaskIndex: 0, bufferTimeoutMs });

describe('RecordWriter buffer timeout', () => {
  afterEach(() => jest.useRealTimers());

  it('0 sends what is buffered at the end of every input batch', () => {
    const w = new RecordingWriter(1);
    const rw = forward(w, 0);
    rw.emit('a', 1);
    rw.emit('b', 2);
    rw.endBatch();
    expect(w.batches()).toEqual([2]);
    rw.close();
  });

  it('-1 sends only full batches, and the rest before a watermark', () => {
    const w = new RecordingWriter(1);
    const rw = forward(w, -1);
    for (let i = 0; i < 6; i++) rw.emit(i, i);
    rw.endBatch();
    expect(w.batches()).toEqual([4]);
    rw.broadcastElement({ type: StreamElementType.Watermark, timestamp: 5 });
    expect(w.emitted.map((e) => e.element.type)).toEqual([StreamElementType.Records, StreamElementType.Records, StreamElementType.Watermark]);
    expect(w.batches()).toEqual([4, 2]);
    rw.close();
  });

  it('> 0 holds a partial batch across input batches and sends it when the timeout passes, with no further input', () => {
    jest.useFakeTimers();
    const w = new RecordingWriter(2);
    const rw = new RecordWriter(w, { partitioner: PartitionerType.Rebalance, batchSize: 100, subtaskIndex: 0, bufferTimeoutMs: 50 });
    rw.emit('a', 1);
    rw.endBatch();
    jest.advanceTimersByTime(20);
    rw.emit('b', 2);
    rw.endBatch();
    expect(w.emitted).toHaveLength(0);
    jest.advanceTimersByTime(30); // channel 0 waited 50 ms, channel 1 only 30
    expect(w.emitted.map((e) => e.channel)).toEqual([0]);
    jest.advanceTimersByTime(20);
    expect(w.emitted.map((e) => e.channel)).toEqual([0, 1]);
    rw.close();
  });

  it('after close no timer sends anything', () => {
    jest.useFakeTimers();
    const w = new RecordingWriter(1);
    const rw = forward(w, 50, 100);
    rw.emit('a', 1);
    rw.close();
    jest.advanceTimersByTime(100);
    expect(w.emitted).toHaveLength(0);
  });
});

describe('RecordWriter batch size', () => {
  it('grows batches on serializing writers to about maxBatchBytes', () => {
    const w = new RecordingWriter(1, 64);
    const rw = new RecordWriter(w, { partitioner: PartitionerType.Forward, batchSize: 4, subtaskIndex: 0, bufferTimeoutMs: -1, maxBatchBytes: 1024 });
    for (let i = 0; i < 4 + 16 * 3; i++) rw.emit(i, i);
    // The first batch (4 records) shows 64 B per record: later batches hold 1024 / 64 = 16.
    expect(w.batches()).toEqual([4, 16, 16, 16]);
    rw.close();
  });

  it('keeps batchSize on writers that do not serialize', () => {
    const w = new RecordingWriter(1, 0);
    const rw = forward(w, -1, 4);
    for (let i = 0; i < 12; i++) rw.emit(i, i);
    expect(w.batches()).toEqual([4, 4, 4]);
    rw.close();
  });
});
